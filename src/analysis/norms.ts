// The geometry of the feature embeddings W_i (columns of W): their lengths and how much each one
// overlaps the others. No thresholds here; these are the paper's continuous quantities.

import { matrixShape } from "./matrix.ts";
import type { Matrix } from "./matrix.ts";

/** ‖W_i‖ for every feature i (Euclidean norm of column i). */
export function featureNorms(W: Matrix): number[] {
  const { features } = matrixShape(W);
  const norms = new Array<number>(features).fill(0);
  for (const row of W) for (let i = 0; i < features; i++) norms[i] += row[i] * row[i];
  return norms.map(Math.sqrt);
}

/**
 * ‖W_i⁺‖ for every feature i: the norm of the column's positive part. Through h = ReLU(W x) only the
 * positive weights carry feature i to the output, so its gain through its own direction goes as
 * ‖W_i⁺‖² (a negative weight silences the neuron instead). The drop rule (options.ts) uses it.
 */
export function positiveFeatureNorms(W: Matrix): number[] {
  const { features } = matrixShape(W);
  const norms = new Array<number>(features).fill(0);
  for (const row of W) for (let i = 0; i < features; i++) if (row[i] > 0) norms[i] += row[i] * row[i];
  return norms.map(Math.sqrt);
}

/** Gram matrix G[i][k] = W_i · W_k (n×n). */
export function featureGram(W: Matrix): number[][] {
  const { features } = matrixShape(W);
  const G = Array.from({ length: features }, () => new Array<number>(features).fill(0));
  for (const row of W) {
    for (let i = 0; i < features; i++) {
      if (row[i] === 0) continue;
      for (let k = 0; k < features; k++) G[i][k] += row[i] * row[k];
    }
  }
  return G;
}

/**
 * The paper's superposition of each feature: Σ_{k≠i} (Ŵ_i · W_k)², with Ŵ_i = W_i / ‖W_i‖.
 * 0 means no other feature has any component along W_i (the feature has a dimension of its own);
 * an identical unit-length twin contributes 1. A zero-norm feature has no direction and gets 0.
 */
export function featureSuperposition(W: Matrix): number[] {
  const G = featureGram(W);
  return G.map((row, i) => {
    const sq = row[i];
    if (!(sq > 0)) return 0;
    let s = 0;
    for (let k = 0; k < row.length; k++) if (k !== i) s += (row[k] * row[k]) / sq;
    return s;
  });
}
