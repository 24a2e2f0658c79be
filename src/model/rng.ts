// Counter-based random streams shared by every engine (CPU here, WGSL on the GPU, a browser later).
//
// Every random number is a pure function of (seed, level, model, purpose, step, sample, feature), so any
// engine can draw any part of the stream in any order and get the same bits. The mixer is pcg4d
// (Jarzynski & Olano, "Hash Functions for GPU Rendering", JCGT 2020): 4×u32 in, 4×u32 out, built only
// from 32-bit multiply, add, xor and shift, which JS (Math.imul) and WGSL (u32 wrap-around) agree on
// bit for bit. src/train/webgpu/*.wgsl carries the same function; test/rng.test.ts pins its output.

/** Reusable output buffer for pcg4d (avoids allocating in hot loops). */
export const pcgOut = new Uint32Array(4);

export function pcg4d(x: number, y: number, z: number, w: number, out: Uint32Array = pcgOut): Uint32Array {
  x = (Math.imul(x, 1664525) + 1013904223) | 0;
  y = (Math.imul(y, 1664525) + 1013904223) | 0;
  z = (Math.imul(z, 1664525) + 1013904223) | 0;
  w = (Math.imul(w, 1664525) + 1013904223) | 0;
  x = (x + Math.imul(y, w)) | 0;
  y = (y + Math.imul(z, x)) | 0;
  z = (z + Math.imul(x, y)) | 0;
  w = (w + Math.imul(y, z)) | 0;
  x ^= x >>> 16;
  y ^= y >>> 16;
  z ^= z >>> 16;
  w ^= w >>> 16;
  x = (x + Math.imul(y, w)) | 0;
  y = (y + Math.imul(z, x)) | 0;
  z = (z + Math.imul(x, y)) | 0;
  w = (w + Math.imul(y, z)) | 0;
  out[0] = x;
  out[1] = y;
  out[2] = z;
  out[3] = w;
  return out;
}

/** What a stream is for; part of its key so streams never overlap. `select`: the stage-2 sample that
 *  picks each level's winner (src/train/selection.ts); `continue`: the training data of the continuation
 *  diagnostic (src/train/diagnostics.ts). */
export const Purpose = { init: 1, train: 2, eval: 3, select: 4, continue: 5 } as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** Model index used for streams shared by all models of a level (the held-out sample). */
export const SHARED_MODEL = 0xffffffff;

/** A 64-bit stream key (two u32 words). */
export interface StreamKey {
  k0: number;
  k1: number;
}

/**
 * Identifies a density level inside the random streams by its value (in millionths), not its position
 * in the run's level list, so training `--levels 0.1` alone draws the same data as a full sweep.
 */
export function levelId(density: number): number {
  return Math.round(density * 1e6) >>> 0;
}

export function streamKey(seed: number, density: number, model: number, purpose: Purpose): StreamKey {
  const a = pcg4d(seed >>> 0, levelId(density), model >>> 0, 0x5eed0000 | purpose, new Uint32Array(4));
  // A second round so the two key words are not simple functions of one another.
  const b = pcg4d(a[0], a[1], a[2], a[3], new Uint32Array(4));
  return { k0: b[0] >>> 0, k1: b[1] >>> 0 };
}

/** u32 → [0, 1) with 24 bits, exact in float32. */
export const U24 = 1 / 16777216;
export function unitFloat(u: number): number {
  return (u >>> 8) * U24;
}

/**
 * Feature i is present when its presence word p satisfies p <= threshold: an integer comparison, so
 * every engine makes the same decision. P(present) = (threshold + 1) / 2^32 = density (to 2^-32).
 */
export function presenceThreshold(density: number): number {
  return Math.max(0, Math.min(0xffffffff, Math.floor(density * 4294967296) - 1));
}

/**
 * Draws one data point x (length n) of stream `key` at counter (step, sample): feature i is 0 with
 * probability 1 − density, else uniform on [0, 1). Features come in pairs: one pcg4d call at
 * (k0, step, sample, k1 ^ pair) gives presence and value words for features 2·pair and 2·pair + 1.
 */
export function drawSample(key: StreamKey, step: number, sample: number, threshold: number, x: Float64Array): void {
  const n = x.length;
  for (let pair = 0; 2 * pair < n; pair++) {
    const r = pcg4d(key.k0, step, sample, key.k1 ^ pair);
    const i = 2 * pair;
    x[i] = r[0] >>> 0 <= threshold ? (r[1] >>> 8) * U24 : 0;
    if (i + 1 < n) x[i + 1] = r[2] >>> 0 <= threshold ? (r[3] >>> 8) * U24 : 0;
  }
}

/**
 * Xavier-normal initial W (m×n, row-major), rounded to float32 so float32 engines start from exactly
 * the same weights. Box–Muller on two 24-bit uniforms from pcg4d(k0, index, 0, k1).
 */
export function initialWeights(seed: number, density: number, model: number, m: number, n: number, std: number): Float64Array {
  const key = streamKey(seed, density, model, Purpose.init);
  const W = new Float64Array(m * n);
  for (let p = 0; p < m * n; p++) {
    const r = pcg4d(key.k0, p, 0, key.k1);
    const u1 = ((r[0] >>> 8) + 1) * U24; // (0, 1]: log is finite
    const u2 = (r[1] >>> 8) * U24;
    W[p] = Math.fround(std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  }
  return W;
}
