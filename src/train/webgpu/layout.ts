// Host-side mirrors of the WGSL structs (field for field, same order, same types) and the sizing of a
// run: workgroup size, workgroup memory, per-model state stride, dispatch groups. Pure functions, so
// they are testable without a GPU.

import type { TrainConfig } from "../../model/config.ts";

/** Floats per model in the state buffer: W, b, AdamW m, AdamW v, padded to 256 bytes. */
export function stateSpan(m: number, n: number): number {
  const P = m * n + n;
  return Math.ceil((3 * P) / 64) * 64;
}

/** Mirrors `struct Run` in common.wgsl (48 bytes, a uniform). */
export interface RunUniform {
  /** B: samples per step. */
  batch: number;
  /** Held-out samples per level. */
  evalSamples: number;
  /** First step t (0-based) of this chunk. */
  stepBegin: number;
  /** Steps in this chunk. */
  stepCount: number;
  /** Learning rate. */
  lr: number;
  /** β1. */
  beta1: number;
  /** β2. */
  beta2: number;
  /** ε. */
  eps: number;
  /** lr · weightDecay: decoupled decay p ← p − p·lrwd. */
  lrwd: number;
  /** 1 − β1, computed in f64 and rounded once. */
  oneMinusBeta1: number;
  /** 1 − β2. */
  oneMinusBeta2: number;
  // _pad0: u32 (padding to 48 bytes)
}
export const RUN_UNIFORM_BYTES = 48;
/** `struct Run`'s fields in order, with their WGSL types (one 4-byte word each); test/webgpu.test.ts
 *  checks them against common.wgsl and encodeRun. */
export const RUN_FIELDS = [
  ["batch", "u32"], ["evalSamples", "u32"], ["stepBegin", "u32"], ["stepCount", "u32"], ["lr", "f32"], ["beta1", "f32"],
  ["beta2", "f32"], ["eps", "f32"], ["lrwd", "f32"], ["oneMinusBeta1", "f32"], ["oneMinusBeta2", "f32"], ["_pad0", "u32"],
] as const;

export function encodeRun(r: RunUniform): ArrayBuffer {
  const buf = new ArrayBuffer(RUN_UNIFORM_BYTES);
  const u = new Uint32Array(buf), f = new Float32Array(buf);
  u[0] = r.batch;
  u[1] = r.evalSamples;
  u[2] = r.stepBegin;
  u[3] = r.stepCount;
  f[4] = r.lr;
  f[5] = r.beta1;
  f[6] = r.beta2;
  f[7] = r.eps;
  f[8] = r.lrwd;
  f[9] = r.oneMinusBeta1;
  f[10] = r.oneMinusBeta2;
  u[11] = 0; // _pad0
  return buf;
}

export function runUniform(config: TrainConfig, stepBegin: number, stepCount: number): RunUniform {
  const o = config.optimizer;
  return {
    batch: config.batchSize, evalSamples: config.evalSamples, stepBegin, stepCount,
    lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps,
    lrwd: o.lr * o.weightDecay, oneMinusBeta1: 1 - o.beta1, oneMinusBeta2: 1 - o.beta2,
  };
}

/** Mirrors `struct Model` in common.wgsl (32 bytes, an element of a storage array). */
export interface ModelRecord {
  /** streamKey(seed, density, model, Purpose.train).k0 */
  trainK0: number;
  /** … .k1 */
  trainK1: number;
  /** streamKey(seed, density, SHARED_MODEL, Purpose.eval).k0 */
  evalK0: number;
  /** … .k1 */
  evalK1: number;
  /** presenceThreshold(density) */
  threshold: number;
  // _pad0, _pad1, _pad2: u32
}
export const MODEL_RECORD_WORDS = 8;
/** `struct Model`'s fields in order (all u32), checked against common.wgsl and encodeModels. */
export const MODEL_FIELDS = ["trainK0", "trainK1", "evalK0", "evalK1", "threshold", "_pad0", "_pad1", "_pad2"] as const;

export function encodeModels(records: ModelRecord[]): Uint32Array {
  const u = new Uint32Array(records.length * MODEL_RECORD_WORDS);
  records.forEach((r, k) => {
    const o = k * MODEL_RECORD_WORDS;
    u[o] = r.trainK0;
    u[o + 1] = r.trainK1;
    u[o + 2] = r.evalK0;
    u[o + 3] = r.evalK1;
    u[o + 4] = r.threshold;
  });
  return u;
}

/** Mirrors `struct DebugDraw` in rng-debug.wgsl (32 bytes, a uniform). */
export interface DebugDrawParams {
  /** Stream key, first word. */
  k0: number;
  /** Stream key, second word. */
  k1: number;
  /** Step counter t. */
  step: number;
  /** Presence threshold. */
  threshold: number;
  /** n: features per sample. */
  features: number;
  /** Samples to draw. */
  samples: number;
  // _pad0, _pad1: u32
}
export const DEBUG_DRAW_BYTES = 32;
/** `struct DebugDraw`'s fields in order (all u32), checked against rng-debug.wgsl and encodeDebugDraw. */
export const DEBUG_DRAW_FIELDS = ["k0", "k1", "step", "threshold", "features", "samples", "_pad0", "_pad1"] as const;

export function encodeDebugDraw(p: DebugDrawParams): Uint32Array {
  return Uint32Array.of(p.k0, p.k1, p.step, p.threshold, p.features, p.samples, 0, 0);
}

/** The subset of GPUSupportedLimits the engine sizes itself by. */
export interface KernelLimits {
  maxComputeWorkgroupSizeX: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/**
 * The two training kernels (README.md, "Kernels"):
 * - `private`: each thread keeps the parameters, its sample and its gradient sums in registers
 *   (train-private.wgsl); made for small models, where it is 10× faster on an H100 (BENCHMARKS.md);
 * - `workgroup`: per-sample vectors in workgroup memory (train-workgroup.wgsl); registers do not grow
 *   with the model, so it serves models too large for registers.
 */
export type KernelName = "private" | "workgroup";
export const KERNEL_NAMES: readonly KernelName[] = ["private", "workgroup"];

/** Parameters per model up to which the default is the private kernel (each thread holds 2·P floats in
 *  registers; beyond this they would spill to slow thread-local memory). */
export const PRIVATE_KERNEL_MAX_PARAMS = 128;

export function defaultKernel(m: number, n: number): KernelName {
  return m * n + n <= PRIVATE_KERNEL_MAX_PARAMS ? "private" : "workgroup";
}

/** Default threads per workgroup of each kernel. On an H100 (BENCHMARKS.md) the private kernel ran as fast
 *  with 32 threads as with 64 and slower with 128; the workgroup kernel was fastest with 128. */
export const DEFAULT_WORKGROUP_SIZE: Record<KernelName, number> = { private: 64, workgroup: 128 };

/** Bytes of workgroup memory the larger of the kernel's two entry points (train, evaluate) uses. */
export function workgroupBytes(kernel: KernelName, m: number, n: number, wg: number): number {
  const P = m * n + n;
  if (kernel === "private") {
    // sw, coefs (vec2), then train's partial sums (P rows of stride wg + 1) or evaluate's red
    return 4 * (P + 2 * n + Math.max(P * (wg + 1), wg));
  }
  const G = Math.max(1, Math.floor(wg / P));
  const ST = wg + 1;
  // w, gacc, coefs (vec2), xs, ds, hs, es, red
  return 4 * (P + P * G + 2 * n + 2 * n * ST + 2 * m * ST + wg);
}

export interface KernelPlan {
  kernel: KernelName;
  /** Threads per workgroup (a power of two). */
  workgroupSize: number;
  /** Why workgroupSize is below the preferred size, when it is: the limit that set it. */
  limitedBy?: string;
  /** Workgroup memory the kernels use, bytes. */
  workgroupBytes: number;
  /** Floats per model in the state buffer. */
  span: number;
  /** Most models one dispatch (and one state buffer) may hold. */
  maxModelsPerDispatch: number;
}

/**
 * Picks the workgroup size: the largest power of two <= `preferred` that the adapter allows, that is not
 * much larger than the batch, and whose workgroup memory fits. Throws a one-line error when even one
 * thread's worth does not fit (the model is too large for this kernel design).
 */
export function planKernel(
  kernel: KernelName, m: number, n: number, batch: number, limits: KernelLimits,
  preferred = DEFAULT_WORKGROUP_SIZE[kernel], maxModelsPerDispatch = Infinity,
): KernelPlan {
  const threads = Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
  const batchCap = 2 ** Math.ceil(Math.log2(Math.max(1, batch)));
  const cap = Math.min(preferred, threads, batchCap);
  let wg = 2 ** Math.floor(Math.log2(Math.max(1, cap)));
  const fitted = wg;
  while (wg > 1 && workgroupBytes(kernel, m, n, wg) > limits.maxComputeWorkgroupStorageSize) wg /= 2;
  const bytes = workgroupBytes(kernel, m, n, wg);
  if (bytes > limits.maxComputeWorkgroupStorageSize) {
    throw new Error(`webgpu: a ${m}×${n} model needs ${bytes} bytes of workgroup memory in the ${kernel} kernel, the adapter allows ${limits.maxComputeWorkgroupStorageSize}`);
  }
  let limitedBy: string | undefined;
  if (wg < fitted) limitedBy = `the ${kernel} kernel's workgroup memory must fit the adapter's maxComputeWorkgroupStorageSize (${limits.maxComputeWorkgroupStorageSize} bytes)`;
  else if (wg < preferred && cap === threads) {
    const name = limits.maxComputeInvocationsPerWorkgroup <= limits.maxComputeWorkgroupSizeX ? "maxComputeInvocationsPerWorkgroup" : "maxComputeWorkgroupSizeX";
    limitedBy = `the adapter's ${name} is ${threads}`;
  } else if (wg < preferred && cap === batchCap) limitedBy = `a batch of ${batch} samples needs no more`;
  const span = stateSpan(m, n);
  const byBuffer = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / (span * 4));
  const perDispatch = Math.max(1, Math.min(limits.maxComputeWorkgroupsPerDimension, byBuffer, maxModelsPerDispatch));
  return { kernel, workgroupSize: wg, ...(limitedBy && { limitedBy }), workgroupBytes: bytes, span, maxModelsPerDispatch: perDispatch };
}

/**
 * Splits levels (each `modelsPerLevel` models) into waves of consecutive levels: about
 * ceil(total / target) waves with levels spread evenly, so each wave keeps the GPU busy while finished
 * levels reach onLevel early. A level larger than the target is a wave of its own.
 */
export function planWaves(levels: number, modelsPerLevel: number, targetModels: number): number[][] {
  if (levels === 0) return [];
  const perWaveMax = Math.max(1, Math.floor(targetModels / modelsPerLevel));
  const waves = Math.ceil(levels / perWaveMax);
  const per = Math.ceil(levels / waves);
  const out: number[][] = [];
  for (let l = 0; l < levels; l += per) out.push(Array.from({ length: Math.min(per, levels - l) }, (_, k) => l + k));
  return out;
}
