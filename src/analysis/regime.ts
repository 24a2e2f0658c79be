// The regime label, in the paper's words, derived only from the discrete structure of W (which
// neurons store which features) — never from the density a model was trained at.
//
// Vocabulary (τ, δ in options.ts):
//   code of feature i     the neurons j with W[j][i] > τ·max⁺W (empty: the feature is dropped)
//   monosemantic neuron   stores exactly 1 represented feature; polysemantic: ≥ 2; dead: none
//   own-neuron feature    its code is a single monosemantic neuron
//   shared feature        non-empty code made only of polysemantic neurons
//   irregular feature     anything else: a code of ≥ 2 neurons that includes a monosemantic neuron
//                         (a feature spread over dedicated neurons, or half-dedicated)
//   polysemantic block    the polysemantic neurons and the shared features; its connected pieces
//                         (neurons linked when they code a common shared feature) are `blocks`
//
// Rules, tried in this order (R = represented features, M/P/D = mono/poly/dead neurons):
//   1. all-monosemantic   R ≥ 1, P = 0 and every represented feature's code is exactly one neuron
//                         (so features and used neurons pair off one to one; dead neurons allowed).
//   2. feature-pairs      R ≥ 1, every represented feature's code is exactly 2 neurons, and
//                         polysemantic neurons are the majority of used neurons (P > M).
//   3. "k features in j neurons": no irregular features, no dead neurons, the polysemantic block
//                         is ONE connected block of k shared features in j neurons, and every
//                         other neuron is monosemantic (owning one feature). Named shapes:
//                           3 in 2 → three-in-two, 5 in 3 → five-in-three, 6 in 4 → six-in-four,
//                           8 in 5 with no monosemantic neuron → eight-in-five.
//                         Two separate blocks (e.g. 3-in-2 twice) do not "share" neurons with each
//                         other, so they get no combined name.
//   4. unlabelled         anything else, said in general terms (codes.ts): k features in j neurons, how
//                         many neurons each feature's code uses, how many distinct codes; with the
//                         first reason no rule fitted. These rules hold for any n and m; with more
//                         features than the paper's ten, most structures are unlabelled.

import { roleForCount, neuronFeaturesFromCodes } from "./neurons.ts";
import type { NeuronRole } from "./neurons.ts";
import { plural } from "../text/plural.ts";
import { codeStructure, describeCodeSizes, type CodeStructure } from "./codes.ts";

export type RegimeId =
  | "all-monosemantic"
  | "three-in-two"
  | "five-in-three"
  | "six-in-four"
  | "eight-in-five"
  | "feature-pairs"
  | "unlabelled";

/** The paper's phrase for each named regime. */
export const REGIME_PHRASES: Readonly<Record<Exclude<RegimeId, "unlabelled">, string>> = {
  "all-monosemantic": "all neurons monosemantic",
  "three-in-two": "three features share two neurons",
  "five-in-three": "five features in three neurons",
  "six-in-four": "six features in four neurons",
  "eight-in-five": "eight features in five neurons, all polysemantic",
  "feature-pairs": "features are pairs of neurons",
};

/** Shapes of a single polysemantic block that the paper names (rule 3). */
export const BLOCK_SHAPES: readonly {
  id: Exclude<RegimeId, "all-monosemantic" | "feature-pairs" | "unlabelled">;
  features: number;
  neurons: number;
  /** The phrase says "all polysemantic": no monosemantic neuron may remain. */
  allPolysemantic: boolean;
}[] = [
  { id: "three-in-two", features: 3, neurons: 2, allPolysemantic: false },
  { id: "five-in-three", features: 5, neurons: 3, allPolysemantic: false },
  { id: "six-in-four", features: 6, neurons: 4, allPolysemantic: false },
  { id: "eight-in-five", features: 8, neurons: 5, allPolysemantic: true },
];

/** How a feature is stored (see the vocabulary above). */
export type FeatureKind = "dropped" | "own-neuron" | "shared" | "irregular";

/** A connected piece of the polysemantic block: polysemantic neurons and the shared features they code. */
export interface Block {
  /** Ascending neuron indices. */
  neurons: number[];
  /** Ascending feature indices (shared features only). */
  features: number[];
}

export interface RegimeCounts {
  /** n, all features. */
  features: number;
  /** m, all neurons. */
  neurons: number;
  /** Features with a non-empty code. */
  represented: number;
  dropped: number;
  monosemantic: number;
  polysemantic: number;
  dead: number;
  /** Features with a neuron of their own. */
  ownNeuronFeatures: number;
  /** Shared features: the polysemantic block's feature count. */
  blockFeatures: number;
  /** Polysemantic neurons: the polysemantic block's neuron count. */
  blockNeurons: number;
  /** Connected pieces of the polysemantic block. */
  blocks: number;
  irregularFeatures: number;
  /** Represented features coded by exactly 2 neurons. */
  pairCodedFeatures: number;
}

export interface Regime {
  id: RegimeId;
  /** The paper's phrase, or the structure in general terms: "unlabelled: R features in m neurons, M
   *  monosemantic neurons[, D dead neurons]; 2 features on one neuron, 9 on two neurons, 3 on three neurons; 13 distinct
   *  codes". */
  phrase: string;
  /** One sentence: which rule fired and on what facts, or why none did. */
  reason: string;
  counts: RegimeCounts;
  blocks: Block[];
  /** Code sizes and distinct codes (codes.ts), for every regime. */
  structure: CodeStructure;
}

/** Each feature's kind, from the codes and the neuron roles. */
export function featureKinds(codes: readonly (readonly number[])[], roles: readonly NeuronRole[]): FeatureKind[] {
  return codes.map((code) => {
    if (code.length === 0) return "dropped";
    if (code.length === 1 && roles[code[0]] === "monosemantic") return "own-neuron";
    if (code.every((j) => roles[j] === "polysemantic")) return "shared";
    return "irregular";
  });
}

/**
 * The connected pieces of the polysemantic block. Every polysemantic neuron is in exactly one block
 * (possibly with no shared feature, if it stores only irregular features). Blocks are ordered by
 * their lowest neuron index.
 */
export function polysemanticBlocks(codes: readonly (readonly number[])[], neurons: number): Block[] {
  const stored = neuronFeaturesFromCodes(codes, neurons);
  const roles = stored.map((fs) => roleForCount(fs.length));
  const kinds = featureKinds(codes, roles);
  const parent = Array.from({ length: neurons }, (_, j) => j);
  const find = (j: number): number => {
    while (parent[j] !== j) j = parent[j] = parent[parent[j]];
    return j;
  };
  codes.forEach((code, i) => {
    if (kinds[i] !== "shared") return;
    for (const j of code.slice(1)) {
      const a = find(code[0]);
      const b = find(j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  });
  const byRoot = new Map<number, Block>();
  for (let j = 0; j < neurons; j++) {
    if (roles[j] !== "polysemantic") continue;
    const root = find(j);
    if (!byRoot.has(root)) byRoot.set(root, { neurons: [], features: [] });
    byRoot.get(root)!.neurons.push(j);
  }
  codes.forEach((code, i) => {
    if (kinds[i] === "shared") byRoot.get(find(code[0]))!.features.push(i);
  });
  return [...byRoot.values()].sort((a, b) => a.neurons[0] - b.neurons[0]);
}

/** Counts of the discrete structure (see `RegimeCounts`). */
export function structureCounts(codes: readonly (readonly number[])[], neurons: number): RegimeCounts {
  const roles = neuronFeaturesFromCodes(codes, neurons).map((fs) => roleForCount(fs.length));
  const kinds = featureKinds(codes, roles);
  const count = <T>(xs: readonly T[], v: T) => xs.filter((x) => x === v).length;
  return {
    features: codes.length,
    neurons,
    represented: codes.length - count(kinds, "dropped"),
    dropped: count(kinds, "dropped"),
    monosemantic: count(roles, "monosemantic"),
    polysemantic: count(roles, "polysemantic"),
    dead: count(roles, "dead"),
    ownNeuronFeatures: count(kinds, "own-neuron"),
    blockFeatures: count(kinds, "shared"),
    blockNeurons: count(roles, "polysemantic"),
    blocks: polysemanticBlocks(codes, neurons).length,
    irregularFeatures: count(kinds, "irregular"),
    pairCodedFeatures: codes.filter((c) => c.length === 2).length,
  };
}

/**
 * The regime of a model from its feature codes (codes[i] = neurons storing feature i, as from
 * `featureCodes`) and its neuron count m. Rules in the header comment of this file.
 */
export function classifyRegime(codes: readonly (readonly number[])[], neurons: number): Regime {
  const counts = structureCounts(codes, neurons);
  const blocks = polysemanticBlocks(codes, neurons);
  const structure = codeStructure(codes, neurons);
  const { represented: R, monosemantic: M, polysemantic: P, dead: D } = counts;
  const used = M + P;
  const repCodes = codes.filter((c) => c.length > 0);
  const named = (id: Exclude<RegimeId, "unlabelled">, reason: string): Regime => ({ id, phrase: REGIME_PHRASES[id], reason, counts, blocks, structure });
  const unlabelled = (reason: string): Regime => ({
    id: "unlabelled",
    phrase: `unlabelled: ${plural(R, "feature")} in ${plural(neurons, "neuron")}, ${M ? plural(M, "monosemantic neuron") : "no monosemantic neuron"}${D > 0 ? `, ${plural(D, "dead neuron")}` : ""}; ${describeCodeSizes(structure)}; ${plural(structure.distinct, "distinct code")}`,
    reason,
    counts,
    blocks,
    structure,
  });

  if (R === 0) return unlabelled("no feature is represented");

  // Rule 1.
  if (P === 0 && repCodes.every((c) => c.length === 1)) {
    return named("all-monosemantic", `each of the ${plural(R, "represented feature")} has a neuron of its own and no neuron stores two`);
  }

  // Rule 2.
  if (repCodes.every((c) => c.length === 2) && P > M) {
    return named("feature-pairs", `every one of the ${plural(R, "represented feature")} is coded by exactly 2 neurons; ${P} of ${used} used neurons are polysemantic`);
  }

  // Rule 3, or the first reason it does not apply.
  const kinds = featureKinds(codes, neuronFeaturesFromCodes(codes, neurons).map((fs) => roleForCount(fs.length)));
  const irregular = kinds.flatMap((k, i) => (k === "irregular" ? [i] : []));
  if (irregular.length > 0) {
    return unlabelled(`${irregular.length === 1 ? "feature" : "features"} ${irregular.join(", ")} ${irregular.length === 1 ? "is" : "are"} coded by several neurons including a monosemantic one`);
  }
  if (D > 0) return unlabelled(`${plural(D, "neuron")} ${D === 1 ? "is" : "are"} dead`);
  if (blocks.length !== 1) {
    const shapes = blocks.map((b) => `${b.features.length} in ${b.neurons.length}`).join(", ");
    return unlabelled(`the polysemantic neurons form ${blocks.length} separate blocks (features in neurons: ${shapes})`);
  }
  const k = counts.blockFeatures;
  const j = counts.blockNeurons;
  const shape = BLOCK_SHAPES.find((s) => s.features === k && s.neurons === j && (!s.allPolysemantic || M === 0));
  if (!shape) return unlabelled(`the polysemantic block (${plural(k, "feature")} in ${plural(j, "neuron")}, with ${M} monosemantic) is not a shape the paper names`);
  return named(shape.id, `${plural(M, "monosemantic neuron")}; the other ${plural(j, "neuron")} jointly code ${plural(k, "feature")}`);
}
