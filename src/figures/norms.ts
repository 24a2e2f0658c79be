// Features coloured by superposition: one bar per feature of length ‖W_i‖, coloured by how much the
// other features overlap its direction, Σ_{k≠i} (Ŵ_i·W_k)² (the paper's measure). The numbers come
// from the analysis module (src/analysis: featureNorms, featureSuperposition).

import * as Plot from "@observablehq/plot";
import { SUPERPOSITION_SCHEME } from "./palette.ts";
import { range } from "./types.ts";
import type { CommonPlotOptions, PlotSpec } from "./types.ts";

export interface FeatureNormsInput {
  /** ‖W_i‖ per feature. */
  norms: readonly number[];
  /** Σ_{k≠i} (Ŵ_i·W_k)² per feature. */
  superposition: readonly number[];
  /** Features the analysis counts as dropped (drawn hatched-grey, labelled "dropped"). */
  dropped?: readonly number[];
}

export interface FeatureNormsOptions extends CommonPlotOptions {
  /** x domain [0, xMax]; give compared panels the same value. Default: the largest norm. */
  xMax?: number;
  /** Superposition at which the colour saturates. Default 1 (one unit-length twin). */
  superpositionMax?: number;
  /** Height of one feature's row in px. Default 17. */
  row?: number;
}

export interface NormBar {
  feature: number;
  norm: number;
  superposition: number;
  dropped: boolean;
}

export function normBars(input: FeatureNormsInput): NormBar[] {
  if (input.norms.length !== input.superposition.length) throw new Error("norms and superposition differ in length");
  const dropped = new Set(input.dropped ?? []);
  return input.norms.map((norm, feature) => ({ feature, norm, superposition: input.superposition[feature], dropped: dropped.has(feature) }));
}

/** The superposition colour scale, shared by the bars and their legend. */
export function superpositionScale(max = 1) {
  return { type: "linear" as const, scheme: SUPERPOSITION_SCHEME, domain: [0, max], clamp: true };
}

export function featureNormsPlot(input: FeatureNormsInput, options: FeatureNormsOptions = {}): PlotSpec {
  const bars = normBars(input);
  const n = bars.length;
  const xMax = options.xMax ?? Math.max(1e-9, ...bars.map((b) => b.norm));
  const row = options.row ?? 17;
  const kept = bars.filter((b) => !b.dropped);
  const dropped = bars.filter((b) => b.dropped);
  const fmt = (v: number) => v.toFixed(2);
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? `Feature norms ‖W_i‖ of ${n} features, coloured by superposition`,
    ariaDescription:
      options.ariaDescription ??
      `Horizontal bars, one per feature from most to least important; length is the norm of the feature's embedding, colour is its superposition with the other features (dark: none, yellow: ${options.superpositionMax ?? 1} or more). ` +
        bars.map((b) => `Feature ${b.feature}: norm ${fmt(b.norm)}, superposition ${fmt(b.superposition)}${b.dropped ? " (dropped)" : ""}.`).join(" "),
    width: options.width ?? 230,
    height: options.height ?? 40 + n * row,
    marginLeft: 34,
    marginRight: 14,
    marginTop: 8,
    marginBottom: 32,
    x: { domain: [0, xMax], label: "‖Wᵢ‖", labelArrow: "none", labelAnchor: "center", ticks: 3, nice: false },
    y: { type: "band", domain: range(n), label: null, tickSize: 0, padding: 0.18, tickFormat: (i: number) => `f${i}` },
    color: superpositionScale(options.superpositionMax ?? 1),
    marks: [
      Plot.barX(kept, {
        x: "norm",
        y: "feature",
        fill: "superposition",
        stroke: "#333",
        strokeWidth: 0.5,
        title: (b: NormBar) => `Feature ${b.feature}: ‖W‖ = ${fmt(b.norm)}, superposition = ${fmt(b.superposition)}`,
      }),
      Plot.barX(dropped, {
        x: "norm",
        y: "feature",
        fill: "#ddd",
        stroke: "#999",
        strokeWidth: 0.5,
        title: (b: NormBar) => `Feature ${b.feature}: dropped (‖W‖ = ${fmt(b.norm)})`,
      }),
      Plot.text(dropped, { x: 0, y: "feature", text: () => "dropped", textAnchor: "start", dx: 3, fill: "#666", fontSize: 9, fontStyle: "italic" }),
      Plot.ruleX([0], { stroke: "#222" }),
    ],
  };
}
