// What every training engine (cpu, webgpu) provides. An engine trains K models per density level from
// the shared seeded streams (src/model/rng.ts) and evaluates each on the level's held-out sample; picking
// the best, checkpointing and writing files is engine-independent (src/train/best-of-k.ts).

import type { ModelKind, TrainConfig } from "../model/config.ts";

export const ENGINE_NAMES = ["cpu", "webgpu"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface TrainedLevel {
  density: number;
  /** Per model, index = model number within the level: W (m×n, row-major) then b (n). */
  params: Float64Array[];
  /** Per model: mean loss on the level's held-out sample (NaN if the model diverged). */
  evalLosses: Float64Array;
  /** Wall-clock seconds for this level (for engines that run levels together: its share). */
  seconds: number;
}

export interface Progress {
  /** Index into the densities being trained in this call. */
  levelIndex: number;
  density: number;
  /** Model-steps finished of this call's total (models × steps over all its levels). */
  modelStepsDone: number;
  modelStepsTotal: number;
  modelsDone: number;
}

export interface TrainRequest {
  kind: ModelKind;
  config: TrainConfig;
  densities: number[];
  /** Called once per finished level, in any order; awaited before the engine moves on. */
  onLevel: (level: TrainedLevel) => void | Promise<void>;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** The kernel an engine trains a config with, and for GPU kernels the workgroup size: the bits of the
 *  trained weights depend on them (float32 or float64, the order of the gradient sums), so data files
 *  record them. */
export interface RunKernel {
  name: string;
  workgroupSize?: number;
}

export interface Engine {
  readonly name: EngineName;
  /** Human-readable device, e.g. "AMD EPYC 7B13 × 2 threads" or the GPU adapter. */
  readonly device: string;
  /** The kernel that `train` uses for this model kind and config. */
  kernel(kind: ModelKind, config: TrainConfig): RunKernel;
  /** GPU engines: GPU time of all work so far, seconds, from timestamp queries (NaN without them). */
  gpuSeconds?(): number;
  train(request: TrainRequest): Promise<void>;
  /** Releases workers or the GPU device so the process can exit. */
  close(): Promise<void>;
}
