// Discrete facts about features: which neurons carry each feature (its "code") and which features
// the model dropped. Thresholds are documented in options.ts.

import { matrixShape } from "./matrix.ts";
import type { Matrix } from "./matrix.ts";
import { featureNorms, positiveFeatureNorms } from "./norms.ts";
import { resolveThresholds } from "./options.ts";
import type { AnalysisOptions, Thresholds } from "./options.ts";

/** Why a feature counts as dropped. */
export type DropReason =
  /** ‖W_i⁺‖ < δ · max‖W_k⁺‖ (including a column with no positive weight at all). */
  | "small-norm"
  /** Long enough, but no weight is clearly positive, so no neuron ever carries it. */
  | "no-positive-weight";

export interface FeatureStorage {
  thresholds: Thresholds;
  /** ‖W_i‖ per feature. */
  norms: number[];
  /** ‖W_i⁺‖ per feature (the positive part: what the drop rule measures). */
  positiveNorms: number[];
  /**
   * codes[i] = the neurons that store feature i, ascending: every j with W[j][i] > τ·max⁺W.
   * Empty exactly when the feature is dropped.
   */
  codes: number[][];
  /** null for a represented feature, else why it is dropped. */
  dropReasons: (DropReason | null)[];
}

/**
 * Feature i is represented when ‖W_i⁺‖ ≥ δ·max‖W_k⁺‖ and at least one weight W[j][i] > τ·max⁺W;
 * its code is the set of those neurons. Otherwise it is dropped and its code is empty (a short
 * feature's few stray positive weights are not counted as storage, so that neuron and feature
 * counts always agree).
 */
export function featureStorage(W: Matrix, options: AnalysisOptions = {}): FeatureStorage {
  const { neurons, features } = matrixShape(W);
  const thresholds = resolveThresholds(W, options);
  const norms = featureNorms(W);
  const positiveNorms = positiveFeatureNorms(W);
  const codes: number[][] = [];
  const dropReasons: (DropReason | null)[] = [];
  for (let i = 0; i < features; i++) {
    const positive: number[] = [];
    for (let j = 0; j < neurons; j++) if (W[j][i] > thresholds.storeWeight) positive.push(j);
    // A zero positive part is always "small", even when δ = 0 or W has no positive weight.
    const small = !(positiveNorms[i] > 0) || positiveNorms[i] < thresholds.dropNorm;
    const reason: DropReason | null = small ? "small-norm" : positive.length === 0 ? "no-positive-weight" : null;
    dropReasons.push(reason);
    codes.push(reason === null ? positive : []);
  }
  return { thresholds, norms, positiveNorms, codes, dropReasons };
}

/** codes[i]: the neurons that store feature i (empty if dropped). See `featureStorage`. */
export function featureCodes(W: Matrix, options?: AnalysisOptions): number[][] {
  return featureStorage(W, options).codes;
}

/** Indices of the features the model keeps, ascending. */
export function representedFeatures(W: Matrix, options?: AnalysisOptions): number[] {
  return indicesWhere(featureStorage(W, options).codes, (c) => c.length > 0);
}

/** Indices of the features the model drops, ascending. */
export function droppedFeatures(W: Matrix, options?: AnalysisOptions): number[] {
  return indicesWhere(featureStorage(W, options).codes, (c) => c.length === 0);
}

function indicesWhere<T>(items: readonly T[], pred: (t: T) => boolean): number[] {
  const out: number[] = [];
  items.forEach((t, i) => {
    if (pred(t)) out.push(i);
  });
  return out;
}
