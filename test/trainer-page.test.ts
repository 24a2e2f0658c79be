// "Train it yourself" in the built site (test/helpers/site-build.ts), in Debian's chromium with WebGPU on
// SwiftShader: the standalone page finds the software adapter and picks the CPU, trains, shows the
// winner beside the article's with the article's analysis, and downloads a data file that passes the
// schema and builds the site through PB_DATA_DIR (refused as stale against the declared experiment, then
// built with PB_ALLOW_STALE=1 under the page's banner); WebGPU chosen by hand trains too; Cancel, a hidden
// tab and a lost device each end with a message and a Retry that works; the article loads the trainer
// only when asked. No console errors anywhere. (The numbers' equality with the Node engines:
// test/trainer-browser.test.ts.)

import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataFileSchema } from "../src/data/schema.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { ROOT, builtSite, runAstroBuild } from "./helpers/site-build.ts";
import { serveStatic, type StaticServer } from "./helpers/static-server.ts";

let server: StaticServer;
let browser: Browser;
const temps: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};

beforeAll(async () => {
  server = await serveStatic(await builtSite());
  browser = await launchChromium({ webgpu: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  // Main-thread tasks over 50 ms (chromium's long tasks), to show that training leaves the tab responsive.
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: "longtask", buffered: true });
  });
  // A switch the test flips to lose the next WebGPU device a moment after it is made.
  await page.addInitScript(() => {
    const w = window as unknown as { loseNextDevice?: boolean };
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, d?: GPUDeviceDescriptor) {
      const device = await request.call(this, d);
      if (w.loseNextDevice) {
        w.loseNextDevice = false;
        setTimeout(() => device.destroy(), 300);
      }
      return device;
    };
  });
  await page.goto(`${server.url}${path}`);
  return { page, errors };
}

async function setSettings(page: Page, s: { density?: number; models?: number; steps?: number; seed?: number }) {
  for (const [name, v] of Object.entries(s)) await page.fill(`#trainer input[name="${name}"]`, String(v));
}

const train = (page: Page) => page.click('#trainer button[type="submit"]');

describe("Train it yourself (built site, chromium)", () => {
  it("on the standalone page: picks the CPU over an emulated GPU, trains, shows the winner beside the article's, and downloads a file that builds the site", async () => {
    const { page, errors } = await open("/train/");
    await expect.poll(() => page.textContent('[data-testid="engine-note"]')).toMatch(/WebGPU adapter, google swiftshader \(WebGPU in the browser\), emulates a GPU on the CPU, so the CPU engine/);
    expect(await page.isChecked('input[name="engine"][value="cpu"]')).toBe(true);
    await setSettings(page, { density: 0.3, models: 4, steps: 3000, seed: 3 });
    const started = await page.evaluate(() => performance.now());
    await train(page);
    await page.waitForSelector('[data-testid="progress"]');
    const selecting = await page.waitForFunction(() => /choosing the winner/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? "") && performance.now(), undefined, { timeout: 60_000, polling: 20 });
    await page.waitForSelector('[data-testid="result"]', { timeout: 60_000 });
    // 12,000 model-steps in the workers (a second or two here; as long again or more if they ran on the
    // page's thread): the page's own tasks stay short meanwhile. 500 ms leaves room for a loaded machine.
    const during = await page.evaluate(([a, b]) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= a && t.start <= b), [started, (await selecting.jsonValue()) as number] as const);
    expect(Math.max(0, ...during.map((t) => t.duration))).toBeLessThan(500);
    // The run and the article's winner at 0.3, each with its regime, loss and two plots, and the legends.
    for (const key of ["run", "committed"]) {
      expect(await page.locator(`[data-testid="model-${key}"] svg`).count(), key).toBe(2);
      expect((await page.textContent(`[data-testid="model-${key}"] [data-testid="regime"]`))!.length).toBeGreaterThan(3);
    }
    expect(await page.textContent('[data-testid="model-committed"]')).toContain("relu-hidden.json");
    expect(await page.textContent('[data-testid="result"]')).toMatch(/Model \d won among 4 candidates, with a loss of .* on 1,048,576 fresh draws; the runner-up, model \d, is/);
    // The retrain command names what differs from the declared experiment.
    expect(await page.textContent('[data-testid="result"]')).toContain("npm run train -- relu-hidden --models 4 --steps 3000 --levels 0.3 --seed 3 --out relu-hidden-run.json --engine cpu --kernel simd");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="download"]')]);
    expect(download.suggestedFilename()).toBe("relu-hidden.json");
    const dir = temp("pb-trainer-data-");
    await download.saveAs(join(dir, "relu-hidden.json"));
    const text = readFileSync(join(dir, "relu-hidden.json"), "utf8");
    const data = dataFileSchema.parse(JSON.parse(text));
    expect(data).toMatchObject({ model: "relu-hidden", config: { modelsPerLevel: 4, steps: 3000, seed: 3 }, run: { engine: "cpu", kernel: { name: "simd" } } });
    expect(data.levels.map((l) => l.density)).toEqual([0.3]);
    // Built into the site with every other experiment's committed files: the article shows the reader's
    // run, under the banner of a build from data that is not the declared experiment.
    for (const name of readdirSync(join(ROOT, "public", "data"))) if (!name.startsWith("relu-hidden.")) copyFileSync(join(ROOT, "public", "data", name), join(dir, name));
    const out = temp("pb-trainer-site-");
    const refused = await runAstroBuild(temp("pb-trainer-site-"), { PB_DATA_DIR: dir });
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/relu-hidden/);
    const r = await runAstroBuild(out, { PB_DATA_DIR: dir, PB_ALLOW_STALE: "1" });
    expect(r.ok, r.output.slice(-3000)).toBe(true);
    const page1 = readFileSync(join(out, "index.html"), "utf8").replace(/<[^>]+>/g, " ");
    expect(page1).toContain(`the best is model ${data.levels[0].best.model} (of 0–3)`);
    expect(page1).toMatch(/Stale data\.[\s\S]*relu-hidden\s*: stale \(modelsPerLevel: file 4, declared 1000; steps: file 3000, declared 10000;/);
    expect(readFileSync(join(out, "data", "relu-hidden.json"), "utf8")).toBe(text);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it("trains on WebGPU when chosen, and ends a cancel, a hidden tab and a lost device with a message and a working Retry", async () => {
    const { page, errors } = await open("/train/");
    await page.waitForSelector('input[name="engine"][value="webgpu"]:not([disabled])');
    await page.check('input[name="engine"][value="webgpu"]');
    await setSettings(page, { density: 0.3, models: 4, steps: 20, seed: 0 });
    await train(page);
    await page.waitForSelector('[data-testid="result"]', { timeout: 120_000 });
    expect(await page.textContent('[data-testid="result"]')).toContain("on google swiftshader (WebGPU in the browser)");

    // Cancel, mid-training: progress shows models, model-steps, the rate and the time left.
    await setSettings(page, { models: 4, steps: 5000 });
    await train(page);
    await expect.poll(() => page.textContent('[data-testid="progress"]').catch(() => ""), { timeout: 60_000 }).toMatch(/0 of 4 models done · [\d,]+ of 20,000 model-steps \(\d+%\) · [\d,]+ model-steps\/s · about .* left/);
    await page.click('#trainer button:text("Cancel")');
    await expect.poll(() => page.textContent('[data-testid="stopped"]').catch(() => "")).toBe("Training was cancelled.");
    // Retry, smaller.
    await setSettings(page, { steps: 10 });
    expect(await page.textContent('#trainer button[type="submit"]')).toBe("Retry");
    await train(page);
    await page.waitForSelector('[data-testid="result"]', { timeout: 120_000 });

    // A hidden tab stops a WebGPU run.
    await setSettings(page, { steps: 5000 });
    await train(page);
    await page.waitForSelector('[data-testid="progress"]');
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await expect.poll(() => page.textContent('[data-testid="stopped"]').catch(() => ""), { timeout: 60_000 }).toMatch(/tab was hidden/);
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    });

    // A lost device fails the run with the device's message; Retry gets a new one.
    await page.evaluate(() => ((window as unknown as { loseNextDevice: boolean }).loseNextDevice = true));
    await train(page);
    await expect.poll(() => page.textContent('[data-testid="failed"]').catch(() => ""), { timeout: 60_000 }).toMatch(/^Training failed: webgpu: GPU device lost/);
    await setSettings(page, { steps: 10 });
    await train(page);
    await page.waitForSelector('[data-testid="result"]', { timeout: 120_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it("in the article, loads the trainer only when the reader opens it, and links the standalone page", async () => {
    const { page, errors } = await open("/");
    const scripts: string[] = [];
    page.on("request", (r) => r.resourceType() === "script" && scripts.push(r.url()));
    await page.locator("#train-it-yourself-title").scrollIntoViewIfNeeded();
    await page.waitForSelector('.pb-trainer__launch button:text("Open the trainer"):not([disabled])');
    expect(scripts.some((u) => /TrainerPanel/.test(u))).toBe(false);
    expect(await page.getAttribute('a[href="train/"]', "href")).toBe("train/");
    await page.click('.pb-trainer__launch button');
    await page.waitForSelector('#train-it-yourself input[name="density"]');
    expect(scripts.some((u) => /TrainerPanel/.test(u))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
