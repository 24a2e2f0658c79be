// Browser-side rendering of figure specs: the client counterpart of src/figures/render.ts (which uses
// jsdom and cannot ship to the browser). Renders a Plot spec with the page's `document`, gives the SVG
// the same text alternative as the build does, and tags the cells of the matrix and the segments of
// the stack plot with the weight they draw (data-neuron / data-feature), so the island can show hover
// details and link the two figures.

import * as Plot from "@observablehq/plot";
import { stackSegments } from "../figures/stack.ts";
import type { PlotSpec, Weights } from "../figures/types.ts";
import { addTextAlternative } from "../figures/text-alternative.ts";
import { bandAt } from "./explorer-data.ts";

type Rendered = (SVGSVGElement | HTMLElement) & Plot.Plot;

/** Plot.plot with the given document, decorated as render.ts does (role, <title>, <desc>, fluid width). */
export function renderPlot(spec: PlotSpec, document: Document, idPrefix: string): SVGSVGElement {
  const root = Plot.plot({ ...spec, document }) as Rendered;
  const svg = (root.tagName.toLowerCase() === "svg" ? root : root.querySelector("svg")) as SVGSVGElement | null;
  if (!svg) throw new Error("Plot rendered no <svg>");
  // Fluid width in the island: drop the natural size, cap it with max-width.
  const width = svg.getAttribute("width");
  if (width) svg.setAttribute("style", `max-width:${width}px`);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  addTextAlternative(svg, spec, document, idPrefix);
  // Keep the scales for tagging (Plot attaches `scale` to the root it returns).
  (svg as unknown as { __plot: Plot.Plot }).__plot = root;
  return svg;
}

function plotOf(svg: SVGSVGElement): Plot.Plot {
  const p = (svg as unknown as { __plot?: Plot.Plot }).__plot;
  if (!p) throw new Error("not an SVG from renderPlot");
  return p;
}

/** Band starts and width of a band scale of a rendered plot. */
function bands(svg: SVGSVGElement, name: "x" | "y"): { domain: number[]; starts: number[]; bandwidth: number } {
  const scale = plotOf(svg).scale(name);
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
export function tagMatrixCells(svg: SVGSVGElement): SVGRectElement[] {
  const x = bands(svg, "x");
  const y = bands(svg, "y");
  return tag(svg, "cell", (c) => {
    const f = bandAt(x.starts, x.bandwidth, c.x);
    const j = bandAt(y.starts, y.bandwidth, c.y);
    return f < 0 || j < 0 ? null : { feature: x.domain[f], neuron: y.domain[j] };
  });
}

/** Tags the stack plot's segments (x band = neuron; the segment whose middle is nearest in y). */
export function tagStackSegments(svg: SVGSVGElement, W: Weights): SVGRectElement[] {
  const x = bands(svg, "x");
  const yScale = plotOf(svg).scale("y");
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
