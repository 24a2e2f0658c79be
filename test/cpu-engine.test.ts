// The CPU engine's kernels against the plain reference trainer, and the engine's worker pool.
import { describe, expect, it } from "vitest";
import { defaultConfig, geometricImportance, type ModelKind, type TrainConfig } from "../src/model/config.ts";
import { Purpose, SHARED_MODEL, drawSample, presenceThreshold, streamKey } from "../src/model/rng.ts";
import { initialParams, referenceEvalLoss, referenceTrain, trainingBatch } from "../src/train/reference.ts";
import { lossAndGradient } from "../src/model/toy-model.ts";
import { ReferenceKernel, cpuKernelName, createCpuKernel } from "../src/train/cpu-kernel.ts";
import { SimdKernel, simdSupported } from "../src/train/simd/simd-kernel.ts";
import { MAX_SIMD_WEIGHTS, simdModule, simdVariant } from "../src/train/simd/simd-codegen.ts";
import { UnrolledKernel } from "../scripts/bench/js-kernel.ts";
import { createCpuEngine } from "../src/train/cpu-engine.ts";
import type { Progress, TrainedLevel } from "../src/train/engine.ts";

const small = (o: Partial<TrainConfig> = {}) => defaultConfig({ batchSize: 64, steps: 40, evalSamples: 4096, modelsPerLevel: 3, ...o });
const shape = (neurons: number, features: number, o: Partial<TrainConfig> = {}) => small({ neurons, features, importance: geometricImportance(features), ...o });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
const KINDS: ModelKind[] = ["relu-hidden", "linear-hidden"];

// Tolerances of the SIMD kernel (float32 sums in four lanes, AdamW in float64) against the float64
// reference. Measured 2026-11-30 over shapes 5×10, 3×7, 3×11, 5×20, 6×32, batches 1, 5, 64, 65, densities
// 1, 0.2, 0.03, both kinds and both variants, 40 steps: weights ≤ 2.1e-7 apart, held-out loss of the same
// weights ≤ 1.2e-7 relative. After 3000 steps (batch 256, densities 1, 0.1, 0.02): weights ≤ 1.2e-7, loss
// ≤ 1.6e-8 relative. The bounds below leave a factor of about 10.
const W_TOL = 2e-6;
const LOSS_TOL = 1e-6;

describe("WebAssembly SIMD kernel", () => {
  it("runs here: Node 24 has WebAssembly SIMD, and the generated module validates", () => {
    expect(simdSupported()).toBe(true);
    for (const kind of KINDS) expect(WebAssembly.validate(simdModule(kind, 5, 10))).toBe(true);
  });

  describe("draws the data stream of rng.ts bit for bit", () => {
    // n = 11: the last pcg4d pair has one feature. Density 1, a middle one, and one so low that most
    // groups of four are empty (the sparse variant then skips them).
    for (const n of [10, 11, 1]) {
      for (const density of [1, 0.3, 0.02]) {
        it(`n = ${n}, density ${density}, both variants`, () => {
          const c = shape(2, n);
          const kernel = new SimdKernel("relu-hidden", c);
          const key = streamKey(7, density, 3, Purpose.train);
          const threshold = presenceThreshold(density);
          const want = new Float64Array(n);
          let present = 0;
          for (const variant of ["sparse", "dense"] as const) {
            for (const step of [0, 1, 9999]) {
              // 63 samples: the last group of four has a lane past the batch.
              const got = kernel.draw(step, 63, key.k0, key.k1, threshold, variant);
              got.forEach((x, s) => {
                drawSample(key, step, s, threshold, want);
                expect(Array.from(x), `step ${step} sample ${s}`).toEqual(Array.from(want));
                present += want.filter((v) => v !== 0).length;
              });
            }
          }
          // The comparison saw present features (and, below density 1, absent ones).
          expect(present).toBeGreaterThan(0);
          if (density < 1) expect(present).toBeLessThan(2 * 3 * 63 * n);
        });
      }
    }
    it("the shared held-out stream too", () => {
      const c = shape(5, 10);
      const key = streamKey(0, 0.1, SHARED_MODEL, Purpose.eval);
      const got = new SimdKernel("linear-hidden", c).draw(0, 64, key.k0, key.k1, presenceThreshold(0.1), "dense");
      const want = new Float64Array(10);
      got.forEach((x, s) => {
        drawSample(key, 0, s, presenceThreshold(0.1), want);
        expect(Array.from(x)).toEqual(Array.from(want));
      });
    });
  });

  describe.each(KINDS)("%s", (kind) => {
    for (const density of [1, 0.2, 0.03]) {
      it(`matches the reference trainer at density ${density} (weights after 40 steps, held-out loss)`, () => {
        const c = small();
        const ref = referenceTrain(kind, c, density, 1);
        const kernel = new SimdKernel(kind, c);
        const got = kernel.train(density, 1).params;
        expect(maxAbsDiff(got, ref)).toBeLessThan(W_TOL);
        // Training moved the weights away from the initialisation by far more than the tolerance.
        expect(maxAbsDiff(ref, referenceTrain(kind, c, density, 1, 0))).toBeGreaterThan(1e-3);
        const refLoss = referenceEvalLoss(kind, c, density, ref);
        expect(Math.abs(kernel.evalLoss(density, ref) - refLoss) / refLoss).toBeLessThan(LOSS_TOL);
      });
    }

    it("the sparse and the dense variant give the same bits, in training and evaluation", () => {
      const c = small();
      for (const density of [1, 0.1, 0.01]) {
        const sparse = new SimdKernel(kind, c, { variant: "sparse" }), dense = new SimdKernel(kind, c, { variant: "dense" });
        const a = sparse.train(density, 2).params, b = dense.train(density, 2).params;
        expect(Array.from(a)).toEqual(Array.from(b));
        expect(sparse.evalLoss(density, a)).toBe(dense.evalLoss(density, a));
      }
    });

    it("is reproducible bit for bit: the same model twice, in one kernel and in a new one", () => {
      const c = small();
      const k1 = new SimdKernel(kind, c);
      const a = k1.train(0.1, 0).params, b = k1.train(0.1, 0).params, d = new SimdKernel(kind, c).train(0.1, 0).params;
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(Array.from(d)).toEqual(Array.from(a));
    });
  });

  it("picks the dense variant where a feature is in some lane of four at least a quarter of the time", () => {
    expect([1, 0.2, 0.1, 0.07].map(simdVariant)).toEqual(["dense", "dense", "dense", "dense"]);
    expect([0.06, 0.05, 0.03, 0.01].map(simdVariant)).toEqual(["sparse", "sparse", "sparse", "sparse"]);
  });

  it("other shapes (3×7, 3×11 with a half pair, 5×20, 5×32, 6×32) and odd batches (1, 5, 65) match the reference", () => {
    for (const [m, n] of [[3, 7], [3, 11], [5, 20], [5, 32], [6, 32]]) {
      for (const batchSize of [1, 5, 65]) {
        const c = shape(m, n, { batchSize, evalSamples: 1027 });
        for (const kind of KINDS) {
          for (const density of [0.5, 0.05]) {
            const ref = referenceTrain(kind, c, density, 0);
            const kernel = new SimdKernel(kind, c);
            const got = kernel.train(density, 0).params;
            const label = `${kind} ${m}×${n} batch ${batchSize} density ${density}`;
            expect(got, label).toHaveLength(m * n + n);
            expect(maxAbsDiff(got, ref), label).toBeLessThan(W_TOL);
            const refLoss = referenceEvalLoss(kind, c, density, ref);
            expect(Math.abs(kernel.evalLoss(density, ref) - refLoss) / refLoss, label).toBeLessThan(LOSS_TOL);
          }
        }
      }
    }
  }, 60_000);

  // The batch gradient the kernel leaves in its memory (float32 sums, as float64) against the plain
  // model's backpropagation on the same batch, at chapter 2's shapes. Measured 2026-12-01 at batch 64,
  // densities 1, 0.1, 0.01: ≤ 7.3e-8 of the largest entry; the bound leaves a factor of about 14.
  it("computes the batch gradient of the reference at larger shapes (5×20, 5×32, 6×32), both variants", () => {
    const GRAD_TOL = 1e-6;
    for (const [m, n] of [[5, 20], [5, 32], [6, 32]]) {
      const c = shape(m, n, { batchSize: 64, importance: geometricImportance(n, 0.9) });
      for (const kind of KINDS) {
        for (const density of [1, 0.1, 0.01]) {
          const label = `${kind} ${m}×${n} density ${density}`;
          const kernel = new SimdKernel(kind, c);
          const p = initialParams(c, density, 0);
          kernel.trainFrom(p, density, streamKey(c.seed, density, 0, Purpose.train), 1);
          const got = kernel["grad"];
          const { gW, gb } = lossAndGradient(kind, { W: p.subarray(0, m * n), b: p.subarray(m * n) }, trainingBatch(c, density, 0, 0), c.importance, { m, n });
          const want = [...gW, ...gb];
          const scale = Math.max(...want.map(Math.abs));
          expect(scale, label).toBeGreaterThan(0);
          expect(got.length, label).toBe(m * n + n);
          expect(maxAbsDiff(got, want) / scale, label).toBeLessThan(GRAD_TOL);
        }
      }
    }
  });

  it("the largest shape it generates (64×64, MAX_SIMD_WEIGHTS) trains like the reference", () => {
    const c = shape(64, 64, { batchSize: 16, steps: 3, evalSamples: 256 });
    expect(64 * 64).toBe(MAX_SIMD_WEIGHTS);
    const ref = referenceTrain("relu-hidden", c, 0.1, 0);
    expect(maxAbsDiff(new SimdKernel("relu-hidden", c).train(0.1, 0).params, ref)).toBeLessThan(W_TOL);
  }, 60_000);

  it("after 1000 steps the weights and the held-out loss still agree with the reference", () => {
    for (const kind of KINDS) {
      for (const density of [1, 0.02]) {
        const c = defaultConfig({ batchSize: 128, steps: 1000, evalSamples: 8192 });
        const ref = referenceTrain(kind, c, density, 0);
        const got = new SimdKernel(kind, c).train(density, 0).params;
        expect(maxAbsDiff(got, ref), `${kind} ${density}`).toBeLessThan(W_TOL);
        const refLoss = referenceEvalLoss(kind, c, density, ref);
        expect(Math.abs(referenceEvalLoss(kind, c, density, got) - refLoss) / refLoss, `${kind} ${density}`).toBeLessThan(LOSS_TOL);
      }
    }
  }, 60_000);
});

describe("kernel choice", () => {
  it("simd where it runs; the reference for shapes too large to generate; asking for simd there is an error", () => {
    expect(cpuKernelName(small())).toBe("simd");
    expect(createCpuKernel("relu-hidden", small())).toBeInstanceOf(SimdKernel);
    const huge = shape(16, MAX_SIMD_WEIGHTS / 16 + 1);
    expect(cpuKernelName(huge)).toBe("reference");
    expect(createCpuKernel("relu-hidden", huge)).toBeInstanceOf(ReferenceKernel);
    expect(() => cpuKernelName(huge, "simd")).toThrow(/the simd kernel cannot run: 16×257 is too large to generate/);
    expect(cpuKernelName(small(), "reference")).toBe("reference");
  });

  it("the reference kernel trains and evaluates exactly as the reference trainer", () => {
    const c = small({ steps: 5 });
    const kernel = new ReferenceKernel("relu-hidden", c);
    const got = kernel.train(0.3, 1).params;
    const ref = referenceTrain("relu-hidden", c, 0.3, 1);
    expect(Array.from(got)).toEqual(Array.from(ref));
    expect(kernel.evalLoss(0.3, got)).toBe(referenceEvalLoss("relu-hidden", c, 0.3, ref));
  });

  it("the generated JS kernel the benchmark compares against (scripts/bench/js-kernel.ts) matches the reference", () => {
    const c = small();
    for (const kind of KINDS) {
      const ref = referenceTrain(kind, c, 0.2, 1);
      // float64 in both, only the order of some sums differs.
      expect(maxAbsDiff(new UnrolledKernel(kind, c).train(0.2, 1).params, ref)).toBeLessThan(1e-12);
    }
  });
});

describe("CPU engine", () => {
  it("trains every level × model across workers, identical to the kernel run alone, and names its kernel", async () => {
    const c = small();
    const engine = createCpuEngine({ threads: 2 });
    const levels: TrainedLevel[] = [];
    const progress: Progress[] = [];
    try {
      await engine.train({ kind: "relu-hidden", config: c, densities: [0.5, 0.05], onLevel: (l) => void levels.push(l), onProgress: (p) => void progress.push(p) });
    } finally {
      await engine.close();
    }
    expect(engine.kernel("relu-hidden", c)).toEqual({ name: "simd" });
    expect(levels.map((l) => l.density).sort()).toEqual([0.05, 0.5]);
    const kernel = new SimdKernel("relu-hidden", c);
    for (const level of levels) {
      expect(level.params).toHaveLength(3);
      for (let model = 0; model < 3; model++) {
        const alone = kernel.train(level.density, model).params;
        expect(Array.from(level.params[model])).toEqual(Array.from(alone));
        expect(level.evalLosses[model]).toBe(kernel.evalLoss(level.density, alone));
      }
    }
    const done = progress.map((p) => p.modelStepsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(2 * 3 * c.steps);
  });

  it("runs the kernel it is asked for: the reference, or a benchmark's module", async () => {
    const c = small({ steps: 5, modelsPerLevel: 2 });
    for (const [options, want] of [
      [{ kernel: "reference" as const }, (model: number) => new ReferenceKernel("relu-hidden", c).train(0.3, model).params],
      [{ kernelModule: { url: new URL("../scripts/bench/js-kernel.ts", import.meta.url).href, name: "js" } }, (model: number) => new UnrolledKernel("relu-hidden", c).train(0.3, model).params],
    ] as const) {
      const engine = createCpuEngine({ threads: 1, ...options });
      let level: TrainedLevel | undefined;
      try {
        await engine.train({ kind: "relu-hidden", config: c, densities: [0.3], onLevel: (l) => void (level = l) });
      } finally {
        await engine.close();
      }
      expect(engine.kernel("relu-hidden", c).name).toBe("kernel" in options ? "reference" : "js");
      for (let model = 0; model < 2; model++) expect(Array.from(level!.params[model])).toEqual(Array.from(want(model)));
    }
  });

  it("recovers the known answer at density 1: the five most important features get a neuron each", async () => {
    // A small config that converges in a second: batch 128, 10,000 steps, lr 3e-3, best of 4.
    const c = defaultConfig({ batchSize: 128, steps: 10_000, modelsPerLevel: 4, evalSamples: 8192, optimizer: { ...defaultConfig().optimizer, lr: 3e-3 } });
    const engine = createCpuEngine({ threads: 2 });
    let level: TrainedLevel | undefined;
    try {
      await engine.train({ kind: "relu-hidden", config: c, densities: [1], onLevel: (l) => void (level = l) });
    } finally {
      await engine.close();
    }
    const best = level!.params[level!.evalLosses.indexOf(Math.min(...level!.evalLosses))];
    const W = Array.from({ length: 5 }, (_, j) => Array.from(best.subarray(j * 10, (j + 1) * 10)));
    const owners = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const col = W.map((row) => row[i]);
      const j = col.indexOf(Math.max(...col));
      owners.add(j);
      expect(W[j][i]).toBeGreaterThan(0.8);
      // Neuron j is monosemantic: every other weight is small next to feature i's.
      for (let k = 0; k < 10; k++) if (k !== i) expect(Math.abs(W[j][k])).toBeLessThan(0.15 * W[j][i]);
    }
    expect(owners.size).toBe(5);
    for (let i = 5; i < 10; i++) expect(Math.hypot(...W.map((row) => row[i]))).toBeLessThan(0.15);
  });

  it("keeps training while a finished level's onLevel is still running, and ends only when every onLevel has settled", async () => {
    const c = small({ modelsPerLevel: 2 });
    const engine = createCpuEngine({ threads: 1 });
    const events: string[] = [];
    try {
      await engine.train({
        kind: "relu-hidden", config: c, densities: [0.5, 0.05],
        onLevel: async (l) => {
          events.push(`start ${l.density}`);
          await new Promise((r) => setTimeout(r, l.density === 0.5 ? 400 : 10));
          events.push(`end ${l.density}`);
        },
      });
    } finally {
      await engine.close();
    }
    // The second level was trained (and handed over) while the first one's onLevel was still waiting.
    expect(events).toEqual(["start 0.5", "start 0.05", "end 0.05", "end 0.5"]);
    // A failing onLevel fails the run.
    const failing = createCpuEngine({ threads: 1 });
    try {
      await expect(failing.train({ kind: "relu-hidden", config: c, densities: [0.5], onLevel: async () => Promise.reject(new Error("no disk")) })).rejects.toThrow("no disk");
    } finally {
      await failing.close();
    }
  });

  it("stops when aborted and leaves no workers behind", async () => {
    const c = small({ steps: 200_000, modelsPerLevel: 2 });
    const engine = createCpuEngine({ threads: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop!")), 200);
    const t0 = performance.now();
    await expect(engine.train({ kind: "relu-hidden", config: c, densities: [0.1], onLevel: () => {}, signal: controller.signal })).rejects.toThrow("stop!");
    expect(performance.now() - t0).toBeLessThan(5000);
    await engine.close();
  });
});
