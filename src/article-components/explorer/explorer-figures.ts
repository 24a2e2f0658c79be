// The explorer's two figures for one density level, as Plot specs from the site's figure functions
// (src/figures). Rendered at build time into the explorer's frames (explorer-frames.ts), which both
// the island and its static fallback show, so both draw exactly the same thing.

import type { Analysis } from "../../analysis/index.ts";
import { analyse } from "../../analysis/index.ts";
import { formatDensity } from "../../figures/format.ts";
import { matrixPlot, positiveColourCap, sharedMaxAbs } from "../../figures/matrix.ts";
import { stackExtent, stackPlot } from "../../figures/stack.ts";
import type { PlotSpec } from "../../figures/types.ts";
import type { ExplorerData } from "./explorer-data.ts";

/** Scales shared by every level, so that moving the slider changes the weights, not the axes. */
export interface ExplorerScales {
  /** Half-width of the matrix colour scale over all levels: for a ReLU hidden layer model the largest
   *  positive weight (see positiveColourCap: larger negative weights get the end colour), otherwise the
   *  largest |w|. */
  maxAbs: number;
  /** Half-height of the stack plot: the tallest stack over all levels. */
  yMax: number;
}

export function explorerScales(data: ExplorerData): ExplorerScales {
  const Ws = data.levels.map((l) => l.W);
  return { maxAbs: data.model === "relu-hidden" ? positiveColourCap(...Ws) : sharedMaxAbs(...Ws), yMax: stackExtent(...Ws) };
}

/** The analysis of one level's W (thresholds at their defaults, neurons ordered by importance). */
export function analyseLevel(data: ExplorerData, index: number): Analysis {
  const level = data.levels[index];
  return analyse(level.W, level.b, { importance: data.importance });
}

export interface ExplorerSpecs {
  matrix: PlotSpec;
  stack: PlotSpec;
}

/** Matrix and stack plot of level `index`, neurons in the analysis's canonical order. */
export function explorerSpecs(data: ExplorerData, index: number, analysis: Analysis, scales: ExplorerScales): ExplorerSpecs {
  const level = data.levels[index];
  const at = `density ${formatDensity(level.density)}`;
  const common = { neuronOrder: analysis.order, roles: analysis.roles };
  return {
    matrix: matrixPlot(level.W, {
      ...common,
      maxAbs: scales.maxAbs,
      ariaLabel: `Weight matrix W at ${at}: ${data.neurons} neurons by ${data.features} features`,
    }),
    stack: stackPlot(level.W, {
      ...common,
      yMax: scales.yMax,
      ariaLabel: `Stack plot of W at ${at}`,
    }),
  };
}
