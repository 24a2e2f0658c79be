// The CPU engine's kernels against the plain reference trainer, and the engine's worker pool.
import { describe, expect, it } from "vitest";
import { defaultConfig, type ModelKind, type TrainConfig } from "../src/model/config.ts";
import { referenceEvalLoss, referenceTrain } from "../src/train/reference.ts";
import { FusedKernel } from "../src/train/cpu-kernel.ts";
import { UnrolledKernel, createCpuKernel } from "../src/train/cpu-codegen.ts";
import { createCpuEngine } from "../src/train/cpu-engine.ts";
import type { Progress, TrainedLevel } from "../src/train/engine.ts";

const small = (o: Partial<TrainConfig> = {}) => defaultConfig({ batchSize: 64, steps: 40, evalSamples: 4096, modelsPerLevel: 3, ...o });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe.each(["relu-hidden", "linear-hidden"] as ModelKind[])("%s kernels", (kind) => {
  for (const density of [1, 0.2, 0.03]) {
    it(`match the reference trainer at density ${density}`, () => {
      const c = small();
      const ref = referenceTrain(kind, c, density, 1);
      const fused = new FusedKernel(kind, c).train(density, 1).params;
      const unrolled = new UnrolledKernel(kind, c).train(density, 1).params;
      // Same float64 arithmetic, only summation order may differ: agreement to rounding.
      expect(maxAbsDiff(fused, ref)).toBeLessThan(1e-12);
      // The generated kernel performs the array kernel's sums in the same order: bit-identical.
      expect(Array.from(unrolled)).toEqual(Array.from(fused));
      // Training moved the weights away from the initialisation.
      expect(maxAbsDiff(ref, referenceTrain(kind, c, density, 1, 0))).toBeGreaterThan(1e-3);
      const refLoss = referenceEvalLoss(kind, c, density, ref);
      expect(new FusedKernel(kind, c).evalLoss(density, fused)).toBeCloseTo(refLoss, 14);
      expect(new UnrolledKernel(kind, c).evalLoss(density, unrolled)).toBeCloseTo(refLoss, 14);
    });
  }
});

describe("shapes", () => {
  it("odd shapes (n = 7, m = 3) work in both kernels", () => {
    const c = small({ features: 7, neurons: 3, importance: Array.from({ length: 7 }, (_, i) => 0.8 ** i) });
    const ref = referenceTrain("relu-hidden", c, 0.3, 0);
    expect(maxAbsDiff(new UnrolledKernel("relu-hidden", c).train(0.3, 0).params, ref)).toBeLessThan(1e-12);
  });

  it("falls back to the array kernel for shapes too large to unroll", () => {
    const c = small({ features: 64, neurons: 16, importance: new Array(64).fill(1) });
    expect(createCpuKernel("relu-hidden", c)).toBeInstanceOf(FusedKernel);
    expect(createCpuKernel("relu-hidden", small())).toBeInstanceOf(UnrolledKernel);
  });
});

describe("CPU engine", () => {
  it("trains every level × model across workers, identical to the kernel run alone", async () => {
    const c = small();
    const engine = createCpuEngine({ threads: 2 });
    const levels: TrainedLevel[] = [];
    const progress: Progress[] = [];
    try {
      await engine.train({ kind: "relu-hidden", config: c, densities: [0.5, 0.05], onLevel: (l) => void levels.push(l), onProgress: (p) => void progress.push(p) });
    } finally {
      await engine.close();
    }
    expect(levels.map((l) => l.density).sort()).toEqual([0.05, 0.5]);
    const kernel = new UnrolledKernel("relu-hidden", c);
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
