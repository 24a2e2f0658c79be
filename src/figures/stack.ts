// W as a stack plot: for each neuron, a stack of rectangles, one per feature, of height |W[j][i]|.
// Positive weights stack upwards from 0, negative weights downwards, both in order of importance (most
// important feature nearest the axis). As in the paper, each rectangle is coloured by its feature's
// superposition when the analysis gives it (otherwise by feature), labelled with the feature's number
// where it is tall enough and titled with it; each neuron's column is tinted and labelled by its role
// (monosemantic, polysemantic) in the role colours.

import * as Plot from "@observablehq/plot";
import { formatSigned } from "./format.ts";
import { featureColour, featureTextColour, roleColour } from "./palette.ts";
import { superpositionScale } from "./norms.ts";
import { maxAbs, permutation, range, roleShort, shape, tagWeights } from "./types.ts";
import type { CommonPlotOptions, NeuronRoleName, PlotSpec, WeightMarkOptions, Weights } from "./types.ts";

/** Default `minWeight`: blocks thinner than this fraction of max|W| are left out (too thin to see). */
export const STACK_MIN_WEIGHT = 0.02;

export interface StackPlotOptions extends CommonPlotOptions, WeightMarkOptions {
  /** Order of the neurons (columns) from left to right; a permutation of 0…m−1. */
  neuronOrder?: readonly number[];
  /** Each neuron's role; when given it is written under the neuron's label. */
  roles?: readonly NeuronRoleName[];
  /** Weights with |w| ≤ minWeight · max|W| are left out (too thin to see). Default STACK_MIN_WEIGHT. */
  minWeight?: number;
  /** y domain [−yMax, yMax]; give compared panels the same value (see `stackExtent`). Default: this W's. */
  yMax?: number;
  /** Order in which features stack (first = nearest the axis). Default 0…n−1 (importance order). */
  featureOrder?: readonly number[];
  /** Width of one neuron's column in px. Default 46. */
  column?: number;
  /** Each feature's superposition (the analysis's): when given, the rectangles are coloured by it, as
   *  in the paper, on the scale of `superpositionLegendPlot`; otherwise by feature. */
  superposition?: readonly number[];
  /** The end of the superposition scale. Default: the largest superposition given (at least 1). */
  superpositionMax?: number;
}

export interface StackSegment {
  neuron: number;
  feature: number;
  w: number;
  /** Bottom and top of the rectangle (y1 < y2); below zero for negative weights. */
  y1: number;
  y2: number;
}

/** The rectangles of the stack plot: one per weight with |w| > minWeight · max|W|. */
export function stackSegments(W: Weights, options: { minWeight?: number; featureOrder?: readonly number[] } = {}): StackSegment[] {
  const { features } = shape(W);
  const order = permutation(options.featureOrder, features, "featureOrder");
  const cutoff = (options.minWeight ?? STACK_MIN_WEIGHT) * maxAbs(W);
  const segments: StackSegment[] = [];
  W.forEach((row, neuron) => {
    let up = 0;
    let down = 0;
    for (const feature of order) {
      const w = row[feature];
      if (!(Math.abs(w) > cutoff)) continue;
      if (w > 0) {
        segments.push({ neuron, feature, w, y1: up, y2: up + w });
        up += w;
      } else {
        segments.push({ neuron, feature, w, y1: down + w, y2: down });
        down += w;
      }
    }
  });
  return segments;
}

/** The largest stack height, above or below the axis, over one or more W: a shared y extent. */
export function stackExtent(...Ws: Weights[]): number {
  let m = 0;
  for (const W of Ws) {
    for (const row of W) {
      let up = 0;
      let down = 0;
      for (const w of row) (w > 0 ? (up += w) : (down -= w));
      m = Math.max(m, up, down);
    }
  }
  return m;
}

export function stackPlot(W: Weights, options: StackPlotOptions = {}): PlotSpec {
  const { neurons, features } = shape(W);
  const order = permutation(options.neuronOrder, neurons, "neuronOrder");
  const segments = stackSegments(W, options);
  const extent = options.yMax ?? stackExtent(W);
  const yMax = extent > 0 ? extent : 1;
  const column = options.column ?? 46;
  const roles = options.roles;
  const sup = options.superposition;
  if (sup && sup.length !== features) throw new Error(`superposition has ${sup.length} entries, W has ${features} features`);
  const marginLeft = 44;
  const marginBottom = roles ? 44 : 32;
  const labelled = segments.filter((s) => s.y2 - s.y1 > 0.09 * yMax);
  const title = (s: StackSegment) =>
    options.weightTitle ? options.weightTitle(s.neuron, s.feature, s.w) : `Neuron ${s.neuron}, feature ${s.feature}: w = ${formatSigned(s.w, 3)}${sup ? `; superposition ${formatSigned(sup[s.feature], 2)}` : ""}`;
  const byRole = (role: NeuronRoleName) => order.filter((j) => roles?.[j] === role);
  const roleMarks = roles
    ? (["monosemantic", "polysemantic", "dead", "unused"] as const).flatMap((role) => {
        const js = byRole(role);
        if (!js.length) return [];
        return [
          // A tint behind the column, so that the role reads at a glance, in the colour of its label.
          Plot.barY(js, { x: (j: number) => j, y1: -yMax, y2: yMax, fill: roleColour(role), fillOpacity: 0.1, insetLeft: -4, insetRight: -4, className: "neuron-role", ariaHidden: "true" }),
          Plot.text(js, { x: (j: number) => j, text: () => roleShort(role), frameAnchor: "bottom", dy: 26, fill: roleColour(role), fontWeight: 700, fontSize: 10, className: "neuron-role-label", ariaHidden: "true" }),
        ];
      })
    : [];
  return {
    title: options.title,
    ariaLabel: options.ariaLabel ?? `Stack plot of W: ${neurons} neurons, ${segments.length} visible weights`,
    ariaDescription:
      options.ariaDescription ??
      `For each neuron, a stack of bars, one per feature it is connected to, of height equal to the absolute weight and coloured by ${sup ? "the feature's superposition" : "feature"}. Positive weights are stacked above zero, negative weights below. ${describeStacks(order, segments, roles)}`,
    width: options.width ?? marginLeft + 16 + neurons * column,
    height: options.height ?? 260 + marginBottom,
    marginLeft,
    marginRight: 16,
    marginBottom,
    x: { type: "band", domain: order, label: null, padding: 0.22, tickSize: 0, tickFormat: (j: number) => `n${j}` },
    y: { domain: [-yMax, yMax], label: "Weight (stacked |w|)", labelArrow: "none", grid: true, nice: false, ticks: 5 },
    color: sup
      ? superpositionScale(options.superpositionMax ?? Math.max(1, ...sup))
      : { type: "ordinal", domain: range(features), range: range(features).map(featureColour) },
    marks: [
      ...roleMarks,
      Plot.barY(segments, {
        x: "neuron",
        y1: "y1",
        y2: "y2",
        fill: sup ? (s: StackSegment) => sup[s.feature] : "feature",
        stroke: "white",
        strokeWidth: 0.75,
        title,
        render: tagWeights(segments),
      }),
      // Feature numbers on segments tall enough to hold them (colour is not the only cue): white with a
      // dark halo on the superposition colours, which run from dark to light.
      ...(sup
        ? [Plot.text(labelled, { x: "neuron", y: (s: StackSegment) => (s.y1 + s.y2) / 2, text: "feature", fill: "white", stroke: "#111", strokeWidth: 2.5, paintOrder: "stroke", fontSize: 9, fontWeight: 700, ariaHidden: "true" })]
        : range(features)
            .filter((i) => labelled.some((s) => s.feature === i))
            .map((i) =>
              Plot.text(
                labelled.filter((s) => s.feature === i),
                { x: "neuron", y: (s: StackSegment) => (s.y1 + s.y2) / 2, text: "feature", fill: featureTextColour(i), fontSize: 9, ariaHidden: "true" },
              ),
            )),
      Plot.ruleY([0], { stroke: "#222", strokeWidth: 1 }),
    ],
  };
}

function describeStacks(order: readonly number[], segments: readonly StackSegment[], roles?: readonly NeuronRoleName[]): string {
  return order
    .map((j) => {
      const mine = segments.filter((s) => s.neuron === j);
      const pos = mine.filter((s) => s.w > 0).map((s) => s.feature);
      const neg = mine.filter((s) => s.w < 0).map((s) => s.feature);
      return `Neuron ${j}${roles ? ` (${roles[j]})` : ""}: ${pos.length ? `positive on feature${pos.length > 1 ? "s" : ""} ${pos.join(", ")}` : "no positive weight"}${neg.length ? `; negative on ${neg.join(", ")}` : ""}.`;
    })
    .join(" ");
}

