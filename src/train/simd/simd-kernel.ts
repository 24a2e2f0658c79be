// The CPU engine's kernel around the generated WebAssembly SIMD pass (simd-codegen.ts): the float64
// parameters and AdamW state live here in JS; before each step the parameters are rounded to float32
// into the module's memory, the module runs the batch and leaves the gradient sums (float64) in memory,
// and adamw.ts updates them in float64 (the plain trainer's own step). Works in Node's worker_threads and
// in a browser's Web Worker alike (only WebAssembly and typed arrays).

import type { ModelKind, TrainConfig } from "../../model/config.ts";
import { Purpose, SHARED_MODEL, presenceThreshold, streamKey, type StreamKey } from "../../model/rng.ts";
import { initialParams } from "../reference.ts";
import { adamwStep } from "../adamw.ts";
import { PROGRESS_EVERY, type CpuKernel, type TrainedModel } from "../kernel.ts";
import { DRAW_SAMPLES, LANES, MAX_SIMD_WEIGHTS, SAMPLE_BLOCK, simdLayout, simdModule, simdVariant, type SimdVariant } from "./simd-codegen.ts";

type Pass = (step: number, start: number, B: number, k0: number, k1: number, threshold: number) => number;

/** Whether this platform runs WebAssembly SIMD (Node ≥ 16.4, every current browser). */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(simdModule("relu-hidden", 1, 1));
  } catch {
    return false;
  }
}

/** Whether the SIMD kernel handles this shape (larger ones would make the generated code too large). */
export function simdShapeSupported(config: Pick<TrainConfig, "neurons" | "features">): boolean {
  return config.neurons * config.features <= MAX_SIMD_WEIGHTS;
}

// Compiled modules, per kind and shape: compiling is the slow part (TurboFan on ~15 KB of wasm for
// 5×10), instances are cheap.
const modules = new Map<string, WebAssembly.Module>();

export class SimdKernel implements CpuKernel {
  private readonly config: TrainConfig;
  private readonly passes: Record<"train" | "evaluate" | "samples" | "draw", Record<SimdVariant, Pass>>;
  private readonly draws: Float32Array;
  private readonly samples: Float32Array;
  private readonly sumSquares: Float64Array;
  /** Tests and benchmarks: always this variant (default: per density, simdVariant). */
  private readonly variant?: SimdVariant;
  private readonly params32: Float32Array;
  private readonly grad: Float64Array;
  private readonly coef: Float32Array;

  constructor(kind: ModelKind, config: TrainConfig, options: { variant?: SimdVariant } = {}) {
    const { neurons: m, features: n } = config;
    const id = `${kind}:${m}x${n}`;
    let module = modules.get(id);
    if (!module) modules.set(id, (module = new WebAssembly.Module(simdModule(kind, m, n))));
    const instance = new WebAssembly.Instance(module);
    const exp = instance.exports as Record<string, Pass> & { memory: WebAssembly.Memory };
    this.passes = {
      train: { sparse: exp.train_sparse, dense: exp.train_dense },
      evaluate: { sparse: exp.evaluate_sparse, dense: exp.evaluate_dense },
      samples: { sparse: exp.samples_sparse, dense: exp.samples_dense },
      draw: { sparse: exp.draw_sparse, dense: exp.draw_dense },
    };
    this.variant = options.variant;
    const L = simdLayout(m, n), buf = exp.memory.buffer, P = m * n + n;
    this.params32 = new Float32Array(buf, L.params, P);
    this.grad = new Float64Array(buf, L.grad, P);
    this.coef = new Float32Array(buf, L.coef, n);
    this.draws = new Float32Array(buf, L.draws, DRAW_SAMPLES * n);
    this.samples = new Float32Array(buf, L.samples, SAMPLE_BLOCK);
    this.sumSquares = new Float64Array(buf, L.sumSquares, 1);
    new Float32Array(buf, L.importance, n).set(config.importance);
    this.config = config;
  }

  /** ∂L/∂x'_i = coef_i · (x'_i − x_i) with coef_i = 2·I_i/(B·n): the mean over a batch of B. */
  private setBatch(B: number): void {
    const n = this.config.features;
    for (let i = 0; i < n; i++) this.coef[i] = (2 * this.config.importance[i]) / (B * n);
  }

  train(density: number, model: number, steps = this.config.steps, onProgress?: (stepsDone: number) => void): TrainedModel {
    const c = this.config;
    return this.trainFrom(initialParams(c, density, model), density, streamKey(c.seed, density, model, Purpose.train), steps, onProgress);
  }

  /**
   * Trains from the parameters `start` (copied) on the training stream `key` at `density`, with fresh
   * AdamW moments: train() from the seeded initialisation, and the continuation diagnostic
   * (src/train/diagnostics.ts) from another level's winner.
   */
  trainFrom(start: ArrayLike<number>, density: number, key: StreamKey, steps = this.config.steps, onProgress?: (stepsDone: number) => void): TrainedModel {
    return this.trainSnapshots(start, density, key, [steps], onProgress);
  }

  /**
   * trainFrom for the largest of `at` (ascending step counts), returning also the parameters after each
   * of them in `snapshots`: the convergence diagnostic reads a model at 10k, 20k and 40k steps from one
   * run, which equals three runs because the learning rate is constant and the stream is counted by step.
   */
  trainSnapshots(start: ArrayLike<number>, density: number, key: StreamKey, at: readonly number[], onProgress?: (stepsDone: number) => void): TrainedModel & { snapshots: Float64Array[] } {
    if (at.length === 0 || at.some((s, k) => !Number.isInteger(s) || s < 0 || (k > 0 && s <= at[k - 1]))) throw new Error(`trainSnapshots: step counts must be ascending non-negative integers, got ${at.join(", ")}`);
    const steps = at[at.length - 1];
    const snapshots: Float64Array[] = [];
    const c = this.config, B = c.batchSize;
    const P = Float64Array.from(start);
    const size = P.length;
    const mom = new Float64Array(size), vel = new Float64Array(size);
    const k0 = key.k0 | 0, k1 = key.k1 | 0, threshold = presenceThreshold(density) | 0;
    const p32 = this.params32, g = this.grad;
    this.setBatch(B);
    const pass = this.passes.train[this.variant ?? simdVariant(density)];
    let err = 0, next = 0;
    for (let t = 0; t <= steps; t++) {
      while (next < at.length && at[next] === t) snapshots.push(Float64Array.from(P)), next++;
      if (t === steps) break;
      p32.set(P);
      err = pass(t, 0, B, k0, k1, threshold);
      adamwStep(P, g, mom, vel, t + 1, c.optimizer);
      if (onProgress && ((t + 1) % PROGRESS_EVERY === 0 || t + 1 === steps)) onProgress(t + 1);
    }
    return { params: P, finalTrainLoss: err / (B * c.features), snapshots };
  }

  evalLoss(density: number, params: Float64Array): number {
    const c = this.config;
    const key = streamKey(c.seed, density, SHARED_MODEL, Purpose.eval);
    return this.evaluate(params, density, key, 0, c.evalSamples).sum / (c.evalSamples * c.features);
  }

  /**
   * Σ and Σ² over `count` samples of the per-sample loss Σ_i I_i (x_i − x'_i)² of `params`, on the data of
   * stream `key` at batch `step` (samples start … start + count − 1) and density `density`: the loss's mean is
   * sum / (count·n), its standard error √((Σ² − sum²/count) / (count − 1) / count) / n.
   */
  evaluate(params: ArrayLike<number>, density: number, key: StreamKey, step: number, count: number, start = 0): { sum: number; sumSquares: number } {
    this.params32.set(params);
    const sum = this.passes.evaluate[this.variant ?? simdVariant(density)](step, start, count, key.k0 | 0, key.k1 | 0, presenceThreshold(density) | 0);
    return { sum, sumSquares: this.sumSquares[0] };
  }

  /** Each sample's loss (as `evaluate` sums them), for samples start … start + count − 1 of batch `step`;
   *  count ≤ SAMPLE_BLOCK. The returned array is overwritten by the next call. */
  sampleLosses(params: ArrayLike<number>, density: number, key: StreamKey, step: number, count: number, start = 0): Float32Array {
    if (count > SAMPLE_BLOCK) throw new Error(`sampleLosses: at most ${SAMPLE_BLOCK} samples`);
    this.params32.set(params);
    this.passes.samples[this.variant ?? simdVariant(density)](step, start, count, key.k0 | 0, key.k1 | 0, presenceThreshold(density) | 0);
    return this.samples.subarray(0, count);
  }

  /**
   * The x of samples 0 … count−1 of batch `step` of the stream (k0, k1), as the kernel draws them
   * (tests compare them with rng.ts's drawSample). count ≤ DRAW_SAMPLES.
   */
  draw(step: number, count: number, k0: number, k1: number, threshold: number, variant: SimdVariant): Float64Array[] {
    if (count > DRAW_SAMPLES) throw new Error(`draw: at most ${DRAW_SAMPLES} samples`);
    const n = this.config.features;
    this.passes.draw[variant](step, 0, count, k0 | 0, k1 | 0, threshold | 0);
    return Array.from({ length: count }, (_, s) => Float64Array.from({ length: n }, (_, i) => this.draws[Math.floor(s / LANES) * LANES * n + LANES * i + (s % LANES)]));
  }
}
