// What a CPU kernel provides: one model trained from its seeded initialisation, and its held-out loss.
// The kernels (simd/simd-kernel.ts, the reference in cpu-kernel.ts, the benchmark's js-kernel.ts) and
// the workers that run them (cpu-worker.ts in Node, simd/browser-worker.ts in a page) share it.

export interface TrainedModel {
  /** W (m×n, row-major) then b (n). */
  params: Float64Array;
  /** Mean training loss over the last step's batch. */
  finalTrainLoss: number;
}

export interface CpuKernel {
  /** Trains model `model` of level `density` from its seeded init; onProgress gets steps done so far. */
  train(density: number, model: number, steps?: number, onProgress?: (stepsDone: number) => void): TrainedModel;
  /** Mean loss of `params` on the level's held-out sample (the same for every model of the level). */
  evalLoss(density: number, params: Float64Array): number;
}

/** Steps between progress callbacks. */
export const PROGRESS_EVERY = 250;
