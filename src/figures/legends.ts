// Colour legends drawn as ordinary Plot specs (pure SVG). Plot's own continuous legends draw on a
// <canvas>, which neither the build (jsdom) nor a JavaScript-free reader has.

import * as Plot from "@observablehq/plot";
import { formatSigned } from "./format.ts";
import { featureColour, featureTextColour, WEIGHT_SCHEME } from "./palette.ts";
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
export function colourbarPlot(color: PlotSpec["color"] & { domain: number[] }, options: ColourbarOptions): PlotSpec {
  const [lo, hi] = [color.domain[0], color.domain[color.domain.length - 1]];
  const steps = options.steps ?? 64;
  const cells = range(steps).map((k) => ({ x1: lo + ((hi - lo) * k) / steps, x2: lo + ((hi - lo) * (k + 1)) / steps, v: lo + ((hi - lo) * (k + 0.5)) / steps }));
  return {
    ariaLabel: options.ariaLabel ?? `Colour legend: ${options.label}, from ${lo} to ${hi}`,
    width: options.width ?? 280,
    height: 52,
    marginTop: 18,
    marginBottom: 20,
    marginLeft: 24,
    marginRight: 24,
    x: { domain: [lo, hi], ticks: options.ticks, tickFormat: options.tickFormat, label: null, tickSize: 4 },
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

/** Legend of the superposition colours of `featureNormsPlot`. */
export function superpositionLegendPlot(options: { width?: number; max?: number } = {}): PlotSpec {
  const max = options.max ?? 1;
  return colourbarPlot(superpositionScale(max), {
    label: "Superposition Σₖ≠ᵢ (Ŵᵢ·Wₖ)²",
    width: options.width,
    ticks: [0, max / 2, max],
    tickFormat: (v) => (v === max ? `≥ ${v}` : String(v)),
    ariaLabel: `Colour legend for superposition: dark purple is 0 (the feature has a direction of its own), yellow is ${max} or more`,
  });
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
