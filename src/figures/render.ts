// Server-side rendering of figure specs to static SVG/HTML at build time (Node only: uses jsdom).
// Every figure on the site, the explorer's frames included, is rendered here: no Plot runs in the browser.

import { JSDOM } from "jsdom";
import * as Plot from "@observablehq/plot";
import type { PlotSpec } from "./types.ts";
import { addTextAlternative } from "./text-alternative.ts";

let sharedWindow: JSDOM["window"] | undefined;

function jsdomDocument(): Document {
  sharedWindow ??= new JSDOM("<!doctype html><html><body></body></html>").window;
  return sharedWindow.document;
}

export interface RenderOptions {
  /** Extra class on the outer element. */
  className?: string;
  /** Unique prefix for this figure's ids (needed when a page holds several figures with clip paths). */
  idPrefix?: string;
}

/** A Plot spec rendered in jsdom: its one <svg> (with its text alternative and ids prefixed) and Plot's root, whose `scale()` gives the scales it used. */
export interface RenderedSvg {
  svg: SVGSVGElement;
  plot: Plot.Plot;
}

/**
 * Renders a spec that draws one <svg> (no title, caption or legend) for code that works on the
 * element before serialising it, e.g. the explorer's frames (src/article-components/explorer/explorer-frames.ts).
 */
export function renderSvg(spec: PlotSpec, idPrefix: string): RenderedSvg {
  const document = jsdomDocument();
  const plot = Plot.plot({ ...spec, document });
  const root = plot as unknown as Element;
  if (root.tagName.toLowerCase() !== "svg") throw new Error(`renderSvg: the spec "${spec.ariaLabel ?? "?"}" renders a <${root.tagName.toLowerCase()}>, not one <svg>`);
  const svg = root as SVGSVGElement;
  addTextAlternative(svg, spec, document, idPrefix);
  renameIds(svg, idPrefix);
  return { svg, plot };
}

/**
 * Renders a Plot spec to an HTML string: an <svg>, or a <figure> holding the panel title and the
 * <svg> when the spec has a title. The SVG gets role="img", its aria-label, a <title> and a <desc>
 * (from ariaDescription) so that it has a text alternative without JavaScript; Plot's <h2>/<h3>
 * panel titles become <p class="plot-title"> so they stay out of the article's heading outline.
 * The SVG keeps its natural width/height attributes; Plot's own style lets it shrink with its viewBox.
 */
export function renderFigure(spec: PlotSpec, options: RenderOptions = {}): string {
  const document = jsdomDocument();
  const root = Plot.plot({ ...spec, document }) as unknown as Element;
  const svgs = root.tagName.toLowerCase() === "svg" ? [root] : Array.from(root.querySelectorAll(":scope > svg"));
  svgs.forEach((svg, k) => {
    // Keep Plot's width/height attributes (the natural size) and its max-width:100%/height:auto
    // style: the SVG scales down with its viewBox on narrow screens and never grows past its size.
    const prefix = `${options.idPrefix ?? "fig"}-${k}`;
    addTextAlternative(svg, spec, document, prefix);
    // Plot's clip-path ids are global counters; make them unique per figure.
    renameIds(svg, prefix);
  });
  for (const tag of ["h2", "h3"]) {
    for (const h of Array.from(root.querySelectorAll(`:scope > ${tag}`))) {
      const p = document.createElement("p");
      p.className = tag === "h2" ? "plot-title" : "plot-subtitle";
      p.innerHTML = h.innerHTML;
      h.replaceWith(p);
    }
  }
  if (root.tagName.toLowerCase() === "figure") {
    // A <div>: the page wraps panels in its own numbered <figure>.
    const div = document.createElement("div");
    div.className = ["plot-panel", options.className].filter(Boolean).join(" ");
    div.innerHTML = root.innerHTML;
    return div.outerHTML;
  }
  if (options.className) root.setAttribute("class", `${root.getAttribute("class") ?? ""} ${options.className}`.trim());
  return root.outerHTML;
}

function renameIds(svg: Element, prefix: string): void {
  const map = new Map<string, string>();
  svg.querySelectorAll("[id]").forEach((el) => {
    const id = el.getAttribute("id")!;
    if (id.startsWith(prefix)) return;
    const next = `${prefix}-${map.size}`;
    map.set(id, next);
    el.setAttribute("id", next);
  });
  if (!map.size) return;
  svg.querySelectorAll("*").forEach((el) => {
    for (const attr of Array.from(el.attributes)) {
      if (!attr.value.includes("#")) continue;
      const v = attr.value.replace(/url\(#([^)]+)\)|^#(.+)$/g, (whole, a: string | undefined, b: string | undefined) => {
        const id = a ?? b!;
        const to = map.get(id);
        return to ? whole.replace(id, to) : whole;
      });
      if (v !== attr.value) el.setAttribute(attr.name, v);
    }
  });
}
