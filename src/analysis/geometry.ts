// The paper's finer claims about two of the codes, measured on a trained W:
//   three features in two neurons — "the three most important features keep dedicated neurons, the next
//     three share two neurons, one of them on both neurons and orthogonal to the other two, which form an
//     antipodal pair": which features own a neuron, which are shared, which shared feature is on both
//     neurons, and the cosines of the shared features' weight vectors within the two shared neurons;
//   six in four and eight in five — "one neuron separates the important from the unimportant features":
//     a neuron of the block with negative weights on the block's more important features and positive
//     weights on its less important ones, and how the two groups use the other neurons;
//   features as pairs of neurons — whether the features use distinct pairs (with five neurons there are
//     ten pairs for ten features).
// Pure, from the analysis (codes, kinds, blocks) and W; the article quotes the numbers.

import type { Analysis } from "./analyse.ts";
import type { Matrix } from "./matrix.ts";

/** Cosine of the angle between two vectors (NaN if either is zero). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0, aa = 0, bb = 0;
  a.forEach((v, k) => {
    ab += v * b[k];
    aa += v * v;
    bb += b[k] * b[k];
  });
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}

export interface ThreeInTwoGeometry {
  /** Features stored by a neuron of their own, ascending. */
  dedicated: number[];
  /** The dedicated features are exactly the three most important ones (0, 1, 2). */
  dedicatedAreTopThree: boolean;
  /** The two neurons of the shared block, and its three features, ascending. */
  neurons: [number, number];
  shared: number[];
  /** The shared features are exactly the next three by importance (3, 4, 5). */
  sharedAreNextThree: boolean;
  /** The shared feature stored by both neurons, if exactly one is. */
  onBoth: number | null;
  /** The other two shared features, and the cosine of their weight vectors restricted to the two
   *  shared neurons (−1: an antipodal pair). */
  pair: [number, number] | null;
  pairCosine: number;
  /** Cosines between the feature on both neurons and each of the pair, in the two shared neurons
   *  (0: orthogonal). */
  onBothCosines: [number, number] | null;
}

/** The geometry of a model whose regime is three features in two neurons; null for any other regime. */
export function threeInTwoGeometry(analysis: Analysis, W: Matrix): ThreeInTwoGeometry | null {
  if (analysis.regime.id !== "three-in-two" || analysis.blocks.length !== 1) return null;
  const block = analysis.blocks[0];
  const neurons = block.neurons as [number, number];
  const shared = [...block.features];
  const dedicated = analysis.featureKinds.flatMap((k, i) => (k === "own-neuron" ? [i] : []));
  const within = (i: number) => neurons.map((j) => W[j][i]);
  const both = shared.filter((i) => analysis.codes[i].length === 2);
  const onBoth = both.length === 1 ? both[0] : null;
  const pair = onBoth === null ? null : (shared.filter((i) => i !== onBoth) as [number, number]);
  return {
    dedicated,
    dedicatedAreTopThree: dedicated.length === 3 && dedicated.every((i, k) => i === k),
    neurons,
    shared,
    sharedAreNextThree: shared.length === 3 && shared.every((i, k) => i === k + 3),
    onBoth,
    pair,
    pairCosine: pair ? cosine(within(pair[0]), within(pair[1])) : NaN,
    onBothCosines: pair && onBoth !== null ? [cosine(within(onBoth), within(pair[0])), cosine(within(onBoth), within(pair[1]))] : null,
  };
}

export interface PairCodes {
  /** Features stored by exactly two neurons. */
  pairFeatures: number;
  /** How many different pairs of neurons they use. */
  distinctPairs: number;
  /** Pairs of m neurons there are: m(m − 1)/2. */
  possiblePairs: number;
  /** Pairs used by more than one feature, as "j-k" with the features sharing it. */
  reused: { pair: string; features: number[] }[];
}

/** How the features' two-neuron codes use the pairs of neurons. */
export function pairCodes(analysis: Analysis): PairCodes {
  const byPair = new Map<string, number[]>();
  analysis.codes.forEach((code, i) => {
    if (code.length !== 2) return;
    const key = `${code[0]}-${code[1]}`;
    byPair.set(key, [...(byPair.get(key) ?? []), i]);
  });
  const m = analysis.neurons;
  return {
    pairFeatures: [...byPair.values()].reduce((s, fs) => s + fs.length, 0),
    distinctPairs: byPair.size,
    possiblePairs: (m * (m - 1)) / 2,
    reused: [...byPair.entries()].filter(([, fs]) => fs.length > 1).map(([pair, features]) => ({ pair, features })),
  };
}

export interface SeparatorGeometry {
  /** The separating neuron, and the block it belongs to (neurons ascending). */
  neuron: number;
  blockNeurons: number[];
  /** The block's features with a clearly negative weight on the separator, and those it stores;
   *  ascending (features are indexed by importance, most important first). */
  negative: number[];
  positive: number[];
  /** Every feature of `negative` is more important than every feature of `positive`: the neuron
   *  separates the important features from the unimportant ones, as in the paper's picture (otherwise
   *  it only splits the block in two). */
  byImportance: boolean;
  /** The separator's weights on each group: [smallest, largest]. */
  negativeWeights: [number, number];
  positiveWeights: [number, number];
  /** Per `negative` feature: how many neurons store it, and the one other block neuron with a clearly
   *  negative weight on it (null unless exactly one). */
  negativeCodeSizes: number[];
  silencers: (number | null)[];
  /** Every `negative` feature is stored by all the block's neurons but the separator and its own
   *  silencer, and the silencers are distinct: a leave-one-out code over the other neurons. */
  leaveOneOut: boolean;
  /** Per `positive` feature: the one neuron besides the separator that stores it (null unless its code
   *  is exactly {separator, one other}). */
  partners: (number | null)[];
  /** Every `positive` feature is stored by the separator and one other neuron, a different one each. */
  pairsWithSeparator: boolean;
}

/**
 * The separator of a model's (single) polysemantic block: a neuron whose weights on the block's features
 * are clearly negative (below −τ·max⁺W, the mirror of the store threshold) on a group of at least two
 * features and positive (it stores them) on the rest, at least two — preferably one whose negative
 * features are all more important than its positive ones (byImportance). Null when the model has not
 * exactly one block of at least four neurons, or no neuron splits the block so.
 */
export function separatorGeometry(analysis: Analysis, W: Matrix): SeparatorGeometry | null {
  if (analysis.blocks.length !== 1 || analysis.blocks[0].neurons.length < 4) return null;
  const { neurons: blockNeurons, features } = analysis.blocks[0];
  const cut = analysis.thresholds.storeWeight;
  const isNegative = (j: number, i: number) => W[j][i] < -cut;
  const splits = blockNeurons.flatMap((j) => {
    const negative = features.filter((i) => isNegative(j, i));
    const positive = features.filter((i) => analysis.codes[i].includes(j));
    if (negative.length < 2 || positive.length < 2 || negative.length + positive.length !== features.length) return [];
    return [{ j, negative, positive, byImportance: Math.max(...negative) < Math.min(...positive) }];
  });
  const split = splits.find((x) => x.byImportance) ?? splits[0];
  if (!split) return null;
  const { j, negative, positive, byImportance } = split;
  const others = blockNeurons.filter((k) => k !== j);
  const range = (fs: number[]): [number, number] => [Math.min(...fs.map((i) => W[j][i])), Math.max(...fs.map((i) => W[j][i]))];
  const silencers = negative.map((i) => {
    const s = others.filter((k) => isNegative(k, i));
    return s.length === 1 ? s[0] : null;
  });
  const partners = positive.map((i) => {
    const rest = analysis.codes[i].filter((k) => k !== j);
    return rest.length === 1 ? rest[0] : null;
  });
  const distinct = (xs: (number | null)[]) => xs.every((x) => x !== null) && new Set(xs).size === xs.length;
  return {
    neuron: j, blockNeurons: [...blockNeurons], negative, positive, byImportance,
    negativeWeights: range(negative), positiveWeights: range(positive),
    negativeCodeSizes: negative.map((i) => analysis.codes[i].length),
    silencers,
    leaveOneOut: distinct(silencers) && negative.every((i, k) => others.every((o) => (o === silencers[k]) !== analysis.codes[i].includes(o))),
    partners,
    pairsWithSeparator: distinct(partners),
  };
}
