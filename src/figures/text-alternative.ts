// Gives a rendered Plot SVG its text alternative: role="img", a <title> from its aria-label and a
// <desc> (referenced by aria-describedby) from the spec's ariaDescription. Used by the build-time
// renderer (render.ts, jsdom); it takes the document as an argument and imports nothing from Node,
// so an island could use it too.

import type { PlotSpec } from "./types.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

export function addTextAlternative(svg: Element, spec: PlotSpec, document: Document, idPrefix: string): void {
  svg.setAttribute("role", "img");
  const label = svg.getAttribute("aria-label") ?? spec.ariaLabel ?? "";
  const description = svg.getAttribute("aria-description") ?? spec.ariaDescription ?? "";
  svg.removeAttribute("aria-description");
  if (description) {
    const desc = document.createElementNS(SVG_NS, "desc");
    desc.setAttribute("id", `${idPrefix}-desc`);
    desc.textContent = description;
    svg.insertBefore(desc, svg.firstChild);
    svg.setAttribute("aria-describedby", `${idPrefix}-desc`);
  }
  if (label) {
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = label;
    svg.insertBefore(title, svg.firstChild);
  }
}
