// Features coloured by superposition: one bar per feature, coloured by how much the other features
// overlap its direction, Σ_{k≠i} (Ŵ_i·W_k)² (the paper's measure). Through h = ReLU(Wx) only positive
// weights carry a feature (the analysis's drop rule measures ‖W_i⁺‖, the norm of the positive weights),
// so the bar's length is ‖W_i⁺‖; where negative weights, which only silence a neuron, make the whole
// column's norm ‖W_i‖ longer, a tick marks it. The numbers come from the analysis module (src/analysis:
// featureNorms, positiveFeatureNorms, featureSuperposition).

import * as Plot from "@observablehq/plot";
import { SUPERPOSITION_SCHEME } from "./palette.ts";
import { range } from "./types.ts";
import type { CommonPlotOptions, PlotSpec } from "./types.ts";

export interface FeatureNormsInput {
  /** ‖W_i‖ per feature. */
  norms: readonly number[];
  /** ‖W_i⁺‖ per feature (the bars' length); without it the bars are ‖W_i‖ (a linear hidden layer). */
  positiveNorms?: readonly number[];
  /** Σ_{k≠i} (Ŵ_i·W_k)² per feature. */
  superposition: readonly number[];
  /** Features the analysis counts as dropped (drawn hatched-grey, labelled "dropped"). */
  dropped?: readonly number[];
}

export interface FeatureNormsOptions extends CommonPlotOptions {
  /** x domain [0, xMax]; give compared panels the same value. Default: the largest norm. */
  xMax?: number;
  /** The end of the superposition scale. Default: the largest superposition of a kept feature (at least 1). */
  superpositionMax?: number;
  /** Height of one feature's row in px. Default 17. */
  row?: number;
}

export interface NormBar {
  feature: number;
  /** The bar's length: ‖W_i⁺‖, or ‖W_i‖ without positive norms. */
  norm: number;
  /** ‖W_i‖. */
  total: number;
  superposition: number;
  dropped: boolean;
}

export function normBars(input: FeatureNormsInput): NormBar[] {
  if (input.norms.length !== input.superposition.length) throw new Error("norms and superposition differ in length");
  const dropped = new Set(input.dropped ?? []);
  return input.norms.map((total, feature) => ({ feature, norm: input.positiveNorms?.[feature] ?? total, total, superposition: input.superposition[feature], dropped: dropped.has(feature) }));
}

/** The superposition colour scale, shared by the bars, the stack plots and their legend; it runs to
 *  `max` (give it the largest value drawn: superposition exceeds 1 when several features, or longer
 *  ones, overlap a feature's direction, and reaches tens in the sparsest models). Symmetric-log, so
 *  that the values near 0 and 1 (no overlap; one twin's worth) stay apart while the scale reaches the
 *  largest. */
export function superpositionScale(max = 1) {
  return { type: "symlog" as const, constant: 1, scheme: SUPERPOSITION_SCHEME, domain: [0, max], clamp: true };
}

/** The largest superposition of the features that are kept (dropped ones have almost no length, and
 *  so an unbounded ratio), at least 1: the end of a shared superposition scale. */
export function superpositionExtent(...inputs: { superposition: readonly number[]; dropped?: readonly number[] }[]): number {
  let m = 1;
  for (const x of inputs) x.superposition.forEach((v, i) => !x.dropped?.includes(i) && (m = Math.max(m, v)));
  return m;
}

export function featureNormsPlot(input: FeatureNormsInput, options: FeatureNormsOptions = {}): PlotSpec {
  const bars = normBars(input);
  const n = bars.length;
  const xMax = options.xMax ?? Math.max(1e-9, ...bars.map((b) => b.total));
  const supMax = options.superpositionMax ?? superpositionExtent(input);
  const positive = Boolean(input.positiveNorms);
  const row = options.row ?? 17;
  const kept = bars.filter((b) => !b.dropped);
  const dropped = bars.filter((b) => b.dropped);
  const fmt = (v: number) => v.toFixed(2);
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? `Feature norms ‖W_i‖ of ${n} features, coloured by superposition`,
    ariaDescription:
      options.ariaDescription ??
      `Horizontal bars, one per feature from most to least important; length is the norm of the feature's ${positive ? "positive weights (a tick marks the norm of all its weights where that is longer)" : "embedding"}, colour is its superposition with the other features (dark: none, yellow: ${fmt(supMax)}). ` +
        bars.map((b) => `Feature ${b.feature}: norm ${fmt(b.norm)}${positive ? ` (all weights ${fmt(b.total)})` : ""}, superposition ${fmt(b.superposition)}${b.dropped ? " (dropped)" : ""}.`).join(" "),
    width: options.width ?? 230,
    height: options.height ?? 40 + n * row,
    marginLeft: 34,
    marginRight: 14,
    marginTop: 8,
    marginBottom: 32,
    x: { domain: [0, xMax], label: positive ? "‖Wᵢ⁺‖ (bar), ‖Wᵢ‖ (tick)" : "‖Wᵢ‖", labelArrow: "none", labelAnchor: "center", ticks: 3, nice: false },
    y: { type: "band", domain: range(n), label: null, tickSize: 0, padding: 0.18, tickFormat: (i: number) => `f${i}` },
    color: superpositionScale(supMax),
    marks: [
      Plot.barX(kept, {
        x: "norm",
        y: "feature",
        fill: "superposition",
        stroke: "#333",
        strokeWidth: 0.5,
        title: (b: NormBar) => `Feature ${b.feature}: ${positive ? `‖W⁺‖ = ${fmt(b.norm)}, ‖W‖ = ${fmt(b.total)}` : `‖W‖ = ${fmt(b.norm)}`}, superposition = ${fmt(b.superposition)}`,
      }),
      // The norm of all the feature's weights, where negative weights make it longer than the bar.
      ...(positive ? [Plot.tickX(kept.filter((b) => b.total > b.norm * 1.02), { x: "total", y: "feature", stroke: "#111", strokeWidth: 1.5, className: "total-norm" })] : []),
      Plot.barX(dropped, {
        x: "norm",
        y: "feature",
        fill: "#ddd",
        stroke: "#999",
        strokeWidth: 0.5,
        title: (b: NormBar) => `Feature ${b.feature}: dropped (${positive ? `‖W⁺‖ = ${fmt(b.norm)}, ` : ""}‖W‖ = ${fmt(b.total)})`,
      }),
      Plot.text(dropped, { x: 0, y: "feature", text: () => "dropped", textAnchor: "start", dx: 3, fill: "#666", fontSize: 9, fontStyle: "italic" }),
      Plot.ruleX([0], { stroke: "#222" }),
    ],
  };
}
