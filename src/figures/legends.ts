// Colour legends drawn as ordinary Plot specs (pure SVG). Plot's own continuous legends draw on a
// <canvas>, which neither the build (jsdom) nor a JavaScript-free reader has.

import * as Plot from "@observablehq/plot";
import { formatSigned } from "./format.ts";
import { featureColour, featureTextColour, roleColour, WEIGHT_SCHEME } from "./palette.ts";
import { superpositionScale } from "./norms.ts";
import { range } from "./types.ts";
import type { PlotSpec } from "./types.ts";

export interface ColourbarOptions {
  label: string;
  width?: number;
  /** Number of colour steps drawn. Default 64. */
  steps?: number;
  ticks?: number[];
  tickFormat?: (v: number) => string;
  ariaLabel?: string;
}

/** A horizontal colour bar for a continuous colour scale (`color` as in PlotOptions). */
export function colourbarPlot(color: PlotSpec["color"] & { domain: number[]; type?: string }, options: ColourbarOptions): PlotSpec {
  const [lo, hi] = [color.domain[0], color.domain[color.domain.length - 1]];
  const steps = options.steps ?? 64;
  // Steps evenly spaced along the bar, in the scale's own space (a symlog scale's too).
  const symlog = color.type === "symlog";
  const to = (v: number) => (symlog ? Math.sign(v) * Math.log1p(Math.abs(v)) : v);
  const from = (t: number) => (symlog ? Math.sign(t) * Math.expm1(Math.abs(t)) : t);
  const at = (f: number) => from(to(lo) + (to(hi) - to(lo)) * f);
  const cells = range(steps).map((k) => ({ x1: at(k / steps), x2: at((k + 1) / steps), v: at((k + 0.5) / steps) }));
  return {
    ariaLabel: options.ariaLabel ?? `Colour legend: ${options.label}, from ${lo} to ${hi}`,
    width: options.width ?? 280,
    height: 52,
    marginTop: 18,
    marginBottom: 20,
    marginLeft: 24,
    marginRight: 24,
    x: { type: symlog ? "symlog" : "linear", domain: [lo, hi], ticks: options.ticks, tickFormat: options.tickFormat, label: null, tickSize: 4 },
    y: { axis: null, domain: [0, 1] },
    color,
    marks: [
      Plot.rect(cells, { x1: "x1", x2: "x2", y1: 0, y2: 1, fill: "v", inset: -0.3 }),
      Plot.frame({ stroke: "#888", strokeWidth: 0.5 }),
      Plot.text([options.label], { frameAnchor: "top-left", dy: -15, textAnchor: "start", fontWeight: 600, fontSize: 11 }),
    ],
  };
}

/**
 * Legend of the weight colours of `matrixPlot` for a colour half-width `maxAbs`. `extent`, the smallest
 * and largest weight drawn (see `weightExtent`), marks an end the weights go beyond, where the matrix
 * clamps to the end colour: "≤ −0.93" instead of "−0.93".
 */
export function weightLegendPlot(maxAbs: number, options: { width?: number; extent?: readonly [number, number] } = {}): PlotSpec {
  const d = maxAbs > 0 ? maxAbs : 1;
  const [lo, hi] = options.extent ?? [-d, d];
  const below = lo < -d * (1 + 1e-9);
  const above = hi > d * (1 + 1e-9);
  const end = (v: number) => (v < 0 && below ? `≤ ${formatSigned(v, 2)}` : v > 0 && above ? `≥ ${formatSigned(v, 2)}` : formatSigned(v, 2));
  const beyond = [below ? `weights below ${formatSigned(-d)} (down to ${formatSigned(lo)}) are drawn full red` : "", above ? `weights above ${formatSigned(d)} (up to ${formatSigned(hi)}) are drawn full blue` : ""].filter(Boolean);
  return colourbarPlot(
    { type: "diverging", scheme: WEIGHT_SCHEME, domain: [-d, d], pivot: 0, symmetric: true },
    {
      label: "Weight W[j][i]",
      width: options.width,
      ticks: [-d, -d / 2, 0, d / 2, d],
      tickFormat: (v) => (Math.abs(v) === d ? end(v) : formatSigned(v, 2)),
      ariaLabel: `Colour legend for weights: red is negative down to ${formatSigned(-d)}, white is 0, blue is positive up to ${formatSigned(d)}${beyond.length ? `; ${beyond.join("; ")}` : ""}`,
    },
  );
}

/** Legend of the superposition colours (stack plots, feature norms, the sweep) on a scale that runs to
 *  `max` (see superpositionExtent), with 1 (as much as one unit-length twin) marked. */
export function superpositionLegendPlot(options: { width?: number; max?: number } = {}): PlotSpec {
  const max = options.max ?? 1;
  // 0, then 1, 2, 5, 10, 20, … up to the end, which is labelled with its value.
  const ticks = [0, ...[1, 2, 5, 10, 20, 50, 100].filter((v) => v < max * 0.85), Number(max.toFixed(1))];
  const spec = colourbarPlot(superpositionScale(max), {
    label: "Superposition Σₖ≠ᵢ (Ŵᵢ·Wₖ)²",
    width: options.width,
    ticks,
    tickFormat: (v) => String(v),
    ariaLabel: `Colour legend for superposition: dark violet is 0 (the feature has a direction of its own), 1 is as much overlap as one unit-length twin, yellow is ${formatSigned(max, 1)}, the largest drawn`,
  });
  // A mark at 1: below it, less overlap than one identical unit-length twin; above, more.
  return { ...spec, marks: [...(spec.marks ?? []), Plot.ruleX([1], { stroke: "white", strokeWidth: 1.5 }), Plot.ruleX([1], { stroke: "#111", strokeWidth: 0.75, strokeDasharray: "2,2" })] };
}

/** Swatches for the feature colours of `stackPlot`. */
export function featureLegendPlot(features: number, options: { width?: number } = {}): PlotSpec {
  const items = range(features);
  const size = 22;
  return {
    ariaLabel: `Colour legend for features 0 to ${features - 1}`,
    width: options.width ?? 64 + features * (size + 4),
    height: 38,
    marginLeft: 58,
    marginRight: 6,
    marginTop: 6,
    marginBottom: 10,
    x: { type: "band", domain: items, axis: null, padding: 0.12 },
    y: { axis: null, domain: [0, 1] },
    color: { type: "ordinal", domain: items, range: items.map(featureColour) },
    marks: [
      Plot.cell(items, { x: (i: number) => i, fill: (i: number) => i }),
      ...items.map((i) => Plot.text([i], { x: (v: number) => v, text: (v: number) => String(v), fill: featureTextColour(i), fontSize: 10 })),
      Plot.text(["Feature"], { frameAnchor: "left", dx: -54, textAnchor: "start", fontWeight: 600, fontSize: 11 }),
    ],
  };
}

/** Swatches for the neuron roles marked in `stackPlot` (tinted columns, coloured labels). */
export function roleLegendPlot(options: { width?: number } = {}): PlotSpec {
  const items = [
    { role: "monosemantic", label: "monosemantic neuron (mono)" },
    { role: "polysemantic", label: "polysemantic neuron (poly)" },
  ];
  const width = options.width ?? 520;
  const col = width / items.length;
  return {
    ariaLabel: `Neuron roles: ${items.map((i) => i.label).join(", ")}`,
    width,
    height: 24,
    margin: 0,
    x: { domain: [0, width], axis: null },
    y: { domain: [0, 24], axis: null },
    marks: [
      Plot.rect(items, { x1: (_: unknown, k: number) => 6 + k * col, x2: (_: unknown, k: number) => 20 + k * col, y1: 5, y2: 19, fill: (d: { role: string }) => roleColour(d.role), fillOpacity: 0.35, stroke: (d: { role: string }) => roleColour(d.role), strokeWidth: 1.5 }),
      Plot.text(items, { x: (_: unknown, k: number) => 26 + k * col, y: 12, text: "label", textAnchor: "start", fontSize: 11, fill: (d: { role: string }) => roleColour(d.role), fontWeight: 700 }),
    ],
  };
}
