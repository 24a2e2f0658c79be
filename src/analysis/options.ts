// The two thresholds that turn real-valued weights into discrete facts ("neuron j stores feature i",
// "feature i is dropped"), and the options object that overrides them.

import { maxPositiveEntry } from "./matrix.ts";
import type { Importance, Matrix } from "./matrix.ts";
import { positiveFeatureNorms } from "./norms.ts";

/**
 * τ: a neuron stores (codes) a feature when its weight on it is clearly positive,
 * W[j][i] > τ · max_{j,i} W[j][i] (the largest positive weight). Only positive weights count:
 * h = ReLU(W x), so a negative weight never carries the feature (it silences the neuron instead).
 * The scale is the largest positive weight, not max|W|: at low densities the trained models use large
 * negative weights (≈ −2.5) to cancel interference, which would otherwise raise the bar above the
 * ≈ 0.5 weights with which features are genuinely spread over three neurons. A neuron's share of a
 * feature's reconstruction goes as W[j][i]², so a weight at τ = 0.3 of the largest contributes about 9%.
 * 0.3 was chosen on the first trained data: it labelled every density of the best-of-64 CPU run the same
 * as 0.2, except density 0.02, where one 0.27 weight at 0.2 made a single feature look three-neuron coded
 * amid nine clean pairs. On the committed best-of-1000 data every τ from 0.25 to 0.35 gives the same 21
 * labels; 0.2 changes density 0.05 and 0.4 changes density 0.12 (and δ from 0.1 to 0.3 changes none).
 */
export const DEFAULT_STORE_THRESHOLD = 0.3;

/**
 * δ: a feature is dropped when the positive part of its embedding is short, ‖W_i⁺‖ < δ · max_k ‖W_k⁺‖.
 * Through the ReLU only positive weights carry a feature, so its gain through its own direction goes as
 * ‖W_i⁺‖², and at δ = 0.2 it is reproduced at about 4% of the strength of the best-kept feature.
 * Positive parts, not whole norms, for the same reason as τ: best-of-1000 models at densities 0.12–0.13
 * give one feature a weight of ≈ −5.4, whose norm then raised the bar above the clean ≈ 1.0 weights of
 * monosemantic neurons and "dropped" their features. (A feature is also dropped, whatever its norm,
 * when no neuron stores it, i.e. none of its weights is clearly positive: then it never reaches the
 * output.)
 */
export const DEFAULT_DROP_THRESHOLD = 0.2;

export interface AnalysisOptions {
  /** τ, relative to the largest positive weight max⁺W; default DEFAULT_STORE_THRESHOLD. */
  storeThreshold?: number;
  /** δ, relative to the largest positive-part feature norm max‖W_k⁺‖; default DEFAULT_DROP_THRESHOLD. */
  dropThreshold?: number;
  /** I_i, used only to order neurons (more important features first); default: index order. */
  importance?: Importance;
}

export interface Thresholds {
  /** τ (relative). */
  store: number;
  /** δ (relative). */
  drop: number;
  /** τ · max⁺W: a weight must exceed this to count. */
  storeWeight: number;
  /** δ · max‖W_k⁺‖: a feature whose positive-part norm ‖W_i⁺‖ is below this is dropped. */
  dropNorm: number;
}

/** The relative thresholds from `options` (checked to lie in [0, 1)) and their absolute values for W. */
export function resolveThresholds(W: Matrix, options: AnalysisOptions = {}): Thresholds {
  const store = options.storeThreshold ?? DEFAULT_STORE_THRESHOLD;
  const drop = options.dropThreshold ?? DEFAULT_DROP_THRESHOLD;
  for (const [name, v] of [["storeThreshold", store], ["dropThreshold", drop]] as const) {
    if (!Number.isFinite(v) || v < 0 || v >= 1) throw new Error(`${name} must be in [0, 1), got ${v}`);
  }
  const maxNorm = Math.max(0, ...positiveFeatureNorms(W));
  return { store, drop, storeWeight: store * maxPositiveEntry(W), dropNorm: drop * maxNorm };
}
