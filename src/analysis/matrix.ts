// Small helpers on the weight matrix W as stored in the data files: `W[j][i]`, m rows (neurons) ×
// n columns (features). Column i is feature i's embedding W_i; row j is what neuron j reads.

/** W as stored in the data files: `W[j][i]` is neuron j's weight on feature i. */
export type Matrix = readonly (readonly number[])[];

/** Which features appear most important: `importance[i]` is I_i (higher = more important). */
export type Importance = readonly number[];

/**
 * The shape of W, after checking it: at least one neuron and one feature, every row the same
 * length, every entry finite. Throws a one-line error otherwise.
 */
export function matrixShape(W: Matrix): { neurons: number; features: number } {
  if (W.length === 0) throw new Error("W must have at least one row (neuron)");
  const features = W[0].length;
  if (features === 0) throw new Error("W must have at least one column (feature)");
  W.forEach((row, j) => {
    if (row.length !== features) throw new Error(`W row ${j} has ${row.length} entries, expected ${features}`);
    row.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new Error(`W[${j}][${i}] is not finite (${v})`);
    });
  });
  return { neurons: W.length, features };
}

/** Feature i's embedding W_i (column i of W), one entry per neuron. */
export function column(W: Matrix, i: number): number[] {
  return W.map((row) => row[i]);
}

/** The largest positive entry of W (0 if none): the scale of what neurons actually carry. */
export function maxPositiveEntry(W: Matrix): number {
  let max = 0;
  for (const row of W) for (const v of row) max = Math.max(max, v);
  return max;
}

export function maxAbsEntry(W: Matrix): number {
  let max = 0;
  for (const row of W) for (const v of row) max = Math.max(max, Math.abs(v));
  return max;
}

/**
 * Feature indices from most to least important: by importance descending, ties (and the case with
 * no importance given) by lower index first. Without importance this is 0, 1, …, n−1, which is the
 * paper's order since I_i = 0.75^i decreases with i.
 */
export function featuresByImportance(features: number, importance?: Importance): number[] {
  const idx = Array.from({ length: features }, (_, i) => i);
  if (!importance) return idx;
  if (importance.length !== features) throw new Error(`importance has ${importance.length} entries, expected ${features}`);
  if (importance.some((v) => !Number.isFinite(v))) throw new Error("importance entries must be finite");
  return idx.sort((a, b) => importance[b] - importance[a] || a - b);
}

/** rank[i] = position of feature i in `featuresByImportance` (0 = most important). */
export function importanceRank(features: number, importance?: Importance): number[] {
  const rank = new Array<number>(features);
  featuresByImportance(features, importance).forEach((i, r) => (rank[i] = r));
  return rank;
}
