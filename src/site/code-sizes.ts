// Chapter 2's measurements from a data file: how many neurons each feature's code uses as density falls
// (src/analysis/codes.ts), for each level's winner and, where the population file is there, for all K
// models of the level (so a finding does not rest on one model per density). Pure: the caller reads the
// files (the population collection, scripts/code-sizes.ts).

import { pcg4d } from "../model/rng.ts";
import { codeSizeSweep, codeStructure, type Analysis, type CodeSizeSweep } from "../analysis/index.ts";
import { analyseFile } from "./experiment.ts";
import type { DataFile } from "../data/schema.ts";

export interface PopulationCodeLevel {
  density: number;
  /** Models analysed (the level's finished ones). */
  models: number;
  /** Represented features, all the level's models together. */
  represented: number;
  /** Models that code at least one feature with three or more neurons. */
  withThreeNeuronCode: number;
  /** Mean number of distinct codes per model. */
  meanDistinct: number;
  /** sizeShares[k]: share of all the models' represented features whose code uses k neurons (k ≥ 1;
   *  index 0 is the share of features dropped, of all features). */
  sizeShares: number[];
  /** The largest code size in any model of the level. */
  largest: number;
  /** Per analysed model, how many of its represented features use 1, 2, … m neurons (for codeSizeShift). */
  modelSizes?: number[][];
}

export interface ExperimentCodeSizes {
  winners: CodeSizeSweep;
  /** Per level, in file order; undefined without a population. */
  population?: PopulationCodeLevel[];
}

/** The code sizes of every level's winner, and of its whole population when `analyses` (as from
 *  analysePopulation: analyses[level][model], null for a diverged model) is given. */
export function experimentCodeSizes(file: DataFile, analyses?: readonly (readonly (Analysis | null)[])[]): ExperimentCodeSizes {
  const m = file.config.neurons;
  // The winners' analyses as every figure and fact uses them (analysed once per file).
  const winners = codeSizeSweep(analyseFile(file).map((a) => ({ density: a.level.density, codes: a.analysis.codes })), m);
  if (!analyses) return { winners };
  const population = file.levels.map((level, li) => {
    const models = analyses[li].filter((a): a is Analysis => a !== null);
    const structures = models.map((a) => codeStructure(a.codes, m));
    const sizes = new Array(m + 1).fill(0);
    for (const s of structures) s.sizes.forEach((c, k) => (sizes[k] += c));
    const represented = sizes.reduce((t, c, k) => (k > 0 ? t + c : t), 0);
    const all = represented + sizes[0];
    return {
      density: level.density,
      models: models.length,
      represented,
      withThreeNeuronCode: structures.filter((s) => s.largest >= 3).length,
      meanDistinct: structures.length ? structures.reduce((t, s) => t + s.distinct, 0) / structures.length : 0,
      sizeShares: sizes.map((c, k) => (k === 0 ? (all ? c / all : 0) : represented ? c / represented : 0)),
      largest: Math.max(0, ...structures.map((s) => s.largest)),
      modelSizes: structures.map((st) => st.sizes.slice(1)),
    };
  });
  return { winners, population };
}

/** The share (%) of represented features whose code size would have to change to turn one distribution
 *  of code sizes into the other: the total variation distance between two lists of shares (index k: the
 *  share of features on k + 1 neurons). */
export function shareDistance(a: readonly number[], b: readonly number[]): number {
  return 50 * Array.from({ length: Math.max(a.length, b.length) }, (_, k) => Math.abs((a[k] ?? 0) - (b[k] ?? 0))).reduce((t, x) => t + x, 0);
}

/** shareDistance between two groups of models, features pooled over each group's models (rows: per
 *  model, the features on 1, 2, … m neurons); NaN when a group represents no feature. */
function sizeDistance(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  const shares = (rows: readonly (readonly number[])[]) => {
    const pooled = rows.reduce((t, r) => t.map((x, k) => x + (r[k] ?? 0)), new Array(Math.max(0, ...rows.map((r) => r.length))).fill(0) as number[]);
    const n = pooled.reduce((t, x) => t + x, 0);
    return n ? pooled.map((x) => x / n) : undefined;
  };
  const sa = shares(a), sb = shares(b);
  return sa && sb ? shareDistance(sa, sb) : NaN;
}

/**
 * How far the code sizes move between two densities' populations (`shift`, as sizeDistance), and
 * whether that is more than chance: `p`, the share of `rounds` random reassignments of the models to two
 * groups of the same sizes whose distance is at least as large (a permutation test; the models, not the
 * features, are the units, since a model's features are coded together). Deterministic (pcg4d from
 * `seed`). A small p says the populations differ; a large one that K models per density cannot tell
 * them apart.
 */
export function codeSizeShift(a: readonly (readonly number[])[], b: readonly (readonly number[])[], rounds = 2000, seed = 1): { shift: number; p: number } {
  const shift = sizeDistance(a, b);
  if (!Number.isFinite(shift)) return { shift, p: NaN };
  const all = [...a, ...b];
  const order = all.map((_, k) => k);
  let atLeast = 0;
  for (let r = 0; r < rounds; r++) {
    // Fisher–Yates with the project's counter-based generator: draw k of round r.
    for (let k = order.length - 1; k > 0; k--) {
      const j = pcg4d(seed, r, k, 0x5eed)[0] % (k + 1);
      [order[k], order[j]] = [order[j], order[k]];
    }
    const d = sizeDistance(order.slice(0, a.length).map((k) => all[k]), order.slice(a.length).map((k) => all[k]));
    if (d >= shift - 1e-12) atLeast++;
  }
  return { shift, p: (atLeast + 1) / (rounds + 1) };
}
