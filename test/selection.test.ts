// Selecting each level's winner (src/train/selection.ts): the statistics against a plain computation on
// synthetic per-sample losses, the candidate margin, the tie rule, and stage 2 on real models with the
// SIMD kernel against a direct evaluation.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../src/model/config.ts";
import { Purpose, SHARED_MODEL, drawSample, presenceThreshold, streamKey } from "../src/model/rng.ts";
import { batchLoss } from "../src/model/toy-model.ts";
import { referenceTrain } from "../src/train/reference.ts";
import { SimdKernel } from "../src/train/simd/simd-kernel.ts";
import { SAMPLE_BLOCK } from "../src/train/simd/simd-codegen.ts";
import {
  MIN_CANDIDATES, Moments, STAGE2_MIN_DRAWS, TIE_SE, decide, runStage2, stage1Paired, stage2Candidates, stage2ForLevel, stage2Key, stage2Samples,
} from "../src/train/selection.ts";
import { localEvaluator, poolEvaluator, type Evaluator } from "../src/train/evaluator.ts";

/** A deterministic uniform generator for synthetic losses (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The plain formulas: mean, and the standard error s/√N with the (N − 1) sample variance. */
function plainStats(x: readonly number[]): { mean: number; se: number } {
  const N = x.length, mean = x.reduce((a, b) => a + b, 0) / N;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
  return { mean, se: Math.sqrt(variance / N) };
}

describe("statistics", () => {
  it("Moments gives the plain mean and standard error, in chunks or whole", () => {
    const r = uniform(1);
    const x = Array.from({ length: 10_000 }, () => 3 + r() ** 3);
    const whole = new Moments(), chunked = new Moments();
    whole.add(x);
    for (let i = 0; i < x.length; i += 999) chunked.add(x.slice(i, i + 999));
    const want = plainStats(x);
    for (const m of [whole, chunked]) {
      expect(m.count).toBe(10_000);
      expect(m.mean).toBeCloseTo(want.mean, 12);
      expect(m.se / want.se - 1).toBeLessThan(1e-9);
      expect(want.se / m.se - 1).toBeLessThan(1e-9);
    }
    expect(new Moments().se).toBeNaN();
  });

  it("stage 2 on synthetic losses: winner, runner-up, paired difference and its standard error as computed directly", async () => {
    // Five "models" on shared draws: a common per-draw part (what the draw costs every model) plus each
    // model's offset and its own noise, so paired differences are far less noisy than the losses.
    const blocks = 3, N = blocks * SAMPLE_BLOCK, r = uniform(7);
    const common = Array.from({ length: N }, () => 10 * r());
    const offsets = [0.3, 0.1, 0.1002, 0.5, 0.12];
    const per = offsets.map((o) => common.map((c) => c + o + 0.05 * (r() - 0.5)));
    const models = [11, 12, 13, 14, 15];
    // An evaluator over the synthetic losses: "model" k's parameters are just [k].
    const fake: Evaluator = {
      async sums(_d, _key, count, ms, ref) {
        return ms.map((p) => {
          const loss = new Moments(), diff = new Moments();
          loss.add(per[p[0]].slice(0, count));
          if (ref) diff.add(per[p[0]].slice(0, count).map((v, s) => v - per[ref[0]][s]));
          return { loss, ...(ref && { diff }) };
        });
      },
      trainFrom: async () => [],
      close: async () => {},
    };
    const res = await runStage2(fake, 0.1, stage2Key(0, 0.1), N, models, models.map((_, k) => Float64Array.of(k)), 10);
    const means = per.map((x) => plainStats(x).mean);
    const order = [...means.keys()].sort((a, b) => means[a] - means[b]);
    expect(res.winner).toBe(models[order[0]]);
    expect(res.runnerUp).toBe(models[order[1]]);
    expect(res.samples).toBe(N);
    res.candidates.forEach((c, k) => {
      const want = plainStats(per[k]);
      expect(c.model).toBe(models[k]);
      expect(c.loss).toBeCloseTo(want.mean / 10, 12);
      expect(c.se).toBeCloseTo(want.se / 10, 12);
    });
    const w = order[0];
    for (const p of res.paired) {
      const k = models.indexOf(p.model);
      const want = plainStats(per[k].map((v, s) => v - per[w][s]));
      expect(p.diff).toBeCloseTo(want.mean / 10, 12);
      expect(p.se).toBeCloseTo(want.se / 10, 12);
    }
    // Models 12 and 13 differ by 2e-4 in offset, about one standard error of their paired difference
    // (per-draw noise sd ≈ 0.02 over 12,288 draws): a tie. Model 14 (offset 0.5) is far beyond any tie and
    // gets no paired pass at all.
    expect(res.tie).toBe(true);
    expect(res.tied[0]).toBe(res.winner);
    expect(res.tied).toContain(models[order[1]]);
    expect(res.paired.map((p) => p.model)).not.toContain(14);
  });

  it("the tie rule: within TIE_SE paired standard errors is a tie, beyond it is not", () => {
    const m = (values: number[]) => {
      const x = new Moments();
      x.add(values);
      return x;
    };
    // Winner: mean 1. Runner-up's paired differences: mean d, sd ≈ 1 over 4 values → SE 0.5·…
    const base = [1, 1, 1, 1];
    const diffs = (d: number) => [d - 1, d + 1, d - 1, d + 1]; // mean d, SE = √(4/3 / 4) = 0.577
    const se = Math.sqrt(4 / 3 / 4);
    for (const [d, tie] of [[TIE_SE * se * 0.99, true], [TIE_SE * se * 1.01, false]] as const) {
      const res = decide([0, 1], [m(base), m(base.map((b) => b + d))], [null, m(diffs(d))]);
      expect(res.winner).toBe(0);
      expect(res.runnerUp).toBe(1);
      expect(res.tie).toBe(tie);
      expect(res.tied).toEqual(tie ? [0, 1] : [0]);
    }
  });
});

describe("stage-2 candidates", () => {
  it("keeps every model within CANDIDATE_Z paired standard errors of the stage-1 best, and at least MIN_CANDIDATES", () => {
    const K = 200;
    const losses = Array.from({ length: K }, (_, k) => 1 + k / 100);
    // Paired SE 0.1: models up to 3 SE (loss ≤ 1.3, k ≤ 30) are candidates by the margin; the 32 lowest
    // by the minimum.
    const paired = losses.map((l, k) => (k === 0 ? null : { model: k, diff: l - 1, se: 0.1 }));
    expect(stage2Candidates(losses, paired)).toEqual([...Array(MIN_CANDIDATES).keys()]);
    const wide = losses.map((l, k) => (k === 0 ? null : { model: k, diff: l - 1, se: 0.2 }));
    expect(stage2Candidates(losses, wide)).toEqual([...Array(61).keys()]);
  });

  it("never drops the true best: a model whose stage-1 loss was unlucky stays in while the noise allows it", () => {
    // Model 5 may be the true best, but its stage-1 estimate drew bad luck: 2.5 paired standard errors
    // (SE 0.018) above the stage-1 best (0.98), behind 40 other models. The margin (3 SE) keeps it; a
    // 2-SE margin would not.
    const losses = Array.from({ length: 100 }, (_, k) => (k === 5 ? 1.025 : 0.98 + k / 2500));
    const best = losses.indexOf(Math.min(...losses));
    const paired = losses.map((l, k) => (k === best ? null : { model: k, diff: l - losses[best], se: 0.018 }));
    expect(stage2Candidates(losses, paired, 8, 2)).not.toContain(5);
    const kept = stage2Candidates(losses, paired, 8);
    expect(kept).toContain(5);
    // It would have been dropped by a minimum-count rule alone.
    expect(losses.filter((l) => l < losses[5]).length).toBeGreaterThan(8);
    // Diverged models (null loss) are never candidates; a model without a paired estimate is kept.
    const withNull = [...losses.slice(0, 99), null];
    expect(stage2Candidates(withNull, paired, 8)).not.toContain(99);
    const noPaired = paired.map((p, k) => (k === 60 ? null : p));
    expect(stage2Candidates(losses, noPaired, 8)).toContain(60);
  });

  it("sizes the stage-2 sample: 2^22 draws, or 4·10⁶ present features in expectation, in whole blocks", () => {
    expect(stage2Samples(1, 10)).toBe(STAGE2_MIN_DRAWS);
    expect(stage2Samples(0.1, 10)).toBe(STAGE2_MIN_DRAWS); // 4e6 draws < 2^22
    expect(stage2Samples(0.01, 10)).toBe(Math.ceil(4e7 / SAMPLE_BLOCK) * SAMPLE_BLOCK);
    expect(stage2Samples(0.01, 10) * 0.01 * 10).toBeGreaterThanOrEqual(4e6);
    expect(stage2Samples(0.05, 40) % SAMPLE_BLOCK).toBe(0);
  });
});

describe("evaluators", () => {
  it("worker threads give the in-process sums (draws split between workers in whole blocks), and the same fine-tuned bits", async () => {
    const config = defaultConfig({ batchSize: 64, steps: 50, evalSamples: 1000 });
    const models = [0, 1, 2].map((k) => referenceTrain("relu-hidden", config, 0.3, k));
    const key = stage2Key(0, 0.3);
    const local = localEvaluator("relu-hidden", config), pool = poolEvaluator("relu-hidden", config, 3);
    try {
      // 3 workers, 5 blocks and a partial sixth: ranges of 2, 2 and 1.5 blocks.
      const count = 5 * SAMPLE_BLOCK + 1000;
      const [a, b] = await Promise.all([local.sums(0.3, key, count, models, models[0]), pool.sums(0.3, key, count, models, models[0])]);
      a.forEach((s, k) => {
        expect(b[k].loss.count).toBe(count);
        expect(b[k].loss.mean).toBeCloseTo(s.loss.mean, 12);
        expect(b[k].loss.se).toBeCloseTo(s.loss.se, 12);
        expect(b[k].diff!.mean).toBeCloseTo(s.diff!.mean, 12);
      });
      expect(b[0].diff!.sum).toBe(0);
      const jobs = [1, 2].map((k) => ({ start: models[k], key: streamKey(0, 0.1, k, Purpose.continue) }));
      const [x, y] = await Promise.all([local.trainFrom(0.1, jobs, [20]), pool.trainFrom(0.1, jobs, [20])]);
      expect(y.map((p) => Array.from(p))).toEqual(x.map((p) => Array.from(p)));
    } finally {
      await pool.close();
    }
  });
});

describe("on real models, with the SIMD kernel", () => {
  const config = defaultConfig({ batchSize: 64, steps: 200, evalSamples: 5000 });
  const density = 0.2;
  const params = [0, 1, 2].map((model) => referenceTrain("relu-hidden", config, density, model));
  /** The plain per-sample losses of `p` on draws start … start + count − 1 of stream `key`, batch 0. */
  const plainLosses = (p: Float64Array, key: ReturnType<typeof streamKey>, start: number, count: number) => {
    const x = new Float64Array(10);
    return Array.from({ length: count }, (_, s) => {
      drawSample(key, 0, start + s, presenceThreshold(density), x);
      return 10 * batchLoss("relu-hidden", { W: p.subarray(0, 50), b: p.subarray(50) }, [x], config.importance, { m: 5, n: 10 });
    });
  };

  it("stage-1 paired differences equal the plain computation on the held-out sample (5000 draws: two blocks, one partial)", async () => {
    const paired = await stage1Paired(localEvaluator("relu-hidden", config), config, density, [params[0], null, params[2]], 0);
    expect(paired[0]).toBeNull();
    expect(paired[1]).toBeNull();
    const key = streamKey(config.seed, density, SHARED_MODEL, Purpose.eval);
    const ref = plainLosses(params[0], key, 0, 5000), other = plainLosses(params[2], key, 0, 5000);
    const want = plainStats(other.map((v, s) => v - ref[s]));
    // float32 per-sample losses against float64: measured agreement ≤ 1e-6 relative on the mean.
    expect(Math.abs(paired[2]!.diff - want.mean / 10)).toBeLessThan(1e-6 * Math.abs(want.mean / 10) + 1e-9);
    expect(paired[2]!.se / (want.se / 10)).toBeCloseTo(1, 4);
  });

  it("stage 2 evaluates the candidates on the level's own selection stream, as the plain computation on its first block", async () => {
    const res = await stage2ForLevel(localEvaluator("relu-hidden", config), config, density, [2, 0, 1], [params[2], params[0], params[1]]);
    expect(res.samples).toBe(STAGE2_MIN_DRAWS);
    expect(res.candidates.map((c) => c.model)).toEqual([2, 0, 1]);
    // The selection stream is not the held-out stream.
    expect(stage2Key(config.seed, density)).not.toEqual(streamKey(config.seed, density, SHARED_MODEL, Purpose.eval));
    // Its first block, evaluated plainly, agrees with the kernel's per-sample losses.
    const kernel = new SimdKernel("relu-hidden", config);
    const got = kernel.sampleLosses(params[1], density, stage2Key(config.seed, density), 0, SAMPLE_BLOCK, 0);
    const want = plainLosses(params[1], stage2Key(config.seed, density), 0, SAMPLE_BLOCK);
    const worst = Math.max(...want.map((w, s) => Math.abs(got[s] - w) / Math.max(w, 1e-9)));
    expect(worst).toBeLessThan(2e-6);
    const winner = res.candidates.find((c) => c.model === res.winner)!;
    for (const c of res.candidates) expect(c.loss).toBeGreaterThanOrEqual(winner.loss);
  });
});
