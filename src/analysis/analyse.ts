// Everything the site's figures and text need about one W, computed once.

import { matrixShape } from "./matrix.ts";
import type { Matrix } from "./matrix.ts";
import { featureStorage } from "./features.ts";
import type { DropReason } from "./features.ts";
import { featureSuperposition } from "./norms.ts";
import { neuronFeaturesFromCodes, roleForCount } from "./neurons.ts";
import type { NeuronRole } from "./neurons.ts";
import type { AnalysisOptions, Thresholds } from "./options.ts";
import { canonicalOrderFromStored } from "./order.ts";
import { classifyRegime, featureKinds } from "./regime.ts";
import type { Block, FeatureKind, Regime, RegimeCounts } from "./regime.ts";

export interface Analysis {
  /** n. */
  features: number;
  /** m. */
  neurons: number;
  /** The thresholds used, relative and absolute (see options.ts). */
  thresholds: Thresholds;
  /** ‖W_i‖ per feature. */
  norms: number[];
  /** ‖W_i⁺‖ per feature: the norm of its positive weights (the drop rule's measure). */
  positiveNorms: number[];
  /** Σ_{k≠i} (Ŵ_i · W_k)² per feature (0 for a zero-norm feature). */
  superposition: number[];
  /** codes[i]: neurons storing feature i, ascending (empty if dropped). */
  codes: number[][];
  /** Per feature: dropped / own-neuron / shared / irregular (see regime.ts). */
  featureKinds: FeatureKind[];
  /** Represented feature indices, ascending. */
  represented: number[];
  /** Dropped feature indices, ascending. */
  dropped: number[];
  /** Per feature: null if represented, else why it is dropped. */
  dropReasons: (DropReason | null)[];
  /** neuronFeatures[j]: features neuron j stores, ascending. */
  neuronFeatures: number[][];
  /** Per neuron: monosemantic / polysemantic / dead. */
  roles: NeuronRole[];
  /** Connected pieces of the polysemantic block. */
  blocks: Block[];
  regime: Regime;
  /** Same object as regime.counts, for convenience. */
  counts: RegimeCounts;
  /** Canonical neuron order: order[k] = original neuron shown k-th (use applyOrder / permute). */
  order: number[];
  /** b as given (copied), or null. */
  b: number[] | null;
}

/**
 * Analyse W (m×n, `W[j][i]`) and optionally b (length n, passed through checked).
 * options: storeThreshold τ, dropThreshold δ, importance (for the neuron order).
 */
export function analyse(W: Matrix, b?: readonly number[] | null, options: AnalysisOptions = {}): Analysis {
  const { neurons, features } = matrixShape(W);
  if (b != null) {
    if (b.length !== features) throw new Error(`b has ${b.length} entries, expected ${features}`);
    if (b.some((v) => !Number.isFinite(v))) throw new Error("b entries must be finite");
  }
  const storage = featureStorage(W, options);
  const { codes } = storage;
  const stored = neuronFeaturesFromCodes(codes, neurons);
  const roles = stored.map((fs) => roleForCount(fs.length));
  const regime = classifyRegime(codes, neurons);
  return {
    features,
    neurons,
    thresholds: storage.thresholds,
    norms: storage.norms,
    positiveNorms: storage.positiveNorms,
    superposition: featureSuperposition(W),
    codes,
    featureKinds: featureKinds(codes, roles),
    represented: codes.flatMap((c, i) => (c.length > 0 ? [i] : [])),
    dropped: codes.flatMap((c, i) => (c.length === 0 ? [i] : [])),
    dropReasons: storage.dropReasons,
    neuronFeatures: stored,
    roles,
    blocks: regime.blocks,
    regime,
    counts: regime.counts,
    order: canonicalOrderFromStored(W, stored, options.importance),
    b: b == null ? null : [...b],
  };
}
