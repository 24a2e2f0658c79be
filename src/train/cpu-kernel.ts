// The fused CPU kernel: forward, backward and AdamW for one model, one sample at a time, with no batch
// tensors. It exploits sparsity: only the features present in a sample enter W x and the dh ⊗ x gradient,
// and only active hidden units enter Wᵀ h. Float64 throughout. test/cpu-kernel.test.ts checks it against
// src/train/reference.ts.

import type { ModelKind, TrainConfig } from "../model/config.ts";
import { U24, presenceThreshold, streamKey, Purpose, SHARED_MODEL, type StreamKey } from "../model/rng.ts";
import { initialParams } from "./reference.ts";

export interface TrainedModel {
  /** W (m×n, row-major) then b (n). */
  params: Float64Array;
  /** Mean training loss over the last step's batch. */
  finalTrainLoss: number;
}

/** Both CPU kernels (array-based FusedKernel, generated UnrolledKernel) offer this. */
export interface CpuKernel {
  /** Trains model `model` of level `density` from its seeded init; onProgress gets steps done so far. */
  train(density: number, model: number, steps?: number, onProgress?: (stepsDone: number) => void): TrainedModel;
  /** Mean loss of `params` on the level's held-out sample (the same for every model of the level). */
  evalLoss(density: number, params: Float64Array): number;
}

/** Steps between progress callbacks. */
export const PROGRESS_EVERY = 250;

/**
 * Work buffers for one model shape, allocated once per worker and reused for every model. Keeping the
 * hot loop free of allocation keeps V8's optimised code on typed arrays of stable shape.
 */
export class FusedKernel implements CpuKernel {
  readonly m: number;
  readonly n: number;
  private readonly kind: ModelKind;
  private readonly config: TrainConfig;
  private readonly g: Float64Array;
  private readonly mom: Float64Array;
  private readonly vel: Float64Array;
  private readonly h: Float64Array;
  private readonly dh: Float64Array;
  private readonly d: Float64Array;
  private readonly x: Float64Array;
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private readonly coef: Float64Array;

  constructor(kind: ModelKind, config: TrainConfig) {
    const m = config.neurons, n = config.features;
    this.kind = kind;
    this.config = config;
    this.m = m;
    this.n = n;
    const size = m * n + n;
    this.g = new Float64Array(size);
    this.mom = new Float64Array(size);
    this.vel = new Float64Array(size);
    this.h = new Float64Array(m);
    this.dh = new Float64Array(m);
    this.d = new Float64Array(n);
    this.x = new Float64Array(n);
    this.idx = new Int32Array(n);
    this.val = new Float64Array(n);
    this.coef = new Float64Array(n);
  }

  /**
   * Draws sample (step, s) of `key` into the sparse list (idx, val) and the dense x; returns the number
   * of present features. Inlined by hand from rng.ts's pcg4d/drawSample, which it must match bit for bit.
   */
  private draw(k0: number, k1: number, step: number, s: number, threshold: number): number {
    const n = this.n, x = this.x, idx = this.idx, val = this.val;
    let nnz = 0;
    for (let pair = 0, i = 0; i < n; pair++, i += 2) {
      let a = (Math.imul(k0, 1664525) + 1013904223) | 0;
      let b = (Math.imul(step, 1664525) + 1013904223) | 0;
      let c = (Math.imul(s, 1664525) + 1013904223) | 0;
      let e = (Math.imul(k1 ^ pair, 1664525) + 1013904223) | 0;
      a = (a + Math.imul(b, e)) | 0;
      b = (b + Math.imul(c, a)) | 0;
      c = (c + Math.imul(a, b)) | 0;
      e = (e + Math.imul(b, c)) | 0;
      a ^= a >>> 16;
      b ^= b >>> 16;
      c ^= c >>> 16;
      e ^= e >>> 16;
      a = (a + Math.imul(b, e)) | 0;
      b = (b + Math.imul(c, a)) | 0;
      c = (c + Math.imul(a, b)) | 0;
      e = (e + Math.imul(b, c)) | 0;
      if (a >>> 0 <= threshold) {
        const v = (b >>> 8) * U24;
        x[i] = v;
        idx[nnz] = i;
        val[nnz++] = v;
      } else x[i] = 0;
      if (i + 1 < n) {
        if (c >>> 0 <= threshold) {
          const v = (e >>> 8) * U24;
          x[i + 1] = v;
          idx[nnz] = i + 1;
          val[nnz++] = v;
        } else x[i + 1] = 0;
      }
    }
    return nnz;
  }

  /**
   * Accumulates the gradient of one sample into g (unless accumulate is false) and returns its
   * importance-weighted squared error Σ_i I_i (x_i − x'_i)². `coef` holds 2·I_i/(B·n).
   */
  private sample(relu: boolean, W: Float64Array, nnz: number, importance: ArrayLike<number>, accumulate: boolean): number {
    const m = this.m, n = this.n, mn = m * n;
    const h = this.h, dh = this.dh, d = this.d, x = this.x, idx = this.idx, val = this.val, g = this.g, coef = this.coef;
    // h = W x over present features only.
    for (let j = 0; j < m; j++) {
      const row = j * n;
      let s = 0;
      for (let k = 0; k < nnz; k++) s += W[row + idx[k]] * val[k];
      h[j] = relu && s < 0 ? 0 : s;
    }
    // x' = ReLU(Wᵀ h + b); d = ∂L/∂(pre-activation of x').
    let err = 0;
    for (let i = 0; i < n; i++) {
      let s = W[mn + i];
      for (let j = 0; j < m; j++) s += W[j * n + i] * h[j];
      const y = s > 0 ? s : 0;
      const diff = y - x[i];
      err += importance[i] * diff * diff;
      d[i] = s > 0 ? coef[i] * diff : 0;
    }
    if (!accumulate) return err;
    for (let i = 0; i < n; i++) g[mn + i] += d[i];
    for (let j = 0; j < m; j++) {
      const row = j * n, hj = h[j];
      let acc = 0;
      if (hj !== 0) {
        for (let i = 0; i < n; i++) {
          const di = d[i];
          g[row + i] += hj * di;
          acc += W[row + i] * di;
        }
      } else {
        for (let i = 0; i < n; i++) acc += W[row + i] * d[i];
      }
      // ReLU hidden layer: the gradient flows only through active units (ReLU'(0) = 0).
      dh[j] = relu && hj <= 0 ? 0 : acc;
    }
    for (let j = 0; j < m; j++) {
      const row = j * n, dj = dh[j];
      if (dj === 0) continue;
      for (let k = 0; k < nnz; k++) g[row + idx[k]] += dj * val[k];
    }
    return err;
  }

  /** Trains one model from its seeded initialisation for `steps` steps (default config.steps). */
  train(density: number, model: number, steps = this.config.steps, onProgress?: (stepsDone: number) => void): TrainedModel {
    const { n, config } = this;
    const relu = this.kind === "relu-hidden";
    const W = initialParams(config, density, model);
    const g = this.g, mom = this.mom, vel = this.vel, coef = this.coef;
    mom.fill(0);
    vel.fill(0);
    const B = config.batchSize;
    for (let i = 0; i < n; i++) coef[i] = (2 * config.importance[i]) / (B * n);
    const key: StreamKey = streamKey(config.seed, density, model, Purpose.train);
    const k0 = key.k0 | 0, k1 = key.k1 | 0;
    const threshold = presenceThreshold(density);
    const { lr, beta1, beta2, eps, weightDecay } = config.optimizer;
    const decay = 1 - lr * weightDecay;
    const size = W.length;
    let lastErr = 0;
    for (let t = 0; t < steps; t++) {
      g.fill(0);
      let err = 0;
      for (let s = 0; s < B; s++) {
        const nnz = this.draw(k0, k1, t, s, threshold);
        err += this.sample(relu, W, nnz, config.importance, true);
      }
      lastErr = err;
      // AdamW, inlined from adamw.ts (same arithmetic, in the same order).
      const bc1 = 1 - beta1 ** (t + 1);
      const bc2 = 1 - beta2 ** (t + 1);
      for (let p = 0; p < size; p++) {
        const gp = g[p];
        const mp = (mom[p] = beta1 * mom[p] + (1 - beta1) * gp);
        const vp = (vel[p] = beta2 * vel[p] + (1 - beta2) * gp * gp);
        W[p] = W[p] * decay - (lr * (mp / bc1)) / (Math.sqrt(vp / bc2) + eps);
      }
      if (onProgress && ((t + 1) % PROGRESS_EVERY === 0 || t + 1 === steps)) onProgress(t + 1);
    }
    return { params: W, finalTrainLoss: lastErr / (B * n) };
  }

  /** Mean loss of `params` on the level's held-out sample (shared by all models of the level). */
  evalLoss(density: number, params: Float64Array): number {
    const { config, kind } = this;
    const key = streamKey(config.seed, density, SHARED_MODEL, Purpose.eval);
    const threshold = presenceThreshold(density);
    const relu = kind === "relu-hidden";
    let err = 0;
    for (let s = 0; s < config.evalSamples; s++) {
      const nnz = this.draw(key.k0 | 0, key.k1 | 0, 0, s, threshold);
      err += this.sample(relu, params, nnz, config.importance, false);
    }
    return err / (config.evalSamples * this.n);
  }
}
