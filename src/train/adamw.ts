// AdamW with decoupled weight decay, exactly as torch.optim.AdamW (constant lr, bias-corrected moments):
//   p ← p − lr·wd·p;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  p ← p − lr · m̂ / (√v̂ + ε)
// where m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t) and t counts from 1.

import type { OptimizerConfig } from "../model/config.ts";

/** One AdamW update in place: params, gradient g and moments m, v all have the same length. */
export function adamwStep(params: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, t: number, o: OptimizerConfig): void {
  const bc1 = 1 - o.beta1 ** t;
  const bc2 = 1 - o.beta2 ** t;
  const decay = 1 - o.lr * o.weightDecay;
  const b1 = o.beta1, b2 = o.beta2, lr = o.lr, eps = o.eps;
  for (let p = 0; p < params.length; p++) {
    const gp = g[p];
    const mp = (m[p] = b1 * m[p] + (1 - b1) * gp);
    const vp = (v[p] = b2 * v[p] + (1 - b2) * gp * gp);
    params[p] = params[p] * decay - (lr * (mp / bc1)) / (Math.sqrt(vp / bc2) + eps);
  }
}
