// Build-time helpers that turn the data files into what the article shows: the analysis of every
// level's best W (through src/analysis, never re-implemented here), the sweep rows, the level shown
// for each of the paper's density bands, and the density at which the two models are compared.
// Pure functions of the data (no Astro, no Node imports), so islands can use them too.

import { analyse } from "../analysis/index.ts";
import type { Analysis } from "../analysis/index.ts";
import type { DataFile, Level } from "../data/schema.ts";
import { sweepRow } from "../figures/sweep.ts";
import type { SweepRow } from "../figures/sweep.ts";
import { formatDensity } from "../figures/format.ts";
import { superpositionExtent } from "../figures/norms.ts";

export interface AnalysedLevel {
  level: Level;
  analysis: Analysis;
  /** The best W as in the data file: row j is neuron j, the label "n<j>" in every figure. */
  W: number[][];
  /** Neuron j's role (indexed like W's rows). */
  roles: Analysis["roles"];
  /** The canonical order in which figures draw the neurons (the analysis's), e.g. [4, 0, 1, 2, 3]. The
   *  rows are only drawn in this order, never renumbered, so n4 in a figure is row 4 of the data file,
   *  in the explorer too. */
  order: number[];
}

/**
 * A data file analysed once per build: every figure, every fact and the explorer read it from here
 * (`analysedExperiment`, cached per loaded file, so `astro dev` re-analyses a rewritten file).
 */
export interface AnalysedExperiment {
  /** The declared experiment's name ("relu-hidden", "relu-n20", …): its data file is <name>.json. */
  name: string;
  /** "relu-hidden" or "linear-hidden": the model kind. */
  model: DataFile["model"];
  file: DataFile;
  /** Every level with the analysis of its best model, densest first. */
  levels: AnalysedLevel[];
}

const cache = new WeakMap<DataFile, AnalysedExperiment>();

/** The file with every level's best model analysed (once per file object). `name`: the experiment's,
 *  where it is not the model kind. */
export function analysedExperiment(file: DataFile, name: string = file.model): AnalysedExperiment {
  let out = cache.get(file);
  if (!out) {
    const levels = file.levels
      .map((level) => {
        const analysis = analyse(level.best.W, level.best.b, { importance: file.config.importance });
        return { level, analysis, W: level.best.W, roles: analysis.roles, order: analysis.order };
      })
      .sort((a, b) => b.level.density - a.level.density);
    cache.set(file, (out = { name, model: file.model, file, levels }));
  }
  return out;
}

/** The end of the superposition colour scale for a file's figures: the largest superposition of a kept
 *  feature in any of its models (at least 1), so every figure of the file colours alike. */
export function superpositionMax(...exps: { levels: readonly Pick<AnalysedLevel, "analysis">[] }[]): number {
  return superpositionExtent(...exps.flatMap((e) => e.levels.map((l) => l.analysis)));
}

/** Every level of a file with the analysis of its best model, densest first. */
export function analyseFile(file: DataFile): AnalysedLevel[] {
  return analysedExperiment(file).levels;
}

/** The level trained at `density` (exact match), or undefined. */
export function levelAt(file: DataFile, density: number): AnalysedLevel | undefined {
  return analyseFile(file).find((a) => a.level.density === density);
}

/** One sweep row per level, densest first, with the regime the paper reports for its band (null
 *  between the bands). */
export function sweepRows(file: DataFile): SweepRow[] {
  const bands = selectBandLevels(file);
  const paper = (density: number) => bands.find((b) => b.members.some((m) => m.level.density === density))?.band.expected ?? null;
  return analyseFile(file)
    .map(({ level, analysis }) => sweepRow(level, analysis, paper(level.density)))
    .sort((a, b) => b.density - a.density);
}

/**
 * The paper's six density bands for the ReLU hidden layer model, with the regime the paper reports
 * in each. These are the section's structure (what is claimed where), not results: what our models
 * do in each band is read from the data and the analysis.
 */
export interface PaperBand {
  id: string;
  /** Inclusive density range [lo, hi]. A single density has lo = hi. */
  lo: number;
  hi: number;
  /** The band as the paper writes it. */
  text: string;
  /** The regime the paper reports in this band (an analysis RegimeId). */
  expected: string;
}

export const PAPER_BANDS: readonly PaperBand[] = [
  { id: "dense", lo: 0.5, hi: 1, text: "≥ 0.5", expected: "all-monosemantic" },
  { id: "moderate", lo: 0.2, hi: 0.5, text: "0.2–0.5", expected: "three-in-two" },
  { id: "d015", lo: 0.15, hi: 0.15, text: "0.15", expected: "five-in-three" },
  { id: "d012", lo: 0.12, hi: 0.12, text: "0.12", expected: "six-in-four" },
  { id: "sparse", lo: 0.05, hi: 0.08, text: "0.05–0.08", expected: "eight-in-five" },
  { id: "very-sparse", lo: 0, hi: 0.04, text: "≤ 0.04", expected: "feature-pairs" },
];

export interface BandSelection {
  band: PaperBand;
  /** Every trained level in the band, densest first (a density on a shared edge, 0.5, goes to the denser band). */
  members: AnalysedLevel[];
  /** The level shown for the band, or null when no trained density falls in it. */
  shown: AnalysedLevel | null;
  /** How `shown` was chosen, in words. */
  why: string;
  /** How many members carry the paper's label for the band. */
  matching: number;
}

const logDistance = (a: number, b: number) => Math.abs(Math.log(a) - Math.log(b));

/**
 * For each paper band, the trained levels inside it and the one to show: among the members whose
 * analysis label is the band's expected regime, the one nearest the band's (geometric) middle; if
 * none carries it, the member nearest the middle. The rule is stated in the figure caption.
 */
export function selectBandLevels(file: DataFile, bands: readonly PaperBand[] = PAPER_BANDS): BandSelection[] {
  const levels = analyseFile(file);
  const claimed = new Set<number>();
  return bands.map((band) => {
    const members = levels
      .filter((a) => a.level.density >= band.lo && a.level.density <= band.hi && !claimed.has(a.level.density))
      .sort((a, b) => b.level.density - a.level.density);
    for (const m of members) claimed.add(m.level.density);
    const middle = band.lo > 0 ? Math.sqrt(band.lo * band.hi) : band.hi / 2;
    const nearest = (xs: AnalysedLevel[]) => [...xs].sort((a, b) => logDistance(a.level.density, middle) - logDistance(b.level.density, middle))[0];
    const matches = members.filter((m) => m.analysis.regime.id === band.expected);
    if (!members.length) return { band, members, shown: null, why: `no trained density lies in ${band.text}`, matching: 0 };
    const only = members.length === 1;
    if (matches.length) {
      const why = only
        ? "the only trained density in the band carries the paper's label"
        : `${matches.length === members.length ? `all ${members.length}` : `${matches.length} of the ${members.length}`} trained densities in the band ${matches.length === 1 ? "carries" : "carry"} the paper's label${matches.length > 1 ? "; showing the one nearest the band's middle" : ""}`;
      return { band, members, shown: nearest(matches), why, matching: matches.length };
    }
    const why = only
      ? "the only trained density in the band does not carry the paper's label"
      : `none of the ${members.length} trained densities in the band carries the paper's label; showing the one nearest the band's middle`;
    return { band, members, shown: nearest(members), why, matching: 0 };
  });
}

/** The trained levels that lie in none of the paper's bands (e.g. 0.17, between 0.15 and 0.2), densest first. */
export function levelsBetweenBands(file: DataFile, bands: readonly PaperBand[] = PAPER_BANDS): AnalysedLevel[] {
  const inBand = new Set(selectBandLevels(file, bands).flatMap((s) => s.members.map((m) => m.level.density)));
  return analyseFile(file)
    .filter((a) => !inBand.has(a.level.density))
    .sort((a, b) => b.level.density - a.level.density);
}

/**
 * The density at which the ReLU and linear hidden layer models are compared: among densities trained
 * for both, the sparsest at which the ReLU model has a neuron dedicated to a single feature (the
 * paper's observation: a privileged basis makes such neurons, and they can be read off W) and some
 * superposition (a polysemantic neuron too), then the sparsest with a dedicated neuron, then the
 * sparsest whose regime has a name; failing all, the common density nearest the geometric middle of
 * the common ones. Throws when the files share no density (use `comparisonLevels`, which then falls back).
 */
export function comparisonDensity(relu: DataFile, linear: DataFile): number {
  const common = relu.levels.map((l) => l.density).filter((d) => linear.levels.some((l) => l.density === d));
  if (!common.length) throw new Error(`the ReLU and linear data files share no density (ReLU: ${relu.levels.map((l) => formatDensity(l.density)).join(", ")}; linear: ${linear.levels.map((l) => formatDensity(l.density)).join(", ")})`);
  const sparsest = (keep: (a: AnalysedLevel) => boolean) => common.filter((d) => keep(levelAt(relu, d)!)).sort((a, b) => a - b)[0];
  const dedicated = (a: AnalysedLevel) => a.analysis.counts.monosemantic > 0;
  const found =
    sparsest((a) => dedicated(a) && a.analysis.counts.polysemantic > 0) ??
    sparsest(dedicated) ??
    sparsest((a) => a.analysis.regime.id !== "unlabelled");
  if (found !== undefined) return found;
  const middle = Math.sqrt(Math.max(...common) * Math.min(...common));
  return [...common].sort((a, b) => logDistance(a, middle) - logDistance(b, middle))[0];
}

export interface ComparisonLevels {
  relu: AnalysedLevel;
  linear: AnalysedLevel;
  /** Both models were trained at the same density (the normal case). */
  same: boolean;
}

/**
 * The two levels compared in the article: both at `comparisonDensity` when the files share a
 * density; otherwise the pair of levels closest in log-density (the sparsest such pair on ties).
 */
export function comparisonLevels(relu: DataFile, linear: DataFile): ComparisonLevels {
  const shared = relu.levels.some((r) => linear.levels.some((l) => l.density === r.density));
  if (shared) {
    const d = comparisonDensity(relu, linear);
    return { relu: levelAt(relu, d)!, linear: levelAt(linear, d)!, same: true };
  }
  let best: [AnalysedLevel, AnalysedLevel] | undefined;
  for (const r of analyseFile(relu)) {
    for (const l of analyseFile(linear)) {
      if (!best) best = [r, l];
      const gap = logDistance(r.level.density, l.level.density);
      const bestGap = logDistance(best[0].level.density, best[1].level.density);
      if (gap < bestGap - 1e-12 || (Math.abs(gap - bestGap) <= 1e-12 && r.level.density < best[0].level.density)) best = [r, l];
    }
  }
  return { relu: best![0], linear: best![1], same: false };
}

/** Counts of levels per regime id, in first-seen order (densest first). */
export function regimeTally(file: DataFile): { id: string; phrase: string; densities: number[] }[] {
  const tally: { id: string; phrase: string; densities: number[] }[] = [];
  for (const { level, analysis } of analyseFile(file)) {
    const id = analysis.regime.id;
    const phrase = id === "unlabelled" ? "unlabelled" : analysis.regime.phrase;
    let t = tally.find((x) => x.id === id);
    if (!t) tally.push((t = { id, phrase, densities: [] }));
    t.densities.push(level.density);
  }
  return tally;
}
