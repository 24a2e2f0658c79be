// The article's apparatus in the built page (test/helpers/site-build.ts's shared build), in Debian's
// chromium: byline, version and changelog; citation, OpenGraph and Twitter meta; references, notes
// and "Cite this"; a permalink on every heading; the table of contents marking the section in view
// and starting collapsed on a phone; dark mode (following the system, and the reader's switch) that
// changes the page's colours while every figure stays legible; each figure's SVG and CSV downloads;
// the regime table on a 390 px phone; print without controls or near-empty pages. Screenshots (1280 px,
// 390 px, dark, print) and the printed PDF go to test-results/.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseChangelog } from "../src/apparatus/meta.ts";
import { ROOT, builtSite } from "./helpers/site-build.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { serveStatic } from "./helpers/static-server.ts";
import type { StaticServer } from "./helpers/static-server.ts";
import { pageFills } from "./helpers/pdf-pages.ts";

const RESULTS = join(ROOT, "test-results");
/** Below this share of the page height filled (text extent), a printed page counts as near-empty.
 *  Measured: 0.44 at least on every page but the last (a figure's long caption takes its last row
 *  of panels to the next page); 0.14 when figures were kept whole, 0.34 when a five-page figure's
 *  caption was cut after its number. */
const MIN_PAGE_FILL = 0.4;

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  server = await serveStatic(await builtSite());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the article in a new context, recording console errors and warnings, page errors and failed requests. */
async function open(options: BrowserContextOptions): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ deviceScaleFactor: 1, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => (m.type() === "error" || m.type() === "warning") && problems.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(`${server.url}/`, { waitUntil: "load" });
  return { context, page, problems };
}

const horizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored: the tests compare opaque surfaces). */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** RFC 4180 CSV (quoted cells with "" for a quote) → rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quoted) {
      if (c === '"' && text[k + 1] === '"') (cell += '"'), k++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && text[k + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), k++;
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** The page's text and background colours, and each figure's ink on its surface. */
function colours(page: Page) {
  return page.evaluate(() => {
    const style = (el: Element) => getComputedStyle(el);
    return {
      text: style(document.body).color,
      background: style(document.body).backgroundColor,
      /** How every plotted text is painted, in document order. */
      plotText: [...document.querySelectorAll("main svg text")].map((t) => `${style(t).fill} ${style(t).stroke} ${style(t).opacity}`),
      figures: [...document.querySelectorAll("figure.figure[id]")].map((f) => {
        const body = f.querySelector(".figure-body")!;
        const svg = body.querySelector("svg")!;
        return { id: f.id, ink: style(svg).color, surface: style(body).backgroundColor, caption: style(f.querySelector("figcaption")!).color };
      }),
    };
  });
}

describe("the article at 1280 px", () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ context, page, problems } = await open({ viewport: { width: 1280, height: 900 }, colorScheme: "light", acceptDownloads: true }));
  });

  afterAll(async () => {
    await context?.close();
  });

  it("loads with no console errors and nothing running off the page", async () => {
    // The page's requests end within a second on an idle machine; on two cores shared with another test
    // run it once took more than Playwright's default 30 s to go quiet.
    await page.waitForLoadState("networkidle", { timeout: 100_000 });
    expect(problems).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(RESULTS, "apparatus-1280.png"), fullPage: true });
  }, 120_000);

  it("has a byline, the date first published, the commit it was built from and the latest changelog entry", async () => {
    const authors = await page.locator('meta[name="citation_author"]').evaluateAll((ms) => ms.map((m) => m.getAttribute("content")));
    expect(authors.length).toBeGreaterThan(0);
    expect(await page.locator(".byline-authors").textContent()).toBe(authors.join(", "));
    const published = await page.locator(".byline-meta time").first().getAttribute("datetime");
    expect(published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const head = execFileSync("git", ["log", "-1", "--format=%H %cI"], { cwd: ROOT, encoding: "utf8" }).trim().split(" ");
    const code = page.locator(".byline-version code");
    expect(await code.getAttribute("title")).toBe(head[0]);
    expect(await code.textContent()).toBe(head[0].slice(0, 12));
    expect(await page.locator(".byline-version time").getAttribute("datetime")).toBe(head[1].slice(0, 10));
    const changelog = parseChangelog(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"));
    const summary = page.locator(".changelog summary");
    expect(await summary.locator("time").getAttribute("datetime")).toBe(changelog[0].date);
    expect(await summary.textContent()).toContain(changelog[0].text);
    expect(await page.locator(".changelog li").count()).toBe(changelog.length - 1);
  });

  it("carries citation_*, OpenGraph and Twitter tags that agree with the page", async () => {
    const meta = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll("meta[name], meta[property]")].map((m) => [m.getAttribute("name") ?? m.getAttribute("property"), m.getAttribute("content")])));
    const title = (await page.locator("h1").textContent())!.trim();
    expect(meta.citation_title).toBe(title);
    expect(meta["og:title"]).toBe(title);
    expect(meta["twitter:title"]).toBe(title);
    expect(meta["og:description"]).toBe(meta.description);
    expect(meta["og:type"]).toBe("article");
    expect(meta["twitter:card"]).toBe("summary");
    const published = await page.locator(".byline-meta time").first().getAttribute("datetime");
    expect(meta.citation_publication_date).toBe(published!.replace(/-/g, "/"));
    expect(meta["article:published_time"]).toBe(published);
    const references = await page.locator('meta[name="citation_reference"]').count();
    expect(references).toBe(await page.locator("ol.references > li").count());
  });

  it("gives every heading a permalink to itself, and lists every section in the contents", async () => {
    const headings = await page.locator("main :is(h2, h3, h4, h5, h6)").evaluateAll((hs) =>
      hs.map((h) => ({ id: h.id, links: [...h.querySelectorAll(":scope > a.heading-anchor")].map((a) => a.getAttribute("href")), depth: Number(h.tagName[1]) })));
    expect(headings.length).toBeGreaterThan(10);
    for (const h of headings) expect(h.links, `heading #${h.id}`).toEqual([`#${h.id}`]);
    const toc = await page.locator(".toc a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(toc).toEqual(headings.filter((h) => h.depth <= 3).map((h) => `#${h.id}`));
    // The permalink adds no text to the heading (or to the contents).
    expect(await page.locator("h2#setup").textContent()).toBe("Setup");
  });

  it("lists the paper and the Circuits work among its references, each cited in the text, and links notes both ways", async () => {
    const ids = await page.locator("ol.references > li").evaluateAll((ls) => ls.map((l) => l.id));
    expect(ids).toEqual(expect.arrayContaining(["ref-elhage2022", "ref-olah2020"]));
    for (const id of ids) expect(await page.locator(`main a[href="#${id}"]`).count(), `${id} is cited`).toBeGreaterThan(0);
    expect(await page.locator("#ref-elhage2022").textContent()).toContain("Toy Models of Superposition");
    expect(await page.locator("#ref-olah2020").textContent()).toContain("Zoom In");
    const notes = await page.locator("a[data-footnote-ref]").evaluateAll((as) => as.map((a) => ({ id: a.id, href: a.getAttribute("href")! })));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) {
      const note = page.locator(`.footnotes li${n.href}`);
      expect(await note.count(), n.href).toBe(1);
      expect(await note.locator(`a[href="#${n.id}"]`).count(), `${n.href} links back`).toBe(1);
    }
    // Every in-page link has its target.
    const missing = await page.evaluate(() => [...document.querySelectorAll("a[href^='#']")].map((a) => a.getAttribute("href")!.slice(1)).filter((id) => id && !document.getElementById(decodeURIComponent(id))));
    expect(missing).toEqual([]);
  });

  it("says how to cite it, in BibTeX with this version", async () => {
    const bib = (await page.locator(".bibtex").textContent())!;
    const title = (await page.locator("h1").textContent())!.trim();
    const published = (await page.locator(".byline-meta time").first().getAttribute("datetime"))!;
    expect(bib).toMatch(/^@misc\{[a-z0-9]+,\n/);
    expect(bib).toContain(`title  = {{${title}}}`);
    expect(bib).toContain(`year   = {${published.slice(0, 4)}}`);
    expect(bib).toContain((await page.locator(".byline-version code").textContent())!);
    expect(await page.locator(".citation").textContent()).toContain(title);
    // "Copy BibTeX" puts exactly that text on the clipboard.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const copy = page.locator(".copy-bibtex");
    await copy.click();
    await expect.poll(() => copy.textContent()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(bib);
  });

  it("marks the section in view in the contents, one at a time", async () => {
    for (const id of ["setup", "across-every-density", "references"]) {
      await page.evaluate((h) => document.getElementById(h)!.scrollIntoView({ behavior: "instant", block: "start" }), id);
      await expect.poll(() => page.locator(".toc a[aria-current]").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual([`#${id}`]);
    }
    expect(await page.locator(".toc details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  });

  it("offers every figure as an SVG (its panels as shown) and its plotted numbers as CSV", async () => {
    const figures = await page.locator("figure.figure[id]").evaluateAll((fs) => fs.map((f) => f.id));
    expect(figures.length).toBeGreaterThanOrEqual(5);
    const data = ["relu-hidden", "linear-hidden"].map((m) => JSON.parse(readFileSync(join(ROOT, "public", "data", `${m}.json`), "utf8")) as { levels: { best: { W: number[][] } }[]; diagnostics?: { continuation: { levels: { W: number[][] }[] }; convergence?: { levels: { best: { W: number[][] } }[] } } });
    for (const id of figures) {
      const figure = page.locator(`#${id}`);
      await figure.scrollIntoViewIfNeeded();
      for (const kind of ["svg", "csv"]) expect(await figure.locator(`.figure-downloads button[data-download="${kind}"]`).count(), `${id} ${kind}`).toBe(1);

      const [svgDownload] = await Promise.all([page.waitForEvent("download"), figure.locator('button[data-download="svg"]').click()]);
      expect(svgDownload.suggestedFilename()).toBe(`${id}.svg`);
      const svg = readFileSync((await svgDownload.path())!, "utf8");
      const doc = new JSDOM(svg, { contentType: "image/svg+xml" }).window.document;
      expect(doc.querySelector("parsererror"), id).toBeNull();
      const number = (await figure.locator(".figure-number").textContent())!.trim();
      expect(doc.querySelector(":root > title")?.textContent, id).toMatch(new RegExp(`^${number.replace(".", "\\.")} \\S`));
      expect(doc.querySelector(":root > desc")?.textContent).toBe((await figure.locator("figcaption").textContent())!.replace(/\s+/g, " ").trim());
      const shown = await figure.locator(".figure-body svg").evaluateAll((ss) => ss.filter((s) => !s.parentElement!.closest("svg") && s.getBoundingClientRect().width > 0).length);
      expect(doc.querySelectorAll(":root > svg").length, `${id}: one nested <svg> per panel`).toBe(shown);
      // It stands alone: chromium draws it as an image, at its own size.
      const size = await page.evaluate(async (text) => {
        const img = new Image();
        img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
      }, svg);
      expect(size[0]).toBeGreaterThan(100);
      expect(size[1]).toBeGreaterThan(50);

      const [csvDownload] = await Promise.all([page.waitForEvent("download"), figure.locator('button[data-download="csv"]').click()]);
      expect(csvDownload.suggestedFilename()).toBe(`${id}.csv`);
      const lines = parseCsv(readFileSync((await csvDownload.path())!, "utf8"));
      const header = lines[0];
      expect(new Set(lines.map((l) => l.length)), `${id}: every row has every column`).toEqual(new Set([header.length]));
      expect(header.slice(0, 2)).toEqual(["panel", "panel_title"]);
      const panels = await figure.locator("script.plot-data").evaluateAll((ss) => ss.map((s) => JSON.parse(s.textContent!) as { panel: string; rows: unknown[][] }));
      expect(lines.length - 1).toBe(panels.reduce((n, p) => n + p.rows.length, 0));
      // A weight matrix's numbers are one trained model's W, exactly.
      const [ni, fi, wi] = ["neuron", "feature", "w"].map((c) => header.indexOf(c));
      if (ni >= 0 && fi >= 0 && wi >= 0) {
        for (const p of panels) {
          const rows = lines.slice(1).filter((r) => r[0] === p.panel && r[wi] !== "");
          if (!rows.length) continue;
          // The winners, and the better models the diagnostics keep (fine-tuned, trained longer).
          const models = data.flatMap((file) => [...file.levels.map((l) => l.best.W), ...(file.diagnostics?.continuation.levels.map((c) => c.W) ?? []), ...(file.diagnostics?.convergence?.levels.map((c) => c.best.W) ?? [])]);
          const match = models.some((W) => rows.every((r) => W[Number(r[ni])]?.[Number(r[fi])] === Number(r[wi])));
          expect(match, `${id} ${p.panel}: the plotted weights are a trained model's W`).toBe(true);
        }
      }
    }
  });
});

/** The chapters: every `page:` named in the front matter of content/'s sections. */
function chapterPages(): string[] {
  const files = readdirSync(join(ROOT, "content"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".mdx"));
  const pages = files.map((f) => /^---\n[\s\S]*?^page:\s*["']?([a-z0-9-]+)["']?\s*$[\s\S]*?^---$/m.exec(readFileSync(join(ROOT, "content", f), "utf8"))?.[1]);
  return [...new Set(pages.filter((p): p is string => !!p))];
}

describe("a chapter on a page of its own", () => {
  it("has the report's byline, its own title in the citation and the meta, and no links to end matter it lacks", async () => {
    const chapters = chapterPages();
    if (!chapters.length) return;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      await page.goto(`${server.url}/`, { waitUntil: "load" });
      const frontAuthors = await page.locator(".byline-authors").textContent();
      for (const chapter of chapters) {
        await page.goto(`${server.url}/${chapter}/`, { waitUntil: "load" });
        const title = (await page.locator("h1").textContent())!.trim();
        expect(await page.locator(".byline-authors").textContent(), chapter).toBe(frontAuthors);
        expect(await page.locator('meta[name="citation_title"]').getAttribute("content")).toBe(title);
        expect(await page.locator(".bibtex").textContent()).toContain(`title  = {{${title}}}`);
        // Every in-page link (the contents' included) has its target, and references are listed only where cited.
        const missing = await page.evaluate(() => [...document.querySelectorAll("a[href^='#']")].map((a) => a.getAttribute("href")!.slice(1)).filter((id) => id && !document.getElementById(decodeURIComponent(id))));
        expect(missing, chapter).toEqual([]);
        expect(await page.locator('meta[name="citation_reference"]').count()).toBe(await page.locator("ol.references > li").count());
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("dark mode", () => {
  it("follows prefers-color-scheme: the page's colours change and every figure stays legible", async () => {
    const light = await open({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const dark = await open({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
    try {
      const [l, d] = [await colours(light.page), await colours(dark.page)];
      expect(d.background).not.toBe(l.background);
      expect(d.text).not.toBe(l.text);
      expect(contrast(d.background, "rgb(0, 0, 0)")).toBeLessThan(contrast(l.background, "rgb(0, 0, 0)"));
      // Figures are drawn exactly alike in both themes (on the same light surface), so they are as
      // legible in the dark as they were made to be on white.
      expect(d.plotText.length).toBeGreaterThan(100);
      expect(d.plotText).toEqual(l.plotText);
      expect(d.figures.map((f) => [f.ink, f.surface])).toEqual(l.figures.map((f) => [f.ink, f.surface]));
      for (const c of [l, d]) {
        expect(contrast(c.text, c.background)).toBeGreaterThanOrEqual(7);
        for (const f of c.figures) {
          expect(contrast(f.ink, f.surface), `${f.id}: figure ink on its surface`).toBeGreaterThanOrEqual(7);
          expect(contrast(f.caption, c.background), `${f.id}: caption`).toBeGreaterThanOrEqual(4.5);
        }
      }
      await dark.page.waitForLoadState("networkidle");
      expect(dark.problems).toEqual([]);
      expect(await horizontalOverflow(dark.page)).toBeLessThanOrEqual(0);
      expect(await dark.page.locator(".theme-toggle").getAttribute("aria-pressed")).toBe("true");
      await dark.page.screenshot({ path: join(RESULTS, "apparatus-dark.png"), fullPage: true });
      await dark.page.locator("#fig-reading-w").screenshot({ path: join(RESULTS, "apparatus-dark-figure.png") });
    } finally {
      await light.context.close();
      await dark.context.close();
    }
  });

  it("switches with the toggle, and keeps the reader's choice on the next visit", async () => {
    const { context, page, problems } = await open({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    try {
      const toggle = page.locator(".theme-toggle");
      expect(await toggle.isVisible()).toBe(true);
      expect(await toggle.getAttribute("aria-pressed")).toBe("false");
      const before = await colours(page);
      await toggle.click();
      expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
      expect(await toggle.getAttribute("aria-pressed")).toBe("true");
      const after = await colours(page);
      expect(after.background).not.toBe(before.background);
      await page.reload({ waitUntil: "load" });
      expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
      expect((await colours(page)).background).toBe(after.background);
      await page.locator(".theme-toggle").click();
      expect((await colours(page)).background).toBe(before.background);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("the article on a 390 px phone", () => {
  it("fits the screen, starts with the contents collapsed, and shows the regime table without sideways scrolling", async () => {
    const { context, page, problems } = await open({ viewport: { width: 390, height: 844 }, colorScheme: "light" });
    try {
      await page.waitForLoadState("networkidle");
      expect(problems).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      const details = page.locator(".toc details");
      expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      await page.locator(".toc summary").click();
      expect(await page.locator(".toc a").first().isVisible()).toBe(true);
      // Following a link closes them again.
      await page.locator('.toc a[href="#setup"]').click();
      expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);

      const table = page.locator(".table-wrap:has(.regime-table)");
      await table.scrollIntoViewIfNeeded();
      expect(await table.evaluate((w) => w.scrollWidth - w.clientWidth)).toBeLessThanOrEqual(0);
      // Our models' labels get the whole width, so each label wraps at most once.
      const rows = await page.locator(".regime-table tbody tr").evaluateAll((trs) =>
        trs.map((tr) => ({ row: tr.getBoundingClientRect().width, ours: tr.lastElementChild!.getBoundingClientRect().width })));
      expect(rows.length).toBeGreaterThan(3);
      for (const r of rows) expect(r.ours).toBeGreaterThanOrEqual(0.95 * r.row);
      await table.screenshot({ path: join(RESULTS, "apparatus-390-regime-table.png") });
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({ path: join(RESULTS, "apparatus-390.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

describe("the article printed", () => {
  it("prints black on white, without controls or instructions for them, and without near-empty pages", async () => {
    // The reader's dark theme must not reach the paper.
    const { context, page, problems } = await open({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
    try {
      await page.emulateMedia({ media: "print" });
      const c = await colours(page);
      expect(c.background).toBe("rgb(255, 255, 255)");
      expect(c.text).toBe("rgb(0, 0, 0)");
      const leftovers = await page.evaluate(() => {
        const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === "fixed";
        return {
          controls: [...document.querySelectorAll("button, input, select, textarea, .heading-anchor")].filter(visible).map((el) => el.outerHTML.slice(0, 80)),
          slider: [...document.querySelectorAll("main p, main li, figcaption")].filter((el) => visible(el) && /move the slider/i.test(el.textContent ?? "")).map((el) => el.textContent!.slice(0, 80)),
        };
      });
      expect(leftovers).toEqual({ controls: [], slider: [] });
      expect(await page.locator("a[data-footnote-backref]").first().isVisible()).toBe(false);
      // On paper a reference needs its address written out.
      const printed = await page.locator(".references a:has(cite)").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), getComputedStyle(a, "::after").content]));
      expect(printed.length).toBeGreaterThan(0);
      for (const [href, after] of printed) expect(after).toBe(`" (${href})"`);
      await page.screenshot({ path: join(RESULTS, "apparatus-print.png"), fullPage: true });

      const pdf = await page.pdf({ format: "A4", printBackground: true });
      writeFileSync(join(RESULTS, "apparatus-print.pdf"), pdf);
      const fills = pageFills(pdf);
      expect(fills.length).toBeGreaterThan(5);
      const nearEmpty = fills.slice(0, -1).map((p, k) => ({ page: k + 1, fill: Number(p.fill.toFixed(2)) })).filter((p) => p.fill < MIN_PAGE_FILL);
      expect(nearEmpty).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
