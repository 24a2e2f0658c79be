// Colours. Every palette here is colour-blind safe; see the notes on each.

import type { ColorScheme } from "@observablehq/plot";

/**
 * Feature colours (categorical): Paul Tol's "muted" scheme (9 colours distinguishable under the
 * common colour-vision deficiencies) plus a dark grey for the tenth. Beyond ten features the list
 * cycles, so figures also label features by number wherever there is room.
 */
export const FEATURE_COLOURS: readonly string[] = [
  "#332288", // indigo
  "#88CCEE", // cyan
  "#44AA99", // teal
  "#117733", // green
  "#999933", // olive
  "#DDCC77", // sand
  "#CC6677", // rose
  "#882255", // wine
  "#AA4499", // purple
  "#555555", // dark grey
];

export function featureColour(i: number): string {
  return FEATURE_COLOURS[((i % FEATURE_COLOURS.length) + FEATURE_COLOURS.length) % FEATURE_COLOURS.length];
}

/** Text colour that reads on top of a feature colour. */
export function featureTextColour(i: number): string {
  return ["#88CCEE", "#44AA99", "#999933", "#DDCC77", "#CC6677"].includes(featureColour(i)) ? "#111" : "#fff";
}

/**
 * Weights (diverging, centred at 0): ColorBrewer RdBu, colour-blind safe; Plot maps low values to
 * red and high values to blue, so negative weights are red and positive weights blue.
 */
export const WEIGHT_SCHEME: ColorScheme = "RdBu";

/** Superposition (sequential, 0 = none): viridis, perceptually uniform and colour-blind safe. */
export const SUPERPOSITION_SCHEME: ColorScheme = "Viridis";

/**
 * Neuron roles, used for the tinted columns and labels of the stack plot. Okabe–Ito's reddish purple and
 * vermilion: far from every colour of the superposition scale (viridis: dark violet, blue, green,
 * yellow) that fills the blocks, and from each other under the common colour-vision deficiencies.
 */
export const ROLE_COLOURS = { monosemantic: "#CC79A7", polysemantic: "#D55E00", dead: "#999999", unused: "#999999" } as const;

/** The colour of a neuron role (grey for one that stores nothing). */
export function roleColour(role: string | undefined): string {
  return ROLE_COLOURS[(role ?? "unused") as keyof typeof ROLE_COLOURS] ?? ROLE_COLOURS.unused;
}
