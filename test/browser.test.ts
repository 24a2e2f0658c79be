// The built article in a real browser: playwright-core driving Debian's chromium (never a browser
// downloaded by a tool) against the shared build of the site (test/helpers/site-build.ts) served on
// 127.0.0.1. Checks the page loads cleanly, the explorer island hydrates, its slider redraws both
// figures, its toggle switches views and hovering shows a weight's details; and that without
// JavaScript the static figures and equations are all there; and that on a phone nothing runs off the
// page. Screenshots go to test-results/.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyse } from "../src/analysis/index.ts";
import { formatSigned } from "../src/figures/format.ts";
import { densityValueText } from "../src/article-components/explorer/explorer-data.ts";
import { readDataFile } from "../src/data/io.ts";
import { formatDensity } from "../src/figures/format.ts";
import { analysedExperiment } from "../src/site/experiment.ts";
import { BUDGET_BYTES, pageScripts } from "./helpers/page-scripts.ts";
import { ROOT, builtSite } from "./helpers/site-build.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { serveStatic } from "./helpers/static-server.ts";
import type { StaticServer } from "./helpers/static-server.ts";

const RESULTS = join(ROOT, "test-results");
const EXPLORER = "#explorer .pb-explorer";
const exp = analysedExperiment(readDataFile(join(ROOT, "public", "data", "relu-hidden.json")));
const linear = analysedExperiment(readDataFile(join(ROOT, "public", "data", "linear-hidden.json")));
/** The explorer's view of the data: levels densest first. */
const data = {
  levels: exp.levels.map((a) => ({ density: a.level.density, W: a.W, b: a.level.best.b })),
  modelsPerLevel: exp.file.config.modelsPerLevel,
  importance: exp.file.config.importance,
};

let site = "";
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  site = await builtSite();
  server = await serveStatic(site);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface PageProblems {
  console: string[];
  failed: string[];
  scripts: string[];
}

/** Opens the article, recording console errors, page errors, failed requests and loaded scripts. */
async function openArticle(context: BrowserContext): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  const problems: PageProblems = { console: [], failed: [], scripts: [] };
  page.on("console", (m: ConsoleMessage) => {
    if (m.type() === "error" || m.type() === "warning") problems.console.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.console.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.failed.push(`${r.url()}: HTTP ${r.status()}`);
    if (r.request().resourceType() === "script") problems.scripts.push(new URL(r.url()).pathname);
  });
  await page.goto(`${server.url}/`, { waitUntil: "load" });
  return { page, problems };
}

/** Scrolls the explorer into view (it hydrates client:visible) and waits until its figures are drawn. */
async function hydrateExplorer(page: Page): Promise<void> {
  await page.locator("#explorer").scrollIntoViewIfNeeded();
  await page.waitForSelector(`${EXPLORER}[data-hydrated="true"][data-ready="true"]`, { timeout: 15_000 });
}

const svgOf = (page: Page, figure: "matrix" | "stack") => page.locator(`${EXPLORER} [data-figure="${figure}"] svg`).first().evaluate((el) => el.outerHTML);
/** The level the explorer shows, as "model:index". */
const drawn = (page: Page) => page.locator(`${EXPLORER} .pb-explorer__figures`).getAttribute("data-drawn");
const drawnLevel = async (page: Page) => Number((await drawn(page))!.split(":")[1]);
const drawnAt = (k: number, model = "relu-hidden") => `${EXPLORER} .pb-explorer__figures[data-drawn="${model}:${k}"]`;

describe("the article with JavaScript", () => {
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    ({ page, problems } = await openArticle(context));
  });

  afterAll(async () => {
    await context?.close();
  });

  it("loads with no console errors and no failed requests, and hydrates the explorer", async () => {
    await hydrateExplorer(page);
    await page.waitForLoadState("networkidle");
    expect(problems.failed).toEqual([]);
    expect(problems.console).toEqual([]);
    expect(await page.locator("h1").count()).toBe(1);
    await page.screenshot({ path: join(RESULTS, "article.png"), fullPage: true });
  });

  it("loads only scripts the JS budget counts", async () => {
    const counted = pageScripts(site).filter((s) => s.via !== "dynamic import");
    const names = new Set(counted.map((s) => s.name));
    expect(problems.scripts.length).toBeGreaterThan(0);
    for (const path of problems.scripts) expect(names, `${path} is loaded but not counted by the JS budget`).toContain(path);
    expect(counted.reduce((sum, s) => sum + s.gzipBytes, 0)).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("shows the selected level's density, regime, loss and K from the data", async () => {
    const k = await drawnLevel(page);
    const level = data.levels[k];
    const slider = page.locator(`${EXPLORER} input[type="range"]`);
    expect(await slider.getAttribute("aria-valuetext")).toBe(densityValueText(level.density));
    expect(await slider.getAttribute("max")).toBe(String(data.levels.length - 1));
    const label = await page.locator(`label[for="${await slider.getAttribute("id")}"]`).textContent();
    expect(label).toContain("density");
    const regime = exp.levels[k].analysis.regime.phrase;
    expect(await page.locator(`${EXPLORER} .pb-explorer__regime`).textContent()).toBe(regime);
    expect(await page.locator(`${EXPLORER} .pb-explorer__stats`).textContent()).toContain(`K = ${data.modelsPerLevel.toLocaleString("en")}`);
  });

  it("redraws the matrix and the stack plot together when the slider moves (keyboard)", async () => {
    const slider = page.locator(`${EXPLORER} input[type="range"]`);
    const before = { matrix: await svgOf(page, "matrix"), stack: await svgOf(page, "stack"), density: await page.locator(`${EXPLORER} .pb-explorer__density`).textContent(), regime: await page.locator(`${EXPLORER} .pb-explorer__regime`).textContent() };
    await slider.focus();
    await page.keyboard.press("End");
    const last = data.levels.length - 1;
    await page.waitForSelector(drawnAt(last));
    expect(await slider.inputValue()).toBe(String(last));
    expect(await slider.getAttribute("aria-valuetext")).toBe(densityValueText(data.levels[last].density));
    expect(await svgOf(page, "matrix")).not.toBe(before.matrix);
    expect(await svgOf(page, "stack")).not.toBe(before.stack);
    expect(await page.locator(`${EXPLORER} .pb-explorer__density`).textContent()).not.toBe(before.density);
    expect(await page.locator(`${EXPLORER} .pb-explorer__regime`).textContent()).toBe(exp.levels[last].analysis.regime.phrase);
    // One step back with an arrow key.
    await page.keyboard.press("ArrowLeft");
    await page.waitForSelector(drawnAt(last - 1));
    // The visible focus ring is there.
    expect(await slider.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe("none");
  });

  it("moves with fill too (every level can be selected)", async () => {
    const slider = page.locator(`${EXPLORER} input[type="range"]`);
    const mid = Math.floor(data.levels.length / 2);
    await slider.fill(String(mid));
    await page.waitForSelector(drawnAt(mid));
    expect(await page.locator(`${EXPLORER} .pb-explorer__density`).textContent()).toBe(densityValueText(data.levels[mid].density).split(" ")[1]);
  });

  it("switches between matrix, stack and both", async () => {
    const matrix = page.locator(`${EXPLORER} [data-figure="matrix"]`);
    const stack = page.locator(`${EXPLORER} [data-figure="stack"]`);
    const pick = (label: string) => page.locator(`${EXPLORER} .pb-explorer__views label`, { hasText: label }).click();
    await pick("Matrix");
    await expect.poll(() => stack.isHidden()).toBe(true);
    expect(await matrix.isVisible()).toBe(true);
    await pick("Stack");
    await expect.poll(() => matrix.isHidden()).toBe(true);
    expect(await stack.isVisible()).toBe(true);
    await pick("Both");
    await expect.poll(() => matrix.isVisible()).toBe(true);
    expect(await stack.isVisible()).toBe(true);
  });

  it("shows a weight's details when hovering a matrix cell or a stack segment", async () => {
    const k = await drawnLevel(page);
    const level = data.levels[k];
    const analysis = analyse(level.W, level.b, { importance: data.importance });
    const details = page.locator(`${EXPLORER} .pb-explorer__details`);
    // The largest |w|: drawn in the matrix and, being the tallest block, in the stack plot too.
    let [j0, i0] = [0, 0];
    level.W.forEach((row, j) => row.forEach((w, i) => Math.abs(w) > Math.abs(level.W[j0][i0]) && ([j0, i0] = [j, i])));
    const cell = page.locator(`${EXPLORER} [data-figure="matrix"] rect[data-neuron="${j0}"][data-feature="${i0}"]`);
    await cell.hover();
    await expect.poll(() => details.textContent()).toContain(formatSigned(level.W[j0][i0], 3));
    const text = (await details.textContent()) ?? "";
    expect(text).toContain(`n${j0}`);
    expect(text).toContain(formatSigned(analysis.superposition[i0], 3));
    expect(await cell.evaluate((el) => el.classList.contains("is-active"))).toBe(true);
    // The same weight is highlighted in the stack plot.
    const twin = page.locator(`${EXPLORER} [data-figure="stack"] rect[data-neuron="${j0}"][data-feature="${i0}"]`);
    expect(await twin.count()).toBe(1);
    expect(await twin.evaluate((el) => el.classList.contains("is-active"))).toBe(true);
    // Native tooltip.
    expect(await cell.locator("title").textContent()).toContain(`superposition of feature ${i0} = ${formatSigned(analysis.superposition[i0], 3)}`);

    // The tallest segment (thin ones sit under their neighbours' strokes).
    const tallest = await page.locator(`${EXPLORER} [data-figure="stack"] rect[data-feature]`).evaluateAll((rects) => {
      const heights = rects.map((r) => Number(r.getAttribute("height")));
      return heights.indexOf(Math.max(...heights));
    });
    const segment = page.locator(`${EXPLORER} [data-figure="stack"] rect[data-feature]`).nth(tallest);
    const [j, i] = [Number(await segment.getAttribute("data-neuron")), Number(await segment.getAttribute("data-feature"))];
    await segment.hover();
    await expect.poll(() => details.textContent()).toContain(formatSigned(level.W[j][i], 3));
    await page.locator("#explorer").screenshot({ path: join(RESULTS, "explorer.png") });
  });

  it("switches to the linear model, at the nearest density it trained, and keeps the state in the URL", async () => {
    const from = data.levels[await drawnLevel(page)].density;
    await page.locator(`${EXPLORER} .pb-explorer__models label`, { hasText: "Linear" }).click();
    const stops = linear.levels.map((a) => a.level.density);
    const nearest = stops.reduce((best, d, k) => (Math.abs(Math.log(d) - Math.log(from)) < Math.abs(Math.log(stops[best]) - Math.log(from)) ? k : best), 0);
    await page.waitForSelector(drawnAt(nearest, "linear-hidden"));
    expect(await page.locator(`${EXPLORER} input[type="range"]`).getAttribute("max")).toBe(String(stops.length - 1));
    expect(new URL(page.url()).searchParams.get("model")).toBe("linear");
    expect(new URL(page.url()).searchParams.get("density")).toBe(formatDensity(stops[nearest]));
    // The linear model's neurons are an arbitrary basis: no regime, no roles.
    expect(await page.locator(`${EXPLORER} .pb-explorer__regime`).textContent()).toBe("none: no privileged basis");
    expect(await page.locator(`${EXPLORER} .pb-explorer__stats`).textContent()).not.toContain("monosemantic");
    await page.locator(`${EXPLORER} .pb-explorer__models label`, { hasText: "ReLU" }).click();
    await expect.poll(async () => (await drawn(page))?.startsWith("relu-hidden:")).toBe(true);
  });

  it("opens at the state a link gives (?density=…&view=…)", async () => {
    const k = Math.floor(data.levels.length / 3);
    const linked = await context.newPage();
    try {
      await linked.goto(`${server.url}/?density=${formatDensity(data.levels[k].density)}&view=stack#explorer`, { waitUntil: "load" });
      await hydrateExplorer(linked);
      await linked.waitForSelector(drawnAt(k));
      expect(await linked.locator(`${EXPLORER} [data-figure="matrix"]`).isHidden()).toBe(true);
      expect(await linked.locator(`${EXPLORER} [data-figure="stack"]`).isVisible()).toBe(true);
    } finally {
      await linked.close();
    }
  });

  it("lets the keyboard walk the matrix", async () => {
    const plot = page.locator(`${EXPLORER} [data-figure="matrix"] [tabindex="0"]`);
    await plot.focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.locator(`${EXPLORER} .pb-explorer__details dd`).first().textContent()).toMatch(/^1\b/);
  });
});

describe("the article without JavaScript", () => {
  it("still shows the equations, the static figures and the explorer's fallback", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems } = await openArticle(context);
      expect(problems.failed).toEqual([]);
      expect(await page.locator(".katex").count()).toBeGreaterThan(0);
      expect(await page.locator(".katex-display").count()).toBeGreaterThan(0);
      expect(await page.locator("main svg[role='img']").count()).toBeGreaterThanOrEqual(4);
      expect(await page.locator("figure figcaption").count()).toBeGreaterThan(0);
      // The explorer shows its static view: both figures, regime and loss, and no live controls.
      expect(await page.locator(`${EXPLORER} [data-figure="matrix"] svg`).count()).toBe(1);
      expect(await page.locator(`${EXPLORER} [data-figure="stack"] svg`).count()).toBe(1);
      expect(((await page.locator(`${EXPLORER} .pb-explorer__regime`).textContent()) ?? "").length).toBeGreaterThan(0);
      expect(await page.locator(`${EXPLORER} input[type="range"]`).isDisabled()).toBe(true);
      expect(await page.locator(`${EXPLORER}[data-ready]`).count()).toBe(0);
      expect(problems.scripts).toEqual([]);
      await page.screenshot({ path: join(RESULTS, "article-no-js.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

describe("the article on a phone", () => {
  for (const width of [360, 390]) {
    it(`fits ${width} px: nothing runs off the page and no equation has to scroll sideways`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
      try {
        const { page, problems } = await openArticle(context);
        await hydrateExplorer(page);
        expect(problems.console).toEqual([]);
        const { pageWidth, viewport } = await page.evaluate(() => ({ pageWidth: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
        expect(pageWidth).toBeLessThanOrEqual(viewport);
        const equations = await page.locator(".equation").evaluateAll((els) =>
          els.map((el) => {
            const body = el.querySelector(".equation-body")!;
            return { id: el.id, overflow: body.scrollWidth - body.clientWidth };
          }));
        expect(equations.length).toBeGreaterThanOrEqual(6);
        expect(equations.filter((e) => e.overflow > 1)).toEqual([]);
        // Scrolled to the stack plot, the slider that changes it is still on screen.
        await page.locator(`${EXPLORER} [data-figure="stack"]`).scrollIntoViewIfNeeded();
        const slider = await page.locator(`${EXPLORER} input[type="range"]`).boundingBox();
        const stack = await page.locator(`${EXPLORER} [data-figure="stack"]`).boundingBox();
        expect(slider!.y).toBeGreaterThanOrEqual(0);
        expect(slider!.y + slider!.height).toBeLessThanOrEqual(800);
        expect(stack!.y).toBeLessThan(800);
        await page.screenshot({ path: join(RESULTS, `article-${width}px.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
