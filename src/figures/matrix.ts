// W as a matrix: neurons × features heatmap on a diverging colour scale centred at 0.

import * as Plot from "@observablehq/plot";
import { formatSigned } from "./format.ts";
import { WEIGHT_SCHEME } from "./palette.ts";
import { maxAbs, permutation, range, roleShort, shape, tagWeights } from "./types.ts";
import type { CommonPlotOptions, NeuronRoleName, PlotSpec, WeightMarkOptions, Weights } from "./types.ts";

export interface MatrixPlotOptions extends CommonPlotOptions, WeightMarkOptions {
  /**
   * Half-width of the colour domain: colours run from −maxAbs (red) through 0 (white) to +maxAbs
   * (blue); weights beyond it get the end colour. Default max|W|. Give every panel that is compared
   * the same value (see `sharedMaxAbs`, and `positiveColourCap` for ReLU hidden layer models).
   */
  maxAbs?: number;
  /** Order of the neurons (rows) from top to bottom; a permutation of 0…m−1. Default 0…m−1. */
  neuronOrder?: readonly number[];
  /** Each neuron's role; when given it is written at the right end of its row. */
  roles?: readonly NeuronRoleName[];
  /** Print each weight in its cell (1 decimal). Default false. */
  showValues?: boolean;
  /** Side of one cell in px. Default 34, smaller for many features (MATRIX_WIDTH / n, at least 20), so a
   *  wide matrix keeps to about the width of the text column and its labels stay legible on a phone. */
  cell?: number;
}

export interface MatrixCell {
  neuron: number;
  feature: number;
  w: number;
}

/** The cells of the heatmap, one per entry of W, row by row. */
export function matrixCells(W: Weights): MatrixCell[] {
  const cells: MatrixCell[] = [];
  W.forEach((row, neuron) => row.forEach((w, feature) => cells.push({ neuron, feature, w })));
  return cells;
}

/** The colour half-width that puts several matrices on one scale: the largest |w| among them. */
export function sharedMaxAbs(...Ws: Weights[]): number {
  return Math.max(...Ws.map(maxAbs));
}

/**
 * The colour half-width for ReLU hidden layer matrices: the largest POSITIVE weight among them (max|w|
 * when none is positive). Positive weights are what carry a feature through a neuron; at some densities
 * the best model also has one or two large negative weights (down to about −5 against positive ones
 * near 1) that only silence a neuron, and a scale stretched to them would leave every positive weight
 * nearly white. Weights beyond the half-width are drawn at full colour (matrixPlot's scale clamps), and
 * weightLegendPlot marks the clamped end "≤"; the values themselves are in the tooltips.
 */
export function positiveColourCap(...Ws: Weights[]): number {
  let cap = 0;
  for (const W of Ws) for (const row of W) for (const v of row) cap = Math.max(cap, v);
  return cap > 0 ? cap : sharedMaxAbs(...Ws);
}

/** The smallest and largest weight among several matrices (for weightLegendPlot's `extent`). */
export function weightExtent(...Ws: Weights[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const W of Ws) for (const row of W) for (const v of row) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return [lo, hi];
}

/** The cells' span in px that a matrix of many features keeps to (about the text column). */
export const MATRIX_WIDTH = 720;

/** The default cell side for n features: 34 px up to 21 features, then MATRIX_WIDTH / n down to 20 px. */
export function matrixCell(features: number): number {
  return Math.max(20, Math.min(34, Math.floor(MATRIX_WIDTH / features)));
}

/** Whether weights fit printed in cells of this side (one decimal and a sign need about 28 px). */
export function valuesFit(cell: number): boolean {
  return cell >= 28;
}

export function matrixPlot(W: Weights, options: MatrixPlotOptions = {}): PlotSpec {
  const { neurons, features } = shape(W);
  const order = permutation(options.neuronOrder, neurons, "neuronOrder");
  const half = options.maxAbs ?? maxAbs(W);
  const d = half > 0 ? half : 1;
  const cell = options.cell ?? matrixCell(features);
  const roles = options.roles;
  const marginLeft = 62;
  const marginRight = roles ? 44 : 12;
  const marginTop = 8;
  const marginBottom = 40;
  const cells = matrixCells(W);
  const strong = 0.55 * d;
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? `Weight matrix W: ${neurons} neurons by ${features} features`,
    ariaDescription:
      options.ariaDescription ??
      `Heatmap of W. Rows are neurons, columns are features in order of importance. Blue cells are positive weights, red cells negative, white near zero; the colour scale runs from ${formatSigned(-d)} to ${formatSigned(d)}${maxAbs(W) > d * (1 + 1e-9) ? ", and weights beyond it get the end colour" : ""}.`,
    width: options.width ?? marginLeft + marginRight + features * cell,
    height: options.height ?? marginTop + marginBottom + neurons * cell,
    marginLeft,
    marginRight,
    marginTop,
    marginBottom,
    x: { type: "band", domain: range(features), label: "Feature i (most → least important)", labelAnchor: "center", labelArrow: "none", tickSize: 0, padding: 0.04 },
    y: { type: "band", domain: order, label: "Neuron", labelArrow: "none", tickSize: 0, padding: 0.04, tickFormat: (j: number) => `n${j}` },
    color: { type: "diverging", scheme: WEIGHT_SCHEME, domain: [-d, d], pivot: 0, symmetric: true, clamp: true },
    marks: [
      Plot.cell(cells, {
        x: "feature",
        y: "neuron",
        fill: "w",
        stroke: "#ccc",
        strokeWidth: 0.5,
        title: (c: MatrixCell) => (options.weightTitle ? options.weightTitle(c.neuron, c.feature, c.w) : `Neuron ${c.neuron}, feature ${c.feature}: w = ${formatSigned(c.w, 3)}`),
        render: tagWeights(cells),
      }),
      // Values in the cells: white on strong colours, dark elsewhere (two marks, because a fill
      // channel here would go through the diverging colour scale).
      ...(options.showValues
        ? [true, false].map((onStrong) =>
            Plot.text(
              cells.filter((c) => Math.abs(c.w) > strong === onStrong),
              { x: "feature", y: "neuron", text: (c: MatrixCell) => formatSigned(c.w, 1), fill: onStrong ? "white" : "#222", fontSize: 9, ariaHidden: "true" },
            ),
          )
        : []),
      ...(roles
        ? [
            Plot.axisY({
              anchor: "right",
              label: null,
              tickSize: 0,
              tickFormat: (j: number) => roleShort(roles[j]),
              ariaLabel: "neuron role",
            }),
          ]
        : []),
    ],
  };
}
