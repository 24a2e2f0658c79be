// The explorer's frames, computed at build time from the analysed experiment (src/site/experiment.ts,
// the same analysis every figure and fact uses): for every level, the summary, the details of every
// weight and the matrix and stack plot rendered to SVG by the site's figure functions, whose rects are
// tagged with the weight they draw as Plot makes them (src/figures/types.ts, tagWeights) and titled
// with that weight's details. The island shows them and runs no Observable Plot, d3 or analysis code.
// Node only (jsdom through src/figures/render.ts).

import { formatDensity } from "../../figures/format.ts";
import { roleLegendPlot, superpositionLegendPlot, weightLegendPlot } from "../../figures/legends.ts";
import { matrixPlot, positiveColourCap, sharedMaxAbs, weightExtent } from "../../figures/matrix.ts";
import { renderFigure, renderSvg } from "../../figures/render.ts";
import { stackExtent, stackPlot } from "../../figures/stack.ts";
import type { PlotSpec } from "../../figures/types.ts";
import { superpositionMax } from "../../site/experiment.ts";
import type { AnalysedExperiment, AnalysedLevel } from "../../site/experiment.ts";
import { modelTitle } from "../../site/figure-props.ts";
import { EXPLORER_FRAMES_SCHEMA, cellDetail, cellDetailTitle, levelSummary } from "./explorer-data.ts";
import type { CellDetail, ExplorerFrame, ExplorerFrames } from "./explorer-data.ts";

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

export function explorerScales(exp: AnalysedExperiment): ExplorerScales {
  const Ws = exp.levels.map((l) => l.W);
  return { maxAbs: exp.model === "relu-hidden" ? positiveColourCap(...Ws) : sharedMaxAbs(...Ws), yMax: stackExtent(...Ws), superpositionMax: superpositionMax(exp) };
}

/** Matrix and stack plot of one level, neurons in the analysis's canonical order (for a ReLU hidden
 *  layer; a linear model's neurons are drawn as trained), every weight titled with its details. */
export function explorerSpecs(exp: AnalysedExperiment, a: AnalysedLevel, scales: ExplorerScales): { matrix: PlotSpec; stack: PlotSpec } {
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

/**
 * Every level of the experiment as a frame, densest first. `idPrefix` makes the SVGs' ids (their
 * <desc>, clip paths) unique on the page: frame k's ids start with `${idPrefix}-${k}-matrix` / `-stack`.
 * `dataFile` is the data file's name, recorded so the frames say what they were computed from.
 */
export function explorerFrames(exp: AnalysedExperiment, options: { idPrefix: string; dataFile: string }): ExplorerFrames {
  const scales = explorerScales(exp);
  const { features, neurons, modelsPerLevel } = exp.file.config;
  const frames = exp.levels.map((a, k): ExplorerFrame => {
    const specs = explorerSpecs(exp, a, scales);
    const cells: CellDetail[] = [];
    for (let j = 0; j < neurons; j++) for (let i = 0; i < features; i++) cells.push(cellDetail(a.W, a.analysis, j, i, exp.model === "relu-hidden"));
    return {
      density: a.level.density,
      summary: levelSummary(a, modelsPerLevel, exp.model === "relu-hidden"),
      order: exp.model === "relu-hidden" ? [...a.order] : a.W.map((_, j) => j),
      cells,
      matrixSvg: compactNumbers(renderFluid(specs.matrix, `${options.idPrefix}-${k}-matrix`)),
      stackSvg: compactNumbers(renderFluid(specs.stack, `${options.idPrefix}-${k}-stack`)),
    };
  });
  // The weight legend marks an end that some weight goes beyond (drawn in the end colour).
  const extent = weightExtent(...exp.levels.map((l) => l.W));
  const legendSvg =
    renderFigure(weightLegendPlot(scales.maxAbs, { width: 240, extent }), { idPrefix: `${options.idPrefix}-wlegend` }) +
    renderFigure(superpositionLegendPlot({ width: 240, max: scales.superpositionMax }), { idPrefix: `${options.idPrefix}-slegend` }) +
    (exp.model === "relu-hidden" ? renderFigure(roleLegendPlot(), { idPrefix: `${options.idPrefix}-rlegend` }) : "");
  return { schema: EXPLORER_FRAMES_SCHEMA, model: exp.model, label: modelTitle(exp.model), dataFile: options.dataFile, features, neurons, modelsPerLevel, maxAbs: scales.maxAbs, legendSvg, frames };
}

/** A spec rendered for the island's panels: fluid (no natural width/height, capped by max-width). */
function renderFluid(spec: PlotSpec, idPrefix: string): string {
  const { svg } = renderSvg(spec, idPrefix);
  const width = svg.getAttribute("width");
  if (width) svg.setAttribute("style", `max-width:${width}px`);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  return svg.outerHTML;
}

/**
 * Rounds the long coordinates Plot writes (e.g. y="126.04767789029434") to 2 decimals, a hundredth
 * of a pixel: a quarter less to send. Numbers with 3 or fewer decimals (every printed value: the
 * tooltips print weights to 3) are left alone.
 */
export function compactNumbers(markup: string): string {
  return markup.replace(/-?\d+\.\d{4,}/g, (x) => String(Number(Number(x).toFixed(2))));
}
