// The winners' diagnostics (src/train/diagnostics.ts) on constructed cases: a planted better model
// among a neighbour's winners must be flagged by the cross-evaluation and found by the continuation.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../src/model/config.ts";
import { SimdKernel } from "../src/train/simd/simd-kernel.ts";
import { CONVERGENCE, convergence, convergenceSample, crossEvaluate, continueWinners, diagnose, logConvergence, pairedOnStage2 } from "../src/train/diagnostics.ts";
import { initialParams } from "../src/train/reference.ts";
import { Purpose, streamKey } from "../src/model/rng.ts";
import { localEvaluator } from "../src/train/evaluator.ts";
import { stage2Key, stage2Samples } from "../src/train/selection.ts";
import { dataFileSchema } from "../src/data/schema.ts";
import { sampleDataFile } from "./fixtures.ts";

const size = { minDraws: 65_536, minPresent: 10_000 };
const config = defaultConfig({ batchSize: 128, steps: 1500, evalSamples: 4096 });
const kernel = new SimdKernel("relu-hidden", config);
const ev = localEvaluator("relu-hidden", config);
// Well trained models at 0.3 and 0.05, and a barely trained one (10 steps) at 0.05.
const good03 = kernel.train(0.3, 0).params;
const good005 = kernel.train(0.05, 1).params;
const poor005 = kernel.train(0.05, 2, 10).params;

describe("cross-evaluation", () => {
  it("flags a level whose winner loses on its own data to another level's winner, and nothing else", async () => {
    // Planted: "the winner of 0.1" is the good model trained at 0.05, while 0.05's own winner is poor.
    const winners = [{ density: 0.3, params: good03 }, { density: 0.1, params: good005 }, { density: 0.05, params: poor005 }];
    const { table, failures } = await crossEvaluate(ev, config, winners, size);
    expect(table).toHaveLength(3);
    for (let a = 0; a < 3; a++) expect(table[a][a]).toMatchObject({ diff: 0, se: 0 });
    expect(failures.map((f) => [f.winnerOf, f.on])).toContainEqual([0.1, 0.05]);
    // Nothing beats the well-trained winner of 0.3 on its own data.
    expect(failures.filter((f) => f.on === 0.3)).toEqual([]);
    const f = failures.find((x) => x.winnerOf === 0.1 && x.on === 0.05)!;
    expect(f.diff).toBeLessThan(-2 * f.se);
    expect(table[1][2].diff).toBe(f.diff);
  });

  it("pairs each model with the level's own winner on the same draws: a model against itself differs by exactly 0", async () => {
    const [self, other] = await pairedOnStage2(ev, config, 0.05, good005, [good005, poor005], size);
    expect(self).toMatchObject({ diff: 0, se: 0 });
    expect(other.diff).toBeGreaterThan(0);
    expect(other.loss - self.loss).toBeCloseTo(other.diff, 12);
    expect(stage2Samples(0.05, 10, size)).toBe(65_536);
    expect(stage2Key(config.seed, 0.05)).toBeDefined();
  });
});

describe("continuation", () => {
  it("finds that fine-tuning another level's good winner beats a poor from-scratch winner", async () => {
    const winners = [{ density: 0.3, params: good03 }, { density: 0.05, params: poor005 }];
    const [at03, at005] = await continueWinners(ev, { ...config, steps: 300 }, winners, size);
    expect(at005.from).toBe(0.3);
    expect(at005.diff).toBeLessThan(-2 * at005.se);
    expect(at005.params).toHaveLength(60);
    // It was trained at 0.05: moved from the 0.3 winner, and better there than that winner as it was.
    expect(Math.max(...at005.params.map((v, i) => Math.abs(v - good03[i])))).toBeGreaterThan(1e-3);
    const [unchanged] = await pairedOnStage2(ev, config, 0.05, poor005, [good03], size);
    expect(at005.loss).toBeLessThan(unchanged.loss);
    // At 0.3, the poor model fine-tuned for 300 steps does not beat the good winner.
    expect(at03.from).toBe(0.05);
    expect(at03.diff).toBeGreaterThan(0);
  });
});

describe("diagnose", () => {
  it("gives a data file's diagnostics block, valid in the schema", async () => {
    const file = sampleDataFile();
    const data = { ...file, config: { ...file.config, steps: 20 } };
    const d = await diagnose(localEvaluator("relu-hidden", data.config), data, () => {}, size);
    expect(d.crossEval).toHaveLength(2);
    expect(d.continuation.levels.map((l) => [l.density, l.from])).toEqual([[1, 0.1], [0.1, 1]]);
    expect(dataFileSchema.safeParse({ ...data, diagnostics: d }).success).toBe(true);
    expect(dataFileSchema.safeParse({ ...data, diagnostics: { ...d, crossEval: d.crossEval.slice(1) } }).success).toBe(false);
  });
});

describe("convergence", () => {
  // A level of 4 models trained only 60 steps (far from converged), as a data file would hold it.
  const short = { ...config, steps: 60, modelsPerLevel: 4 };
  const k60 = new SimdKernel("relu-hidden", short);
  const params = [0, 1, 2, 3].map((k) => k60.train(0.3, k).params);
  const losses = params.map((p) => k60.evalLoss(0.3, p));
  const winner = losses.indexOf(Math.min(...losses));
  const W = Array.from({ length: 5 }, (_, j) => Array.from(params[winner].subarray(j * 10, (j + 1) * 10)));
  const level = {
    density: 0.3, losses: [...losses].sort((a, b) => a - b), modelLosses: losses, diverged: 0,
    selection: {
      stage1: { best: winner, z: 3, min: 32 }, samples: 65_536, winner, runnerUp: null, paired: [], tieSE: 2, tie: false, tied: [winner],
      candidates: losses.map((loss, model) => ({ model, loss, se: 1e-6 })),
    },
    best: { model: winner, loss: losses[winner], W, b: Array.from(params[winner].subarray(50)) },
  };

  it("reads one run at several step counts: the same bits as separate runs of each length", () => {
    const key = streamKey(0, 0.3, 1, Purpose.train);
    const { snapshots, params: end } = k60.trainSnapshots(initialParams(short, 0.3, 1), 0.3, key, [0, 60, 150]);
    expect(Array.from(snapshots[0])).toEqual(Array.from(initialParams(short, 0.3, 1)));
    expect(Array.from(snapshots[1])).toEqual(Array.from(params[1]));
    expect(Array.from(snapshots[2])).toEqual(Array.from(k60.train(0.3, 1, 150).params));
    expect(Array.from(end)).toEqual(Array.from(snapshots[2]));
    expect(() => k60.trainSnapshots(initialParams(short, 0.3, 1), 0.3, key, [60, 60])).toThrow(/ascending/);
  });

  it("samples the leading candidates (winner first), then models spread over the indices, skipping diverged ones", () => {
    const sel = { ...level.selection, winner: 3, candidates: [{ model: 1, loss: 1, se: 0 }, { model: 3, loss: 2, se: 0 }, { model: 0, loss: 3, se: 0 }] };
    // The winner first even where another candidate scored lower; the spread indices 0, 250, 500, 750
    // move past taken models and the diverged model 250.
    const ml = Array.from({ length: 1000 }, (_, k) => (k === 250 ? null : 1));
    expect(convergenceSample({ selection: sel, modelLosses: ml }, 1000, { factors: [1], leading: 2, spread: 4 })).toEqual({ models: [3, 1, 0, 251, 500, 750], leading: 2 });
    expect(convergenceSample({ selection: sel, modelLosses: ml }, 1000, { factors: [1], leading: 3, spread: 4 })).toEqual({ models: [3, 1, 0, 2, 251, 500, 750], leading: 3 });
    expect(() => convergenceSample({ modelLosses: ml }, 1000)).toThrow(/schema 2/);
  });

  it("finds that models trained 60 steps are not converged, and retrains the file's winner exactly", async () => {
    const data = { config: short, levels: [level] };
    const conv = await convergence(localEvaluator("relu-hidden", short), data, { factors: [1, 4], leading: 2, spread: 2 }, size);
    expect(conv.steps).toEqual([60, 240]);
    const [c] = conv.levels;
    expect(c.models).toHaveLength(4);
    expect(c.models[0]).toBe(winner);
    expect(c.reproduction).toBe(0);
    // The winner at 60 steps is the file's winner: paired with itself, exactly 0.
    expect(c.losses[0][0]).toMatchObject({ diff: 0, se: 0 });
    // Every sampled model improves from 60 to 240 steps, well beyond its paired error.
    for (const row of c.losses) expect(row[1].loss).toBeLessThan(row[0].loss);
    const best = c.losses[c.models.indexOf(c.best.model)][1];
    expect(best.diff).toBeLessThan(-2 * best.se);
    expect(Math.min(...c.losses.map((row) => row[1].loss))).toBe(best.loss);
    const lines: string[] = [];
    logConvergence(conv, (l) => lines.push(l));
    expect(lines).toEqual([expect.stringMatching(/^convergence: at density 0.3, model \d trained 240 steps beats the winner by/)]);
    // Valid in the schema inside a data file's diagnostics; a wrong first step count is refused.
    const file = sampleDataFile();
    const d = await diagnose(localEvaluator("relu-hidden", { ...file.config, steps: 20 }), { ...file, config: { ...file.config, steps: 20 } }, () => {}, size, { factors: [1, 2], leading: 2, spread: 1 });
    expect(d.convergence!.steps).toEqual([20, 40]);
    const withD = { ...file, config: { ...file.config, steps: 20 }, diagnostics: d };
    expect(dataFileSchema.safeParse(withD).success).toBe(true);
    expect(dataFileSchema.safeParse({ ...withD, config: file.config }).success).toBe(false);
    const bad = { ...d.convergence!, levels: d.convergence!.levels.map((l, k) => (k ? l : { ...l, best: { ...l.best, model: 999 } })) };
    expect(dataFileSchema.safeParse({ ...withD, diagnostics: { ...d, convergence: bad } }).success).toBe(false);
    expect(CONVERGENCE.factors[0]).toBe(1);
  });
});
