// Shared types of the figure functions.
//
// A figure function is pure: (data, options) → a Plot spec (Plot.PlotOptions without `document`).
// It never touches the DOM: render.ts draws it to SVG at build time through jsdom, for the article's
// figures and for every frame of the explorer (the browser runs no Plot).

import type { PlotOptions, RenderFunction } from "@observablehq/plot";

export type PlotSpec = PlotOptions;

/** W as stored in the data files: W[j][i] = neuron j's weight on feature i (m rows × n columns). */
export type Weights = readonly (readonly number[])[];

/** What a neuron does, as reported by the analysis module (src/analysis; "dead" = stores nothing). */
export type NeuronRoleName = "monosemantic" | "polysemantic" | "unused" | "dead";

/** Options every figure function accepts. */
export interface CommonPlotOptions {
  /** A panel title, drawn above the plot. */
  title?: string;
  /** Short text alternative (the SVG's aria-label). Each function supplies a sensible default. */
  ariaLabel?: string;
  /** Longer text alternative (rendered as the SVG's <desc>). Each function supplies a default. */
  ariaDescription?: string;
  /** Overall width in px of the SVG's coordinate system (it scales down on narrow screens). */
  width?: number;
  height?: number;
}

export function shape(W: Weights): { neurons: number; features: number } {
  const neurons = W.length;
  const features = neurons ? W[0].length : 0;
  if (!neurons || !features) throw new Error("W must have at least one neuron and one feature");
  if (W.some((row) => row.length !== features)) throw new Error("W rows differ in length");
  return { neurons, features };
}

export function maxAbs(W: Weights): number {
  let m = 0;
  for (const row of W) for (const v of row) m = Math.max(m, Math.abs(v));
  return m;
}

/** 0, 1, …, k−1. */
export function range(k: number): number[] {
  return Array.from({ length: k }, (_, i) => i);
}

/** Checks that `order` is a permutation of 0…k−1 (or absent) and returns it. */
export function permutation(order: readonly number[] | undefined, k: number, what: string): number[] {
  if (!order) return range(k);
  const seen = new Set(order);
  if (order.length !== k || seen.size !== k || order.some((j) => !Number.isInteger(j) || j < 0 || j >= k)) {
    throw new Error(`${what} must be a permutation of 0…${k - 1}, got [${order.join(", ")}]`);
  }
  return [...order];
}

/** A role in one short word for axis labels. */
export function roleShort(role: NeuronRoleName | undefined): string {
  if (!role) return "";
  return role === "monosemantic" ? "mono" : role === "polysemantic" ? "poly" : role;
}

/**
 * A mark's `render` option that tags each rect it draws with the weight it stands for
 * (data-neuron, data-feature), as the marks are made: the explorer finds the weight under the
 * pointer from these attributes. Plot draws a rect mark's rects in index order.
 */
export function tagWeights(data: readonly { neuron: number; feature: number }[]): RenderFunction {
  return (index, scales, values, dimensions, context, next) => {
    const g = next!(index, scales, values, dimensions, context);
    if (!g) return g;
    const rects = g.querySelectorAll("rect");
    if (rects.length !== index.length) throw new Error(`tagWeights: ${rects.length} rects drawn for ${index.length} weights`);
    index.forEach((i, k) => {
      rects[k].setAttribute("data-neuron", String(data[i].neuron));
      rects[k].setAttribute("data-feature", String(data[i].feature));
    });
    return g;
  };
}

/** Options of the figures that draw one mark per weight (matrix cells, stack blocks). */
export interface WeightMarkOptions {
  /** Tooltip of weight W[neuron][feature] (the SVG <title>). Default "Neuron j, feature i: w = …". */
  weightTitle?: (neuron: number, feature: number, w: number) => string;
}
