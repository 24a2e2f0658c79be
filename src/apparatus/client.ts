// The article's apparatus in the browser (one small module, loaded by src/layouts/Article.astro):
// the colour-theme switch, the table of contents marking the section in view, "Copy BibTeX", and a
// download of every numbered figure as one SVG and as a CSV of its plotted numbers. The page reads
// fully without it; these controls stay hidden where it does not run.

import { panelsCsv } from "./plot-data.ts";
import type { PanelData } from "./plot-data.ts";

const root = document.documentElement;

// ---- colour theme: follows prefers-color-scheme until the reader picks one; the choice is saved ----
const systemDark = matchMedia("(prefers-color-scheme: dark)");
const toggle = document.querySelector<HTMLButtonElement>(".theme-toggle");
const isDark = () => (root.dataset.theme ? root.dataset.theme === "dark" : systemDark.matches);
const showTheme = () => toggle?.setAttribute("aria-pressed", String(isDark()));
if (toggle) {
  toggle.hidden = false;
  showTheme();
  systemDark.addEventListener("change", showTheme);
  toggle.addEventListener("click", () => {
    const next = isDark() ? "light" : "dark";
    root.dataset.theme = next;
    try {
      localStorage.setItem("pb-theme", next);
    } catch {
      // Storage refused (private mode): the choice lasts for this page view.
    }
    showTheme();
  });
}

// ---- table of contents: the section in view ----
const tocLinks = new Map<string, HTMLAnchorElement>();
for (const a of document.querySelectorAll<HTMLAnchorElement>(".toc a[href^='#']")) tocLinks.set(decodeURIComponent(a.hash.slice(1)), a);
const headings = [...tocLinks.keys()].map((id) => document.getElementById(id)).filter((h): h is HTMLElement => h !== null);
let current: HTMLAnchorElement | undefined;
let queued = false;
function markSection() {
  queued = false;
  // The last heading above a line a third of the way down the window is the section being read.
  const line = innerHeight / 3;
  let inView: HTMLElement | undefined;
  for (const h of headings) {
    if (h.getBoundingClientRect().top <= line) inView = h;
    else break;
  }
  const link = inView ? tocLinks.get(inView.id) : undefined;
  if (link === current) return;
  current?.removeAttribute("aria-current");
  link?.setAttribute("aria-current", "location");
  current = link;
  // Beside the text the contents scroll on their own when taller than the window: keep the entry in
  // sight there (scrollIntoView would scroll the page as well).
  const nav = link?.closest<HTMLElement>(".toc");
  if (link && nav && nav.scrollHeight > nav.clientHeight) {
    const top = link.offsetTop - nav.offsetTop;
    if (top < nav.scrollTop || top + link.offsetHeight > nav.scrollTop + nav.clientHeight) nav.scrollTop = top - nav.clientHeight / 3;
  }
}
addEventListener("scroll", () => queued || ((queued = true), requestAnimationFrame(markSection)), { passive: true });
addEventListener("resize", markSection);
markSection();

// On a phone the contents sit above the text: following a link closes them.
const tocDetails = document.querySelector<HTMLDetailsElement>(".toc details");
document.querySelector(".toc")?.addEventListener("click", (e) => {
  if ((e.target as Element).closest("a") && tocDetails && !matchMedia("(min-width: 70rem)").matches) tocDetails.open = false;
});

// ---- Printing: folded figure rows print in full, and fold again afterwards ----
addEventListener("beforeprint", () => {
  for (const d of document.querySelectorAll<HTMLDetailsElement>("details.figure-more:not([open])")) (d.open = true), (d.dataset.printOpened = "");
});
addEventListener("afterprint", () => {
  for (const d of document.querySelectorAll<HTMLDetailsElement>("details[data-print-opened]")) (d.open = false), delete d.dataset.printOpened;
});

// ---- Copy BibTeX ----
const copy = document.querySelector<HTMLButtonElement>(".copy-bibtex");
const bib = document.querySelector(".bibtex");
if (copy && bib && navigator.clipboard) {
  copy.hidden = false;
  copy.addEventListener("click", () =>
    navigator.clipboard.writeText(bib.textContent ?? "").then(
      () => (copy.textContent = "Copied"),
      () => (copy.textContent = "Copy failed: select the text"),
    ));
}

// ---- figure downloads ----
function save(text: string, type: string, name: string) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The figure's panels as one standalone SVG, laid out as the page shows them: every plot's <svg>
 * nested at its place, and the HTML panel titles as <text>. Colours are the figure's own (its
 * printed, light version), on white.
 */
function figureSvg(figure: Element): string {
  const body = figure.querySelector(".figure-body") ?? figure;
  const origin = body.getBoundingClientRect();
  const parts: string[] = [];
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  const place = (el: Element) => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return undefined;
    const b = { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
    [x0, y0, x1, y1] = [Math.min(x0, b.x), Math.min(y0, b.y), Math.max(x1, b.x + b.w), Math.max(y1, b.y + b.h)];
    return b;
  };
  for (const svg of body.querySelectorAll("svg")) {
    if (svg.parentElement?.closest("svg")) continue;
    const b = place(svg);
    if (!b) continue;
    const clone = svg.cloneNode(true) as SVGSVGElement;
    if (!clone.hasAttribute("viewBox")) clone.setAttribute("viewBox", `0 0 ${svg.width.baseVal.value} ${svg.height.baseVal.value}`);
    for (const [k, v] of Object.entries({ x: b.x, y: b.y, width: b.w, height: b.h })) clone.setAttribute(k, v.toFixed(2));
    clone.removeAttribute("tabindex");
    parts.push(new XMLSerializer().serializeToString(clone));
  }
  for (const el of body.querySelectorAll("p")) {
    const text = el.textContent?.trim();
    const b = text && !el.closest("svg") ? place(el) : undefined;
    if (!b || !text) continue;
    const style = getComputedStyle(el);
    parts.push(`<text x="${b.x.toFixed(2)}" y="${b.y.toFixed(2)}" dy="1em" font-size="${style.fontSize}" font-weight="${style.fontWeight}">${escapeXml(text)}</text>`);
  }
  const [w, h] = [x1 - x0 + 16, y1 - y0 + 16];
  // The figure's number and caption travel with it, as the file's title and description.
  const caption = figure.querySelector("figcaption")?.textContent?.replace(/\s+/g, " ").trim() ?? figure.id;
  const title = `${caption.match(/^Figure \d+\./)?.[0] ?? ""} ${figure.querySelector("figcaption strong")?.textContent ?? ""}`.trim() || figure.id;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w.toFixed(0)}" height="${h.toFixed(0)}" viewBox="${(x0 - 8).toFixed(2)} ${(y0 - 8).toFixed(2)} ${w.toFixed(2)} ${h.toFixed(2)}" color="#1d1d1f" fill="#1d1d1f" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"><title>${escapeXml(title)}</title><desc>${escapeXml(caption)}</desc><rect x="${(x0 - 8).toFixed(2)}" y="${(y0 - 8).toFixed(2)}" width="100%" height="100%" fill="#fff"/>${parts.join("")}</svg>\n`;
}

/** The figure's plotted numbers (each panel's rows, src/apparatus/plot-data.ts) as CSV. */
function figureCsv(figure: Element): string | undefined {
  const panels = [...figure.querySelectorAll("script.plot-data")].map((s) => JSON.parse(s.textContent ?? "") as PanelData);
  return panels.length ? panelsCsv(panels) : undefined;
}

for (const figure of document.querySelectorAll<HTMLElement>("figure.figure[id]")) {
  const bar = document.createElement("p");
  bar.className = "figure-downloads";
  bar.append("Download: ");
  const button = (label: string, title: string, f: () => void) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.dataset.download = label.toLowerCase().split(" ")[0];
    b.addEventListener("click", f);
    bar.append(b, " ");
  };
  button("SVG", "The figure as an SVG file", () => save(figureSvg(figure), "image/svg+xml", `${figure.id}.svg`));
  if (figure.querySelector("script.plot-data")) button("CSV", "The numbers this figure plots, as a CSV table", () => save(figureCsv(figure)!, "text/csv", `${figure.id}.csv`));
  figure.append(bar);
}
