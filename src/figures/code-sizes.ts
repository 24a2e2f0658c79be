// How many neurons each feature's code uses, as density falls (chapter 2): for each trained density a
// stacked bar of the represented features by code size (1, 2, 3, … neurons), one row of bars for the
// level's winner and, where the population was kept, one for all K models of the level together. The
// paper's n = 10 models only ever use codes of one or two neurons; a dense binary code would show as
// bars taken over by sizes three and up. Rows come from src/site/code-sizes.ts; this only draws them.

import * as Plot from "@observablehq/plot";
import { formatDensity } from "./format.ts";
import type { CommonPlotOptions, PlotSpec } from "./types.ts";

export interface CodeSizeBar {
  density: number;
  /** Which models the bar counts: the level's winner, or all its models. */
  models: "winner" | "population";
  /** sizes[k]: share (0…1) of the represented features whose code uses k neurons, k = 1 … m (index 0
   *  unused). Sums to 1, or is all zero where nothing is represented. */
  shares: readonly number[];
  /** Features counted (for the tooltip): the winner's represented features, or all models' together. */
  represented: number;
}

export const CODE_SIZE_ROW_LABELS = { winner: "winner", population: "all K models" } as const;

/** Sequential colours for code sizes 1 … 5+ (ColorBrewer YlGnBu, colour-blind safe): one neuron pale,
 *  more neurons darker, so a shift towards larger codes darkens the bars. */
export const CODE_SIZE_COLOURS: readonly string[] = ["#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"];

function codeSizeColour(k: number): string {
  return CODE_SIZE_COLOURS[Math.min(k, CODE_SIZE_COLOURS.length) - 1];
}

export interface CodeSizesPlotOptions extends CommonPlotOptions {
  /** m: the largest possible code size (the legend lists 1 … m). Default: the bars' length − 1. */
  neurons?: number;
}

/** The stacked bars; densities left to right from dense to sparse, as the article's sweeps read. */
export function codeSizesPlot(bars: readonly CodeSizeBar[], options: CodeSizesPlotOptions = {}): PlotSpec {
  if (!bars.length) throw new Error("codeSizesPlot: no bars");
  const m = options.neurons ?? Math.max(...bars.map((b) => b.shares.length - 1));
  const densities = [...new Set(bars.map((b) => b.density))].sort((a, b) => b - a);
  const rows = (["winner", "population"] as const).filter((r) => bars.some((b) => b.models === r));
  const segments = bars.flatMap((b) =>
    b.shares.flatMap((share, k) => (k === 0 || share <= 0 ? [] : [{ density: b.density, row: CODE_SIZE_ROW_LABELS[b.models], size: k, share, represented: b.represented }])),
  );
  const sizes = Array.from({ length: m }, (_, k) => k + 1);
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? "Share of represented features by the number of neurons in their code, at each density",
    ariaDescription:
      options.ariaDescription ??
      `Stacked bars, one per density from ${formatDensity(densities[0])} to ${formatDensity(densities[densities.length - 1])}${rows.length > 1 ? ", for each level's winner and for all its models" : ""}: the share of represented features coded with 1 to ${m} neurons.`,
    width: options.width ?? Math.max(360, 70 + densities.length * 44),
    height: options.height ?? 40 + rows.length * 120,
    marginLeft: 46,
    marginRight: rows.length > 1 ? 84 : 10,
    x: { type: "band", domain: densities, tickFormat: formatDensity, label: "feature density 1 − S →", padding: 0.15 },
    y: { domain: [0, 1], tickFormat: (v: number) => `${Math.round(100 * v)}%`, ticks: 4, label: "features", grid: true },
    fy: rows.length > 1 ? { domain: rows.map((r) => CODE_SIZE_ROW_LABELS[r]), label: null } : undefined,
    color: { type: "ordinal", domain: sizes, range: sizes.map(codeSizeColour), legend: false },
    marks: [
      Plot.barY(segments, {
        x: "density",
        y: "share",
        fy: rows.length > 1 ? "row" : undefined,
        fill: "size",
        order: "size",
        stroke: "white",
        strokeWidth: 0.5,
        title: (d: (typeof segments)[number]) => `density ${formatDensity(d.density)}, ${d.row}: ${(100 * d.share).toFixed(1)}% of ${d.represented.toLocaleString("en")} represented features coded with ${d.size} neuron${d.size === 1 ? "" : "s"}`,
      }),
      Plot.ruleY([0]),
    ],
  };
}

/** The legend of code sizes: a swatch per size 1 … m. */
export function codeSizeLegendPlot(neurons: number, options: { width?: number } = {}): PlotSpec {
  // Sizes beyond the palette share its last colour, so the legend stops there ("5+").
  const sizes = Array.from({ length: Math.min(neurons, CODE_SIZE_COLOURS.length) }, (_, k) => k + 1);
  const width = options.width ?? 90 + neurons * 62;
  return {
    width,
    height: 26,
    margin: 0,
    marginLeft: 0,
    x: { domain: [0, width], axis: null },
    y: { domain: [0, 1], axis: null },
    ariaLabel: `Legend: code sizes 1 to ${neurons} neurons`,
    marks: [
      Plot.text(["neurons per code:"], { x: 0, y: 0.5, textAnchor: "start", fontSize: 11 }),
      Plot.rect(sizes, { x1: (k: number) => 100 + (k - 1) * 62, x2: (k: number) => 114 + (k - 1) * 62, y1: 0.2, y2: 0.8, fill: (k: number) => codeSizeColour(k), stroke: "#777", strokeWidth: 0.5 }),
      Plot.text(sizes, { x: (k: number) => 118 + (k - 1) * 62, y: 0.5, text: (k: number) => (k === CODE_SIZE_COLOURS.length && neurons > k ? `${k}+` : String(k)), textAnchor: "start", fontSize: 11 }),
    ],
  };
}
