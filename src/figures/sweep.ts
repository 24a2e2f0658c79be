// The sweep over every trained density: which regime each best model is in, how many features it
// represents and how many of its neurons are monosemantic, its loss and the spread of the K losses,
// and each feature's norm and superposition. Each row is built from one level of a data file and
// the analysis of its best W (src/analysis); the figures below only draw rows.

import * as Plot from "@observablehq/plot";
import { formatDensity, formatLoss, superscript } from "./format.ts";
import { superpositionExtent, superpositionScale } from "./norms.ts";
import { range } from "./types.ts";
import type { CommonPlotOptions, PlotSpec } from "./types.ts";

export interface SweepRow {
  density: number;
  /** Machine id of the regime label ("all-monosemantic", …, "unlabelled"). */
  regime: string;
  /** The label in words. */
  phrase: string;
  features: number;
  neurons: number;
  represented: number;
  monosemantic: number;
  polysemantic: number;
  dead: number;
  /** Held-out losses of the K models that finished, ascending (losses[0] is the best). */
  losses: readonly number[];
  diverged: number;
  /** Per feature of the best model: ‖W_i‖, ‖W_i⁺‖ (where the analysis gives it), superposition, dropped. */
  norms: readonly number[];
  positiveNorms?: readonly number[];
  superposition: readonly number[];
  dropped: readonly number[];
  /** The regime the paper reports for the band this density lies in; null between the paper's bands;
   *  absent when not compared. */
  paperRegime?: string | null;
}

/** The parts of a data file level and of its analysis that a sweep row needs (structural types). */
export interface SweepLevel {
  density: number;
  losses: readonly number[];
  diverged: number;
}
export interface SweepAnalysis {
  regime: { id: string; phrase: string };
  counts: { features: number; neurons: number; represented: number; monosemantic: number; polysemantic: number; dead: number };
  norms: readonly number[];
  positiveNorms?: readonly number[];
  superposition: readonly number[];
  dropped: readonly number[];
}

export function sweepRow(level: SweepLevel, analysis: SweepAnalysis, paperRegime?: string | null): SweepRow {
  const c = analysis.counts;
  return {
    density: level.density,
    regime: analysis.regime.id,
    phrase: analysis.regime.phrase,
    features: c.features,
    neurons: c.neurons,
    represented: c.represented,
    monosemantic: c.monosemantic,
    polysemantic: c.polysemantic,
    dead: c.dead,
    losses: level.losses,
    diverged: level.diverged,
    norms: analysis.norms,
    ...(analysis.positiveNorms && { positiveNorms: analysis.positiveNorms }),
    superposition: analysis.superposition,
    dropped: analysis.dropped,
    ...(paperRegime !== undefined && { paperRegime }),
  };
}

/** Regime ids in the order the paper meets them as density falls, and their colours (Okabe–Ito). */
export const REGIME_ORDER = ["all-monosemantic", "three-in-two", "five-in-three", "six-in-four", "eight-in-five", "feature-pairs", "unlabelled"] as const;
export const REGIME_COLOURS: Readonly<Record<string, string>> = {
  "all-monosemantic": "#0072B2",
  "three-in-two": "#56B4E9",
  "five-in-three": "#009E73",
  "six-in-four": "#F0E442",
  "eight-in-five": "#E69F00",
  "feature-pairs": "#D55E00",
  unlabelled: "#BBBBBB",
};

/** Quantiles of sorted values (linear interpolation). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface LossSummary {
  density: number;
  best: number;
  q1: number;
  median: number;
  q3: number;
  worst: number;
  count: number;
  diverged: number;
}

export function lossSummary(row: SweepRow): LossSummary {
  const s = [...row.losses].sort((a, b) => a - b);
  return { density: row.density, best: s[0], q1: quantile(s, 0.25), median: quantile(s, 0.5), q3: quantile(s, 0.75), worst: s[s.length - 1], count: s.length, diverged: row.diverged };
}

export interface SweepPlotOptions extends CommonPlotOptions {
  /** Left margin, shared by the stacked sweep panels so that their x positions line up. */
  marginLeft?: number;
}

const SWEEP_WIDTH = 720;
const SWEEP_MARGIN_LEFT = 110;

/** Densities as an ordinal x axis, densest first (sparsity grows to the right, as in the paper). */
function densityAxis(rows: readonly SweepRow[], showAxis: boolean) {
  const domain = [...rows.map((r) => r.density)].sort((a, b) => b - a);
  return {
    type: "band" as const,
    domain,
    padding: 0.1,
    tickFormat: (d: number) => formatDensity(d),
    label: showAxis ? "Density 1 − S (sparser →)" : null,
    labelAnchor: "center" as const,
    labelArrow: "none" as const,
    axis: showAxis ? ("bottom" as const) : null,
    tickRotate: domain.length > 14 ? -45 : 0,
  };
}

/**
 * One coloured cell per density, coloured and titled by the regime label of our best model; where the
 * rows carry the paper's regime for their band, a row of the paper's above it, aligned, and our cells
 * that disagree outlined, so that agreement shows at a glance (densities between the paper's bands have no
 * paper cell).
 */
export function sweepRegimePlot(rows: readonly SweepRow[], options: SweepPlotOptions = {}): PlotSpec {
  const compared = rows.some((r) => r.paperRegime !== undefined);
  const paperRows = rows.filter((r) => r.paperRegime);
  const present = REGIME_ORDER.filter((id) => rows.some((r) => r.regime === id) || paperRows.some((r) => r.paperRegime === id));
  const phrase = (id: string) => rows.find((r) => r.regime === id)?.phrase ?? id;
  const differs = rows.filter((r) => r.paperRegime && r.paperRegime !== r.regime);
  const ours = compared ? "Our models" : "Regime";
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? (compared ? "Regime of the best model at each density, under the paper's regime for its band" : "Regime of the best model at each density"),
    ariaDescription:
      options.ariaDescription ??
      rows.map((r) => `Density ${formatDensity(r.density)}: ${r.phrase}${r.paperRegime ? (r.paperRegime === r.regime ? " (as the paper)" : ` (the paper: ${r.paperRegime})`) : r.paperRegime === null ? " (between the paper's bands)" : ""}.`).join(" "),
    width: options.width ?? SWEEP_WIDTH,
    height: options.height ?? (compared ? 78 : 46),
    marginLeft: options.marginLeft ?? SWEEP_MARGIN_LEFT,
    marginTop: 4,
    marginBottom: 4,
    marginRight: 10,
    x: densityAxis(rows, false),
    y: { type: "band", domain: compared ? ["The paper", ours] : [ours], label: null, tickSize: 0, padding: 0.08 },
    color: { type: "ordinal", domain: [...present], range: present.map((id) => REGIME_COLOURS[id]) },
    marks: [
      ...(compared
        ? [
            Plot.cell(paperRows, {
              x: "density",
              y: () => "The paper",
              fill: "paperRegime",
              stroke: "white",
              title: (r: SweepRow) => `Density ${formatDensity(r.density)}, the paper: ${phrase(r.paperRegime!)}`,
            }),
          ]
        : []),
      Plot.cell(rows, {
        x: "density",
        y: () => ours,
        fill: "regime",
        stroke: "white",
        title: (r: SweepRow) => `Density ${formatDensity(r.density)}: ${r.phrase}${r.paperRegime && r.paperRegime !== r.regime ? " (not the paper's)" : ""}`,
      }),
      // Our cells that disagree with the paper's, outlined (the cells' text is left free for other marks).
      Plot.cell(differs, { x: "density", y: () => ours, fill: "none", stroke: "#111", strokeWidth: 2.5, inset: 1.5, className: "differs", ariaHidden: "true" }),
    ],
  };
}

/** Swatches naming the regime colours present in `rows`. */
export function regimeLegendPlot(rows: readonly (Pick<SweepRow, "regime" | "phrase"> & { paperRegime?: string | null })[], options: { width?: number; phrases?: Readonly<Record<string, string>> } = {}): PlotSpec {
  const present = REGIME_ORDER.filter((id) => rows.some((r) => r.regime === id || r.paperRegime === id));
  const items = present.map((id) => ({ id, label: id === "unlabelled" ? "unlabelled" : (rows.find((r) => r.regime === id)?.phrase ?? options.phrases?.[id] ?? id) }));
  const perRow = 2;
  const rowsNeeded = Math.ceil(items.length / perRow);
  const width = options.width ?? SWEEP_WIDTH;
  const colWidth = (width - 20) / perRow;
  return {
    ariaLabel: `Regime colours: ${items.map((i) => i.label).join("; ")}`,
    width,
    height: 8 + rowsNeeded * 20,
    margin: 0,
    x: { domain: [0, width], axis: null },
    y: { domain: [0, rowsNeeded * 20 + 8], axis: null, reverse: true },
    marks: [
      Plot.rect(items, {
        x1: (_: unknown, k: number) => 10 + (k % perRow) * colWidth,
        x2: (_: unknown, k: number) => 24 + (k % perRow) * colWidth,
        y1: (_: unknown, k: number) => 6 + Math.floor(k / perRow) * 20,
        y2: (_: unknown, k: number) => 20 + Math.floor(k / perRow) * 20,
        fill: (d: { id: string }) => REGIME_COLOURS[d.id],
        stroke: "#666",
        strokeWidth: 0.5,
      }),
      Plot.text(items, {
        x: (_: unknown, k: number) => 30 + (k % perRow) * colWidth,
        y: (_: unknown, k: number) => 13 + Math.floor(k / perRow) * 20,
        text: "label",
        textAnchor: "start",
        fontSize: 11,
      }),
    ],
  };
}

const COUNT_SERIES = [
  { key: "represented", label: "features represented", colour: "#0072B2", symbol: "circle" },
  { key: "monosemantic", label: "monosemantic neurons", colour: "#009E73", symbol: "square" },
  { key: "polysemantic", label: "polysemantic neurons", colour: "#CC79A7", symbol: "triangle" },
] as const;

/** Features represented, monosemantic and polysemantic neurons, by density. */
export function sweepCountsPlot(rows: readonly SweepRow[], options: SweepPlotOptions = {}): PlotSpec {
  const points = COUNT_SERIES.flatMap((s) => rows.map((r) => ({ density: r.density, series: s.label, value: r[s.key] })));
  const yMax = Math.max(...rows.map((r) => Math.max(r.features, r.neurons)));
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? "Features represented, monosemantic neurons and polysemantic neurons at each density",
    ariaDescription:
      options.ariaDescription ??
      rows.map((r) => `Density ${formatDensity(r.density)}: ${r.represented} of ${r.features} features represented, ${r.monosemantic} monosemantic and ${r.polysemantic} polysemantic of ${r.neurons} neurons.`).join(" "),
    width: options.width ?? SWEEP_WIDTH,
    height: options.height ?? 200,
    marginLeft: options.marginLeft ?? SWEEP_MARGIN_LEFT,
    marginRight: 10,
    marginTop: 22,
    marginBottom: 6,
    x: densityAxis(rows, false),
    y: { domain: [0, yMax], label: "Count", labelArrow: "none", grid: true, ticks: Math.min(yMax, 5) },
    color: { type: "ordinal", domain: COUNT_SERIES.map((s) => s.label), range: COUNT_SERIES.map((s) => s.colour) },
    symbol: { domain: COUNT_SERIES.map((s) => s.label), range: COUNT_SERIES.map((s) => s.symbol) },
    marks: [
      Plot.line(points, { x: "density", y: "value", z: "series", stroke: "series", strokeWidth: 1.5, strokeOpacity: 0.7 }),
      Plot.dot(points, {
        x: "density",
        y: "value",
        stroke: "series",
        fill: "series",
        symbol: "series",
        r: 3.5,
        title: (p: { density: number; series: string; value: number }) => `Density ${formatDensity(p.density)}: ${p.value} ${p.series}`,
      }),
    ],
  };
}

/** Swatches for the series of `sweepCountsPlot`. */
export function countsLegendPlot(options: { width?: number } = {}): PlotSpec {
  const width = options.width ?? SWEEP_WIDTH;
  const col = (width - 20) / COUNT_SERIES.length;
  return {
    ariaLabel: `Series: ${COUNT_SERIES.map((s) => s.label).join(", ")}`,
    width,
    height: 24,
    margin: 0,
    x: { domain: [0, width], axis: null },
    y: { domain: [0, 24], axis: null },
    symbol: { domain: COUNT_SERIES.map((s) => s.label), range: COUNT_SERIES.map((s) => s.symbol) },
    marks: [
      Plot.dot(COUNT_SERIES, { x: (_: unknown, k: number) => 16 + k * col, y: 12, symbol: "label", fill: "colour", stroke: "colour", r: 4.5 }),
      Plot.text(COUNT_SERIES, { x: (_: unknown, k: number) => 26 + k * col, y: 12, text: "label", textAnchor: "start", fontSize: 11 }),
    ],
  };
}

/** Best held-out loss by density (dot) and the spread of all K losses (range, quartile bar, median). */
export function sweepLossPlot(rows: readonly SweepRow[], options: SweepPlotOptions = {}): PlotSpec {
  const s = rows.map(lossSummary);
  // A log axis needs positive bounds; a loss of exactly 0 is drawn at the bottom edge.
  const positive = s.flatMap((d) => [d.best, d.worst]).filter((v) => v > 0);
  const lo = positive.length ? Math.min(...positive) : 1e-6;
  const hi = positive.length ? Math.max(...positive) : 1;
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? "Best held-out loss and the spread of the K losses at each density",
    ariaDescription:
      options.ariaDescription ??
      s.map((d) => `Density ${formatDensity(d.density)}: best ${formatLoss(d.best)}, median ${formatLoss(d.median)}, worst ${formatLoss(d.worst)} of ${d.count} models${d.diverged ? ` (${d.diverged} diverged)` : ""}.`).join(" "),
    width: options.width ?? SWEEP_WIDTH,
    height: options.height ?? 264,
    marginLeft: options.marginLeft ?? SWEEP_MARGIN_LEFT,
    marginRight: 10,
    marginTop: 24,
    marginBottom: 58,
    x: densityAxis(rows, true),
    // One format on the axis: powers of ten only.
    y: { type: "log", domain: [lo / 1.25, hi * 1.25], clamp: true, label: "Held-out loss (log)", labelArrow: "none", grid: true, ticks: powersOfTen(lo / 1.25, hi * 1.25), tickFormat: (v: number) => `10${superscript(Math.round(Math.log10(v)))}` },
    marks: [
      // The spread of the K losses: a line from the best to the worst, a box from the first to the third
      // quartile as wide as the density's column, the median across it.
      Plot.ruleX(s, { x: "density", y1: "best", y2: "worst", stroke: "#777", strokeWidth: 1 }),
      Plot.barY(s, { x: "density", y1: "q1", y2: "q3", fill: "#bbb", stroke: "#555", strokeWidth: 0.75, insetLeft: 3, insetRight: 3 }),
      Plot.tickY(s, { x: "density", y: "median", stroke: "#111", strokeWidth: 2 }),
      Plot.dot(s, {
        x: "density",
        y: "best",
        fill: "#0072B2",
        r: 3.5,
        title: (d: LossSummary) =>
          `Density ${formatDensity(d.density)}: best ${formatLoss(d.best)}; quartiles ${formatLoss(d.q1)}–${formatLoss(d.q3)}; worst ${formatLoss(d.worst)} (${d.count} models${d.diverged ? `, ${d.diverged} diverged` : ""})`,
      }),
    ],
  };
}

/** The powers of ten in [lo, hi]: the ticks of a log axis. */
function powersOfTen(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(Math.log10(lo)); k <= Math.floor(Math.log10(hi)); k++) out.push(10 ** k);
  return out;
}

/** Each feature's norm (dot area: ‖W_i⁺‖ where the analysis gives it, else ‖W_i‖) and superposition
 *  (colour, on a scale to the largest drawn) at every density: a features × density grid. */
export function superpositionSweepPlot(rows: readonly SweepRow[], options: SweepPlotOptions & { superpositionMax?: number } = {}): PlotSpec {
  const n = Math.max(...rows.map((r) => r.norms.length));
  const points = rows.flatMap((r) => r.norms.map((total, feature) => ({ density: r.density, feature, norm: r.positiveNorms?.[feature] ?? total, superposition: r.superposition[feature], dropped: r.dropped.includes(feature) })));
  const maxNorm = Math.max(1e-9, ...points.map((p) => p.norm));
  const supMax = options.superpositionMax ?? superpositionExtent(...rows);
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? "Feature norms and superposition at every density",
    ariaDescription:
      options.ariaDescription ??
      `A grid with one column per density and one row per feature. Each dot's area is the norm of the feature's positive weights ‖W_i⁺‖, its colour the feature's superposition (dark violet none, yellow ${supMax.toFixed(1)}); dropped features are drawn as small grey rings. ` +
        rows.map((r) => `Density ${formatDensity(r.density)}: ${r.represented} features represented${r.dropped.length ? `, dropped ${r.dropped.join(", ")}` : ""}.`).join(" "),
    width: options.width ?? SWEEP_WIDTH,
    height: options.height ?? 70 + n * 22,
    marginLeft: options.marginLeft ?? SWEEP_MARGIN_LEFT,
    marginRight: 10,
    marginTop: 8,
    marginBottom: 58,
    x: densityAxis(rows, true),
    y: { type: "band", domain: range(n), label: "Feature i", labelArrow: "none", tickSize: 0, tickFormat: (i: number) => `f${i}` },
    r: { domain: [0, maxNorm], range: [0, 9] },
    color: superpositionScale(supMax),
    marks: [
      Plot.dot(
        points.filter((p) => !p.dropped),
        {
          x: "density",
          y: "feature",
          r: "norm",
          fill: "superposition",
          stroke: "#333",
          strokeWidth: 0.5,
          title: (p: (typeof points)[number]) => `Density ${formatDensity(p.density)}, feature ${p.feature}: ‖W⁺‖ = ${p.norm.toFixed(2)}, superposition ${p.superposition.toFixed(2)}`,
        },
      ),
      Plot.dot(
        points.filter((p) => p.dropped),
        {
          x: "density",
          y: "feature",
          r: 2,
          stroke: "#aaa",
          fill: "none",
          title: (p: (typeof points)[number]) => `Density ${formatDensity(p.density)}, feature ${p.feature}: dropped (‖W‖ = ${p.norm.toFixed(2)})`,
        },
      ),
    ],
  };
}
