// The structure of a model's feature codes in general terms, for any n and m: how many features are
// represented in how many neurons, how many neurons each feature's code uses (its code size), and how
// many distinct codes there are. The paper's named regimes (regime.ts) are special cases; with more
// features than the paper's ten, most structures have no name, and this is what is said about them.
//
// A feature's code is the set of neurons that store it (features.ts). Over m neurons there are 2^m − 1
// non-empty codes; a "dense binary code" would give many features distinct codes of several neurons
// each, where the paper's n = 10 models use codes of one or two neurons only.

import { plural } from "../text/plural.ts";

export interface CodeStructure {
  /** n. */
  features: number;
  /** m. */
  neurons: number;
  /** Features with a non-empty code. */
  represented: number;
  /** Neurons that store at least one feature. */
  usedNeurons: number;
  /** sizes[k]: features whose code uses exactly k neurons (sizes[0]: dropped features); length m + 1. */
  sizes: number[];
  /** Distinct non-empty codes. */
  distinct: number;
  /** Represented features whose code is also another feature's (the neurons alone cannot tell them apart). */
  sharedCodes: number;
  /** The largest code size (0 when nothing is represented). */
  largest: number;
}

/** The structure of `codes` (codes[i]: the neurons storing feature i) over `neurons` neurons. */
export function codeStructure(codes: readonly (readonly number[])[], neurons: number): CodeStructure {
  const sizes = new Array(neurons + 1).fill(0);
  const used = new Set<number>();
  const byKey = new Map<string, number>();
  for (const code of codes) {
    if (code.length > neurons) throw new Error(`a code of ${code.length} neurons in a model of ${neurons}`);
    sizes[code.length]++;
    for (const j of code) used.add(j);
    if (code.length) {
      const key = [...code].sort((a, b) => a - b).join(",");
      byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
  }
  const represented = codes.length - sizes[0];
  return {
    features: codes.length,
    neurons,
    represented,
    usedNeurons: used.size,
    sizes,
    distinct: byKey.size,
    sharedCodes: [...byKey.values()].filter((c) => c > 1).reduce((s, c) => s + c, 0),
    largest: sizes.reduce((top, count, k) => (count > 0 && k > 0 ? k : top), 0),
  };
}

const NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const neuronsWord = (k: number) => `${NUMBER_WORDS[k] ?? k} ${k === 1 ? "neuron" : "neurons"}`;

/** How many neurons the features' codes use: "2 features on one neuron, 9 on two neurons, 3 on three
 *  neurons" (sizes with no feature left out; "no feature represented" when none is). */
export function describeCodeSizes(s: Pick<CodeStructure, "sizes">): string {
  const parts = s.sizes.flatMap((count, k) => (k > 0 && count > 0 ? [{ count, k }] : []));
  if (!parts.length) return "no feature represented";
  return parts.map(({ count, k }, p) => `${p === 0 ? plural(count, "feature") : count} on ${neuronsWord(k)}`).join(", ");
}

/**
 * The structure in words: "14 features in 5 neurons: 2 features on one neuron, 9 on two neurons, 3 on
 * three neurons; 13 distinct codes (2 features share one)", with the dropped features when there are any.
 */
export function describeStructure(s: CodeStructure): string {
  const dropped = s.sizes[0] > 0 ? ` (${s.sizes[0]} dropped)` : "";
  const shared = s.sharedCodes > 0 ? ` (${s.sharedCodes} features share ${s.sharedCodes === 2 ? "one" : "codes"})` : "";
  return `${plural(s.represented, "feature")}${dropped} in ${plural(s.usedNeurons, "neuron")}: ${describeCodeSizes(s)}; ${plural(s.distinct, "distinct code")}${shared}`;
}

/** One model of a density sweep: its density and codes. */
export interface SweepModel {
  density: number;
  codes: readonly (readonly number[])[];
}

export interface CodeSizeRow {
  density: number;
  structure: CodeStructure;
  /** Mean code size over represented features (0 when none is). */
  meanSize: number;
}

export interface CodeSizeSweep {
  /** One row per model, densest first. */
  rows: CodeSizeRow[];
  /** The densest level whose model codes some feature with ≥ 3 neurons, or null. */
  firstThreeNeuronDensity: number | null;
  /** Every level whose model codes some feature with ≥ 3 neurons, densest first. */
  threeNeuronDensities: number[];
  /** The largest code size at any level, and the densest level where it occurs. */
  largest: { size: number; density: number | null };
  /** The sparsest levels over which the code-size distribution and the number of distinct codes no
   *  longer change (at least the sparsest level itself), densest first. */
  settled: number[];
}

/** Code sizes as density falls, over one model per level (e.g. each level's winner). */
export function codeSizeSweep(models: readonly SweepModel[], neurons: number): CodeSizeSweep {
  const rows = [...models]
    .sort((a, b) => b.density - a.density)
    .map(({ density, codes }) => {
      const structure = codeStructure(codes, neurons);
      const total = structure.sizes.reduce((s, c, k) => s + c * k, 0);
      return { density, structure, meanSize: structure.represented ? total / structure.represented : 0 };
    });
  const three = rows.filter((r) => r.structure.largest >= 3).map((r) => r.density);
  const top = rows.reduce((best, r) => (r.structure.largest > best.size ? { size: r.structure.largest, density: r.density } : best), { size: 0, density: null as number | null });
  const same = (a: CodeStructure, b: CodeStructure) => a.distinct === b.distinct && a.sizes.every((c, k) => c === b.sizes[k]);
  let from = rows.length - 1;
  while (from > 0 && same(rows[from - 1].structure, rows[rows.length - 1].structure)) from--;
  return {
    rows,
    firstThreeNeuronDensity: three[0] ?? null,
    threeNeuronDensities: three,
    largest: top,
    settled: rows.slice(from).map((r) => r.density),
  };
}
