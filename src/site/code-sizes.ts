// Chapter 2's measurements from a data file: how many neurons each feature's code uses as density falls
// (src/analysis/codes.ts), for each level's winner and, where the population file is there, for all K
// models of the level (so a finding does not rest on one model per density). Pure: the caller reads the
// files (the population collection, scripts/code-sizes.ts).

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
    };
  });
  return { winners, population };
}
