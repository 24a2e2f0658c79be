// The explorer's figures as Plot specs, before rendering: the scales every level shares, one level's
// matrix and stack plot (weights titled with their details) and the legends. No DOM and no jsdom, so
// both the build (explorer-frames.ts renders them to SVG for the explorer's frames) and a reader's page
// (the trainer's result, src/article-components/trainer/result.ts, which Plot draws in the browser)
// draw a model the same way.

import { formatDensity } from "../../figures/format.ts";
import { roleLegendPlot, superpositionLegendPlot, weightLegendPlot } from "../../figures/legends.ts";
import { matrixPlot, positiveColourCap, sharedMaxAbs, weightExtent } from "../../figures/matrix.ts";
import { stackExtent, stackPlot } from "../../figures/stack.ts";
import type { PlotSpec } from "../../figures/types.ts";
import { superpositionMax } from "../../site/experiment.ts";
import type { AnalysedExperiment, AnalysedLevel } from "../../site/experiment.ts";
import { cellDetail, cellDetailTitle } from "./explorer-data.ts";

/** What the figures need of an analysed level (src/site/experiment.ts): its W, analysis and density. */
export type DrawnLevel = Pick<AnalysedLevel, "W" | "analysis" | "roles" | "order"> & { level: Pick<AnalysedLevel["level"], "density"> };
/** What they need of an analysed experiment: the model kind and the levels drawn together. */
export interface DrawnLevels {
  model: AnalysedExperiment["model"];
  levels: readonly DrawnLevel[];
}

/** Scales shared by every level, so that moving the slider changes the weights, not the axes. */
export interface ExplorerScales {
  /** Half-width of the matrix colour scale over all levels: for a ReLU hidden layer model the largest
   *  positive weight (see positiveColourCap: larger negative weights get the end colour), otherwise the
   *  largest |w|. */
  maxAbs: number;
  /** Half-height of the stack plot: the tallest stack over all levels. */
  yMax: number;
  /** End of the superposition colour scale of the stack plot's blocks (see superpositionMax). */
  superpositionMax: number;
}

export function explorerScales(exp: DrawnLevels): ExplorerScales {
  const Ws = exp.levels.map((l) => l.W);
  return { maxAbs: exp.model === "relu-hidden" ? positiveColourCap(...Ws) : sharedMaxAbs(...Ws), yMax: stackExtent(...Ws), superpositionMax: superpositionMax(exp) };
}

/** Matrix and stack plot of one level, neurons in the analysis's canonical order (for a ReLU hidden
 *  layer; a linear model's neurons are drawn as trained), every weight titled with its details. */
export function explorerSpecs(exp: Pick<DrawnLevels, "model">, a: DrawnLevel, scales: ExplorerScales): { matrix: PlotSpec; stack: PlotSpec } {
  const at = `density ${formatDensity(a.level.density)}`;
  const relu = exp.model === "relu-hidden";
  const common = {
    neuronOrder: relu ? a.order : undefined,
    roles: relu ? a.roles : undefined,
    weightTitle: (j: number, i: number) => cellDetailTitle(cellDetail(a.W, a.analysis, j, i, relu)),
  };
  const [m, n] = [a.W.length, a.W[0].length];
  return {
    matrix: matrixPlot(a.W, { ...common, maxAbs: scales.maxAbs, ariaLabel: `Weight matrix W at ${at}: ${m} neurons by ${n} features` }),
    stack: stackPlot(a.W, { ...common, yMax: scales.yMax, superposition: a.analysis.superposition, superpositionMax: scales.superpositionMax, ariaLabel: `Stack plot of W at ${at}` }),
  };
}

/** The legends of the levels' figures: weights (marking an end that some weight goes beyond, drawn in
 *  the end colour), superposition, and for a ReLU hidden layer the neuron roles. */
export function explorerLegends(exp: DrawnLevels, scales: ExplorerScales): PlotSpec[] {
  const extent = weightExtent(...exp.levels.map((l) => l.W));
  return [
    weightLegendPlot(scales.maxAbs, { width: 240, extent }),
    superpositionLegendPlot({ width: 240, max: scales.superpositionMax }),
    ...(exp.model === "relu-hidden" ? [roleLegendPlot()] : []),
  ];
}
