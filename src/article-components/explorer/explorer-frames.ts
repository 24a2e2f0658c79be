// The explorer's frames, computed at build time from the analysed experiment (src/site/experiment.ts,
// the same analysis every figure and fact uses): for every level, the summary, the details of every
// weight and the matrix and stack plot rendered to SVG by the site's figure functions, whose rects are
// tagged with the weight they draw as Plot makes them (src/figures/types.ts, tagWeights) and titled
// with that weight's details (the specs: explorer-specs.ts). The island shows them and runs no
// Observable Plot, d3 or analysis code. Node only (jsdom through src/figures/render.ts).

import { renderFigure, renderSvg } from "../../figures/render.ts";
import type { PlotSpec } from "../../figures/types.ts";
import type { AnalysedExperiment } from "../../site/experiment.ts";
import { modelTitle } from "../../site/figure-props.ts";
import { EXPLORER_FRAMES_SCHEMA, cellDetail, levelSummary } from "./explorer-data.ts";
import type { CellDetail, ExplorerFrame, ExplorerFrames } from "./explorer-data.ts";
import { explorerLegends, explorerScales, explorerSpecs } from "./explorer-specs.ts";

export { explorerLegends, explorerScales, explorerSpecs, type ExplorerScales } from "./explorer-specs.ts";

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
  const legendSvg = explorerLegends(exp, scales)
    .map((spec, k) => renderFigure(spec, { idPrefix: `${options.idPrefix}-${["w", "s", "r"][k]}legend` }))
    .join("");
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
