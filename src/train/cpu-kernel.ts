// The CPU engine's kernels: the WebAssembly SIMD kernel (src/train/simd/), and for shapes too large to
// generate or a platform without WebAssembly SIMD, the plain reference trainer. A kernel trains one model
// and evaluates it; the engine (cpu-engine.ts) spreads models over worker threads.

import type { ModelKind, TrainConfig } from "../model/config.ts";
import { evalBatch, referenceEvalLoss, referenceTrain } from "./reference.ts";
import type { CpuKernel, TrainedModel } from "./kernel.ts";
import { SimdKernel, simdShapeSupported, simdSupported } from "./simd/simd-kernel.ts";

export const CPU_KERNEL_NAMES = ["simd", "reference"] as const;
export type CpuKernelName = (typeof CPU_KERNEL_NAMES)[number];

/**
 * The kernel a CPU run uses: `simd` (float32 in WebAssembly SIMD lanes, AdamW in float64) wherever the
 * platform runs WebAssembly SIMD and the shape has at most MAX_SIMD_WEIGHTS weights; else `reference`
 * (float64, the plain trainer: correct, some 50× slower). The weights' bits depend on it, so data files
 * record it. Asking for `simd` where it cannot run is an error, not a silent fallback.
 */
export function cpuKernelName(config: Pick<TrainConfig, "neurons" | "features">, asked?: CpuKernelName): CpuKernelName {
  if (asked === "reference") return "reference";
  const why = !simdSupported() ? "this platform has no WebAssembly SIMD" : !simdShapeSupported(config) ? `${config.neurons}×${config.features} is too large to generate` : undefined;
  if (why && asked === "simd") throw new Error(`the simd kernel cannot run: ${why}`);
  return why ? "reference" : "simd";
}

/** The plain reference trainer as a kernel (for shapes or platforms the SIMD kernel does not cover). */
export class ReferenceKernel implements CpuKernel {
  private readonly kind: ModelKind;
  private readonly config: TrainConfig;
  private readonly evalSets = new Map<number, Float64Array[]>();
  constructor(kind: ModelKind, config: TrainConfig) {
    this.kind = kind;
    this.config = config;
  }
  /** Progress is reported once, at the end (the reference trainer runs all its steps in one call). */
  train(density: number, model: number, steps = this.config.steps, onProgress?: (stepsDone: number) => void): TrainedModel {
    const params = referenceTrain(this.kind, this.config, density, model, steps);
    onProgress?.(steps);
    return { params, finalTrainLoss: NaN };
  }
  evalLoss(density: number, params: Float64Array): number {
    let X = this.evalSets.get(density);
    if (!X) this.evalSets.set(density, (X = evalBatch(this.config, density)));
    return referenceEvalLoss(this.kind, this.config, density, params, X);
  }
}

export function createCpuKernel(kind: ModelKind, config: TrainConfig, name = cpuKernelName(config)): CpuKernel {
  return name === "simd" ? new SimdKernel(kind, config) : new ReferenceKernel(kind, config);
}
