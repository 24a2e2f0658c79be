// Discrete facts about neurons: which features each one stores, and so its role.

import type { Matrix } from "./matrix.ts";
import { featureStorage } from "./features.ts";
import type { AnalysisOptions } from "./options.ts";

/**
 * monosemantic: stores exactly one feature; polysemantic: two or more; dead: none (its weights
 * on represented features are all ≤ τ·max⁺W, so it carries nothing).
 */
export type NeuronRole = "monosemantic" | "polysemantic" | "dead";

/** The role of a neuron that stores `count` features. */
export function roleForCount(count: number): NeuronRole {
  return count === 0 ? "dead" : count === 1 ? "monosemantic" : "polysemantic";
}

/**
 * The transpose of the feature codes: result[j] = the features neuron j stores, ascending.
 * `codes[i]` lists neurons in [0, neurons).
 */
export function neuronFeaturesFromCodes(codes: readonly (readonly number[])[], neurons: number): number[][] {
  const stored = Array.from({ length: neurons }, () => [] as number[]);
  codes.forEach((code, i) => {
    for (const j of code) {
      if (!Number.isInteger(j) || j < 0 || j >= neurons) throw new Error(`code of feature ${i} names neuron ${j}, outside [0, ${neurons})`);
      stored[j].push(i);
    }
  });
  return stored;
}

/** result[j] = the represented features neuron j stores (W[j][i] > τ·max⁺W), ascending. */
export function neuronFeatures(W: Matrix, options?: AnalysisOptions): number[][] {
  return neuronFeaturesFromCodes(featureStorage(W, options).codes, W.length);
}

/** Each neuron's role (see `NeuronRole`). */
export function neuronRoles(W: Matrix, options?: AnalysisOptions): NeuronRole[] {
  return neuronFeatures(W, options).map((fs) => roleForCount(fs.length));
}
