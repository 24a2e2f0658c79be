// The site published under a sub-path, as GitHub Pages serves a project site
// (https://<owner>.github.io/<repo>/, .github/workflows/pages.yml): a shared build with PB_BASE and
// PB_SITE set (test/helpers/site-build.ts), served from 127.0.0.1 under that path only, opened in
// Debian's chromium. Every link, stylesheet, script, font, data download and the explorer's frames must
// resolve there (a path that forgot the base is a 404 on such a host), and the explorer must work.
// Also checks how the workflow derives PB_SITE / PB_BASE (scripts/pages-env.sh).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, builtSite } from "./helpers/site-build.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { serveStatic } from "./helpers/static-server.ts";
import type { StaticServer } from "./helpers/static-server.ts";

const BASE = "/sub/path";
const SITE = "https://example.github.io";
const EXPLORER = "#explorer .pb-explorer";

describe(`the site built with PB_BASE=${BASE}, served under ${BASE}/`, () => {
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let home = "";
  let siteDir = "";
  const problems: string[] = [];
  /** Every same-origin URL the page asked for, with its status. */
  const requested = new Map<string, number>();

  beforeAll(async () => {
    siteDir = await builtSite({ PB_BASE: BASE, PB_SITE: SITE });
    server = await serveStatic(siteDir, { base: BASE });
    home = `${server.url}${BASE}/`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}: ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.url().startsWith(server.url)) requested.set(new URL(r.url()).pathname, r.status());
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(home, { waitUntil: "load" });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("loads with every request answered (CSS, scripts, fonts) and no console errors, and hydrates the explorer", async () => {
    await page.locator("#explorer").scrollIntoViewIfNeeded();
    const hydrated = await page.waitForSelector(`${EXPLORER}[data-hydrated="true"][data-ready="true"]`, { timeout: 15_000 }).then(() => true, () => false);
    await page.waitForLoadState("networkidle");
    // The failed requests first: they say why the explorer did not hydrate, if it did not.
    expect(problems).toEqual([]);
    expect(hydrated, "the explorer hydrated and drew its figures").toBe(true);
    // What the page loaded came from under the base path: stylesheet, island scripts, KaTeX fonts
    // and the explorer's frames (fetched by the island).
    const paths = [...requested.keys()];
    expect(paths.filter((p) => !p.startsWith(`${BASE}/`))).toEqual([]);
    expect(paths.some((p) => p.endsWith(".css"))).toBe(true);
    expect(paths.some((p) => /\/_astro\/ExplorerIsland\.[^/]+\.js$/.test(p))).toBe(true);
    expect(paths.some((p) => /\/_astro\/KaTeX_[^/]+\.woff2$/.test(p))).toBe(true);
    expect(requested.get(`${BASE}/explorer/relu-hidden.json`)).toBe(200);
    expect(server.log.filter((r) => r.status !== 200)).toEqual([]);
  });

  it("moves the explorer with its slider", async () => {
    const svg = () => page.locator(`${EXPLORER} [data-figure="matrix"] svg`).first().evaluate((el) => el.outerHTML);
    const before = await svg();
    const slider = page.locator(`${EXPLORER} input[type="range"]`);
    await slider.focus({ timeout: 5_000 });
    await page.keyboard.press("End");
    await page.waitForSelector(`${EXPLORER} .pb-explorer__figures[data-drawn="relu-hidden:${await slider.getAttribute("max")}"]`, { timeout: 5_000 });
    expect(await svg()).not.toBe(before);
    expect(problems).toEqual([]);
  });

  it("resolves every link, stylesheet, script and image of the page, and every font and image its stylesheets name", async () => {
    const urls = await page.evaluate(() => [
      ...[...document.querySelectorAll("a[href], link[href]")].map((el) => (el as HTMLAnchorElement).href),
      ...[...document.querySelectorAll("script[src], img[src], source[src]")].map((el) => (el as HTMLScriptElement).src),
      ...[...document.querySelectorAll("astro-island")].flatMap((el) => ["component-url", "renderer-url"].map((a) => new URL(el.getAttribute(a) ?? "", location.href).href)),
    ]);
    const sameOrigin = [...new Set(urls.map((u) => u.split("#")[0]))].filter((u) => u.startsWith(server.url));
    const stylesheets = sameOrigin.filter((u) => new URL(u).pathname.endsWith(".css"));
    expect(stylesheets.length).toBeGreaterThan(0);
    const fromCss = stylesheets.flatMap((css) => {
      const text = readFileSync(join(siteDir, new URL(css).pathname.slice(BASE.length)), "utf8");
      return [...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]).filter((u) => !u.startsWith("data:")).map((u) => new URL(u, css).href);
    });
    expect(fromCss.filter((u) => /\.woff2$/.test(u)).length).toBeGreaterThan(10); // KaTeX's fonts
    const bad: string[] = [];
    for (const url of new Set([...sameOrigin, ...fromCss])) {
      const status = (await fetch(url, { redirect: "manual" })).status;
      if (status !== 200) bad.push(`${url}: HTTP ${status}`);
    }
    expect(bad).toEqual([]);
    // The page links the data files and the canonical URL under the base path too.
    expect(sameOrigin).toContain(`${server.url}${BASE}/data/relu-hidden.json`);
    expect(sameOrigin).toContain(`${server.url}${BASE}/data/linear-hidden.json`);
    expect(await page.locator('link[rel="canonical"]').getAttribute("href")).toBe(`${SITE}${BASE}/`);
  });

  it("serves the data files for download, as committed", async () => {
    const links = await page.locator("a[download]").evaluateAll((els) => els.map((el) => (el as HTMLAnchorElement).href));
    expect(links.length).toBeGreaterThan(0);
    for (const href of new Set(links)) {
      const response = await fetch(href);
      expect(response.status, href).toBe(200);
      const name = new URL(href).pathname.split("/").pop()!;
      expect(await response.text(), href).toBe(readFileSync(join(ROOT, "public", "data", name), "utf8"));
    }
  });

  it("trains in the standalone trainer page, linked from the article, loading everything from under the base path", async () => {
    // The article's own trainer island first (so that leaving the page aborts no script it was loading).
    await page.locator("#train-it-yourself-title").scrollIntoViewIfNeeded();
    await page.waitForSelector('.pb-trainer__launch button:text("Open the trainer"):not([disabled])');
    await page.click('a[href="train/"]');
    await page.waitForURL(`${home}train/`);
    // Without --enable-unsafe-webgpu this chromium grants no WebGPU adapter: the trainer says so and uses the CPU.
    await expect.poll(() => page.textContent('[data-testid="engine-note"]')).toMatch(/no adapter|no WebGPU/);
    for (const [name, v] of Object.entries({ density: 0.1, models: 2, steps: 50 })) await page.fill(`#trainer input[name="${name}"]`, String(v));
    await page.click('#trainer button[type="submit"]');
    await page.waitForSelector('#trainer [data-testid="result"]', { timeout: 60_000 });
    expect(await page.locator('#trainer [data-testid="model-committed"] svg').count()).toBe(2);
    const paths = [...requested.keys()];
    expect(paths.filter((p) => !p.startsWith(`${BASE}/`))).toEqual([]);
    expect(paths.some((p) => /\/_astro\/TrainerPanel\.[^/]+\.js$/.test(p))).toBe(true);
    expect(paths.some((p) => /\/_astro\/browser-worker[^/]*\.js$/.test(p))).toBe(true);
    expect(requested.get(`${BASE}/trainer/committed.json`)).toBe(200);
    // Chromium's own warning when it grants no adapter, the case this page is in.
    expect(problems.filter((p) => p !== `console warning: No available adapters. (${home}train/)`)).toEqual([]);
  }, 90_000);

  it("redirects the base path without its slash, as GitHub Pages does, and has nothing outside it", async () => {
    const bare = await fetch(`${server.url}${BASE}`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect((await fetch(`${server.url}/index.html`)).status).toBe(404);
  });
});

describe("scripts/pages-env.sh (PB_SITE and PB_BASE for the GitHub Pages workflow)", () => {
  const run = (env: Record<string, string>) => {
    const r = spawnSync("bash", [join(ROOT, "scripts", "pages-env.sh")], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("puts a project site at https://<owner>.github.io/<repo>", () => {
    expect(run({ GITHUB_REPOSITORY: "Octo-Org/privileged-basis" })).toEqual({ status: 0, stdout: "PB_SITE=https://octo-org.github.io\nPB_BASE=/privileged-basis\n", stderr: "" });
  });

  it("puts the <owner>.github.io repository at the root", () => {
    expect(run({ GITHUB_REPOSITORY: "Octo/Octo.github.io" }).stdout).toBe("PB_SITE=https://octo.github.io\nPB_BASE=/\n");
  });

  it("lets the repository variables PB_SITE and PB_BASE win (a custom domain), and takes empty ones as unset", () => {
    expect(run({ GITHUB_REPOSITORY: "octo/pb", PB_SITE: "https://example.org", PB_BASE: "/" }).stdout).toBe("PB_SITE=https://example.org\nPB_BASE=/\n");
    expect(run({ GITHUB_REPOSITORY: "octo/pb", PB_SITE: "", PB_BASE: "" }).stdout).toBe("PB_SITE=https://octo.github.io\nPB_BASE=/pb\n");
  });

  it("stops with one line without owner/name", () => {
    const r = run({ GITHUB_REPOSITORY: "" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("GITHUB_REPOSITORY must be owner/name");
  });

  it("is what the workflow runs, before withastro/action builds with package.json's Node", () => {
    const workflow = readFileSync(join(ROOT, ".github", "workflows", "pages.yml"), "utf8");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const env = workflow.indexOf("scripts/pages-env.sh >> \"$GITHUB_ENV\"");
    const build = workflow.indexOf("uses: withastro/action@");
    expect(env).toBeGreaterThan(0);
    expect(build).toBeGreaterThan(env);
    expect(workflow).toMatch(new RegExp(`node-version: ${pkg.devDependencies.node.replaceAll(".", "\\.")}\\n`));
    expect(workflow).toContain("uses: actions/deploy-pages@");
  });
});
