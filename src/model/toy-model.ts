// The toy model of "Superposition in a Privileged Basis", written plainly (float64, no tricks).
// This is the reference every fast kernel (CPU and WGSL) is tested against.
//
//   ReLU hidden layer:    h = ReLU(W x),  x' = ReLU(Wᵀ h + b)
//   linear hidden layer:  h = W x,        x' = ReLU(Wᵀ h + b)
//
// W is m×n, stored row-major (W[j*n + i]: row j = neuron j, column i = feature i); b has length n.
// Loss over a batch X (B×n): L = 1/(B·n) Σ_b Σ_i I_i (x_bi − x'_bi)².

import type { ModelKind } from "./config.ts";

export interface Params {
  W: Float64Array;
  b: Float64Array;
}

export interface Shape {
  m: number;
  n: number;
}

export function hidden(kind: ModelKind, W: ArrayLike<number>, x: ArrayLike<number>, { m, n }: Shape): Float64Array {
  const h = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += W[j * n + i] * x[i];
    h[j] = kind === "relu-hidden" ? Math.max(0, s) : s;
  }
  return h;
}

export function forward(kind: ModelKind, p: Params, x: ArrayLike<number>, shape: Shape): { h: Float64Array; y: Float64Array } {
  const { m, n } = shape;
  const h = hidden(kind, p.W, x, shape);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = p.b[i];
    for (let j = 0; j < m; j++) s += p.W[j * n + i] * h[j];
    y[i] = Math.max(0, s);
  }
  return { h, y };
}

/** Mean importance-weighted squared error over a batch (rows of X). */
export function batchLoss(kind: ModelKind, p: Params, X: Float64Array[], importance: ArrayLike<number>, shape: Shape): number {
  let total = 0;
  for (const x of X) {
    const { y } = forward(kind, p, x, shape);
    for (let i = 0; i < shape.n; i++) total += importance[i] * (x[i] - y[i]) ** 2;
  }
  return total / (X.length * shape.n);
}

/**
 * Loss and its exact gradient by backpropagation, one sample at a time. ReLU'(0) is taken as 0
 * (PyTorch's convention), which matters only on a measure-zero set.
 */
export function lossAndGradient(
  kind: ModelKind,
  p: Params,
  X: Float64Array[],
  importance: ArrayLike<number>,
  shape: Shape,
): { loss: number; gW: Float64Array; gb: Float64Array } {
  const { m, n } = shape;
  const gW = new Float64Array(m * n);
  const gb = new Float64Array(n);
  const scale = 1 / (X.length * n);
  let loss = 0;
  for (const x of X) {
    // Forward, keeping pre-activations.
    const hPre = new Float64Array(m);
    const h = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += p.W[j * n + i] * x[i];
      hPre[j] = s;
      h[j] = kind === "relu-hidden" ? Math.max(0, s) : s;
    }
    const yPre = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = p.b[i];
      for (let j = 0; j < m; j++) s += p.W[j * n + i] * h[j];
      yPre[i] = s;
    }
    // Backward.
    const dyPre = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = Math.max(0, yPre[i]);
      loss += importance[i] * (x[i] - y) ** 2;
      dyPre[i] = yPre[i] > 0 ? 2 * importance[i] * (y - x[i]) * scale : 0;
      gb[i] += dyPre[i];
    }
    for (let j = 0; j < m; j++) {
      // Output layer uses Wᵀ: y_i = Σ_j W_ji h_j, so dL/dW_ji += dyPre_i h_j and dL/dh_j = Σ_i W_ji dyPre_i.
      let dh = 0;
      for (let i = 0; i < n; i++) {
        gW[j * n + i] += dyPre[i] * h[j];
        dh += p.W[j * n + i] * dyPre[i];
      }
      const dhPre = kind === "relu-hidden" ? (hPre[j] > 0 ? dh : 0) : dh;
      for (let i = 0; i < n; i++) gW[j * n + i] += dhPre * x[i];
    }
  }
  return { loss: loss * scale, gW, gb };
}
