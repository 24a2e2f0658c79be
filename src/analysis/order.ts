// A canonical order of the neurons, standing in for the paper's hand ordering, so that the W of
// neighbouring densities line up in a figure. Neurons are interchangeable in the model (permuting
// rows of W changes nothing), so the order depends only on the rows' contents:
//
//   1. monosemantic neurons, by the importance of their one feature (most important first);
//   2. polysemantic neurons, by the features they store, listed from most to least important and
//      compared lexicographically (most important feature first, then the next; a list that is a
//      prefix of another comes first);
//   3. dead neurons.
//   Ties (e.g. two neurons storing the same features) are broken by the row itself: compare the
//   weights feature by feature in importance order, larger weight first; rows equal in every
//   weight keep their original relative order (they are indistinguishable in the figure anyway).
//
// "Importance" is options.importance when given (higher first, equal importances by lower index),
// else feature index (lower first), which matches the paper's I_i = 0.75^i.

import { importanceRank, matrixShape } from "./matrix.ts";
import type { Importance, Matrix } from "./matrix.ts";
import { neuronFeatures, roleForCount } from "./neurons.ts";
import type { AnalysisOptions } from "./options.ts";

/**
 * The canonical order from W and the features each neuron stores (`stored[j]`, as from
 * `neuronFeatures`). order[k] = the original index of the neuron shown k-th.
 */
export function canonicalOrderFromStored(W: Matrix, stored: readonly (readonly number[])[], importance?: Importance): number[] {
  const { neurons, features } = matrixShape(W);
  if (stored.length !== neurons) throw new Error(`stored has ${stored.length} entries, expected ${neurons} (one per neuron)`);
  const rank = importanceRank(features, importance);
  const byRank = [...rank.keys()].sort((a, b) => rank[a] - rank[b]);
  const group = (j: number) => ({ monosemantic: 0, polysemantic: 1, dead: 2 })[roleForCount(stored[j].length)];
  const key = stored.map((fs) => fs.map((i) => rank[i]).sort((a, b) => a - b));

  const compare = (a: number, b: number): number => {
    const g = group(a) - group(b);
    if (g !== 0) return g;
    const ka = key[a];
    const kb = key[b];
    for (let t = 0; t < Math.min(ka.length, kb.length); t++) if (ka[t] !== kb[t]) return ka[t] - kb[t];
    if (ka.length !== kb.length) return ka.length - kb.length;
    for (const i of byRank) if (W[a][i] !== W[b][i]) return W[b][i] - W[a][i];
    return a - b;
  };
  return Array.from({ length: neurons }, (_, j) => j).sort(compare);
}

/** The canonical neuron order of W (see the header comment). order[k] = original neuron shown k-th. */
export function canonicalNeuronOrder(W: Matrix, options: AnalysisOptions = {}): number[] {
  return canonicalOrderFromStored(W, neuronFeatures(W, options), options.importance);
}

/** Throws unless `order` is a permutation of 0…length−1. */
export function assertPermutation(order: readonly number[], length: number): void {
  if (order.length !== length) throw new Error(`order has ${order.length} entries, expected ${length}`);
  const seen = new Array<boolean>(length).fill(false);
  for (const k of order) {
    if (!Number.isInteger(k) || k < 0 || k >= length || seen[k]) throw new Error(`order is not a permutation of 0…${length - 1}: ${order.join(",")}`);
    seen[k] = true;
  }
}

/** items reordered: result[k] = items[order[k]] (for per-neuron arrays: roles, stored features, h). */
export function permute<T>(items: readonly T[], order: readonly number[]): T[] {
  assertPermutation(order, items.length);
  return order.map((k) => items[k]);
}

/** W with its neuron rows reordered (a fresh copy): result[k] = W[order[k]]. */
export function applyOrder(W: Matrix, order: readonly number[]): number[][] {
  return permute(W, order).map((row) => [...row]);
}
