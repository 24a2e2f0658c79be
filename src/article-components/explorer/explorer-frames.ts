// The explorer's frames, computed at build time: for every trained density, the analysis of the best
// model's W, the summary the island prints, the details of every weight, and the matrix and stack
// plot rendered to SVG by the site's own figure functions, each rect tagged with the weight it draws
// (data-neuron / data-feature) and given a tooltip. Served as one JSON file per model by
// src/pages/explorer/[model].json.ts; the island only fetches and shows it, so the browser runs no
// Observable Plot, d3 or analysis code. Node only (jsdom through src/figures/render.ts).

import type * as Plot from "@observablehq/plot";
import { renderSvg } from "../../figures/render.ts";
import { stackSegments } from "../../figures/stack.ts";
import type { PlotSpec, Weights } from "../../figures/types.ts";
import { EXPLORER_FRAMES_SCHEMA, cellDetail, cellDetailTitle, levelSummary } from "./explorer-data.ts";
import type { CellDetail, ExplorerData, ExplorerFrame, ExplorerFrames } from "./explorer-data.ts";
import { analyseLevel, explorerScales, explorerSpecs } from "./explorer-figures.ts";

/**
 * Every level of `data` as a frame. `idPrefix` makes the SVGs' ids (their <desc>, clip paths) unique
 * on the page: frame k's ids start with `${idPrefix}-${k}-matrix` / `-stack`. `dataFile` is the
 * data file's name, recorded so the frames say what they were computed from.
 */
export function explorerFrames(data: ExplorerData, options: { idPrefix: string; dataFile: string }): ExplorerFrames {
  const scales = explorerScales(data);
  const frames = data.levels.map((level, k): ExplorerFrame => {
    const analysis = analyseLevel(data, k);
    const specs = explorerSpecs(data, k, analysis, scales);
    const cells: CellDetail[] = [];
    for (let j = 0; j < data.neurons; j++) {
      for (let i = 0; i < data.features; i++) cells.push(cellDetail(level.W, analysis, j, i));
    }
    const titled = (el: Element) => {
      const d = cells[Number(el.getAttribute("data-neuron")) * data.features + Number(el.getAttribute("data-feature"))];
      setTooltip(el, cellDetailTitle(d));
    };
    const matrix = renderFluid(specs.matrix, `${options.idPrefix}-${k}-matrix`);
    const stack = renderFluid(specs.stack, `${options.idPrefix}-${k}-stack`);
    tagMatrixCells(matrix.svg, matrix.plot).forEach(titled);
    tagStackSegments(stack.svg, stack.plot, level.W).forEach(titled);
    return {
      density: level.density,
      summary: levelSummary(data, k, analysis),
      order: [...analysis.order],
      cells,
      matrixSvg: compactNumbers(matrix.svg.outerHTML),
      stackSvg: compactNumbers(stack.svg.outerHTML),
    };
  });
  return {
    schema: EXPLORER_FRAMES_SCHEMA,
    model: data.model,
    dataFile: options.dataFile,
    features: data.features,
    neurons: data.neurons,
    modelsPerLevel: data.modelsPerLevel,
    maxAbs: scales.maxAbs,
    frames,
  };
}

/** renderSvg, made fluid for the island's panels: no natural width/height, capped by max-width. */
function renderFluid(spec: PlotSpec, idPrefix: string) {
  const rendered = renderSvg(spec, idPrefix);
  const width = rendered.svg.getAttribute("width");
  if (width) rendered.svg.setAttribute("style", `max-width:${width}px`);
  rendered.svg.removeAttribute("width");
  rendered.svg.removeAttribute("height");
  return rendered;
}

/**
 * Rounds the long coordinates Plot writes (e.g. y="126.04767789029434") to 2 decimals, a hundredth
 * of a pixel: a quarter less to send. Numbers with 3 or fewer decimals (every printed value: the
 * tooltips print weights to 3) are left alone.
 */
export function compactNumbers(markup: string): string {
  return markup.replace(/-?\d+\.\d{4,}/g, (x) => String(Number(Number(x).toFixed(2))));
}

/**
 * The band of a band scale that holds `coordinate`: `starts[k]` is where band k begins and
 * `bandwidth` its width. Between bands (padding), the nearest band centre wins. -1 if there are none.
 */
export function bandAt(starts: readonly number[], bandwidth: number, coordinate: number): number {
  let best = -1;
  let bestGap = Infinity;
  starts.forEach((start, k) => {
    if (coordinate >= start && coordinate <= start + bandwidth) {
      if (bestGap > 0) {
        best = k;
        bestGap = 0;
      }
      return;
    }
    const gap = Math.abs(coordinate - (start + bandwidth / 2));
    if (gap < bestGap) {
      best = k;
      bestGap = gap;
    }
  });
  return best;
}

/** Band starts and width of a band scale of a rendered plot. */
function bands(plot: Plot.Plot, name: "x" | "y"): { domain: number[]; starts: number[]; bandwidth: number } {
  const scale = plot.scale(name);
  if (!scale || !scale.apply || scale.bandwidth === undefined) throw new Error(`the ${name} scale is not a band scale`);
  const domain = [...(scale.domain as Iterable<number>)];
  return { domain, starts: domain.map((v) => Number(scale.apply!(v))), bandwidth: scale.bandwidth };
}

function rectCentre(rect: Element): { x: number; y: number } {
  const n = (a: string) => Number(rect.getAttribute(a) ?? 0);
  return { x: n("x") + n("width") / 2, y: n("y") + n("height") / 2 };
}

/** Sets data-neuron/data-feature on every rect of the mark group `aria-label=mark`; returns them. */
function tag(svg: SVGSVGElement, mark: string, locate: (c: { x: number; y: number }) => { neuron: number; feature: number } | null): SVGRectElement[] {
  const rects = Array.from(svg.querySelectorAll<SVGRectElement>(`g[aria-label="${mark}"] rect`));
  for (const rect of rects) {
    const at = locate(rectCentre(rect));
    if (!at) continue;
    rect.setAttribute("data-neuron", String(at.neuron));
    rect.setAttribute("data-feature", String(at.feature));
  }
  return rects.filter((r) => r.hasAttribute("data-feature"));
}

/** Tags the matrix's cells (x band = feature, y band = neuron). */
export function tagMatrixCells(svg: SVGSVGElement, plot: Plot.Plot): SVGRectElement[] {
  const x = bands(plot, "x");
  const y = bands(plot, "y");
  return tag(svg, "cell", (c) => {
    const f = bandAt(x.starts, x.bandwidth, c.x);
    const j = bandAt(y.starts, y.bandwidth, c.y);
    return f < 0 || j < 0 ? null : { feature: x.domain[f], neuron: y.domain[j] };
  });
}

/** Tags the stack plot's segments (x band = neuron; the segment whose middle is nearest in y). */
export function tagStackSegments(svg: SVGSVGElement, plot: Plot.Plot, W: Weights): SVGRectElement[] {
  const x = bands(plot, "x");
  const yScale = plot.scale("y");
  if (!yScale?.invert) throw new Error("the stack plot's y scale cannot be inverted");
  const invert = yScale.invert;
  const segments = stackSegments(W);
  return tag(svg, "bar", (c) => {
    const k = bandAt(x.starts, x.bandwidth, c.x);
    if (k < 0) return null;
    const neuron = x.domain[k];
    const v = Number(invert(c.y));
    let best: { neuron: number; feature: number } | null = null;
    let gap = Infinity;
    for (const s of segments) {
      if (s.neuron !== neuron) continue;
      const g = Math.abs((s.y1 + s.y2) / 2 - v);
      if (g < gap) {
        gap = g;
        best = { neuron, feature: s.feature };
      }
    }
    return best;
  });
}

/** Replaces (or adds) the <title> tooltip of a tagged element. */
export function setTooltip(el: Element, text: string): void {
  let title = Array.from(el.children).find((c) => c.tagName.toLowerCase() === "title");
  if (!title) {
    title = el.ownerDocument.createElementNS("http://www.w3.org/2000/svg", "title");
    el.appendChild(title);
  }
  title.textContent = text;
}
