// The in-page trainer (src/trainer/run.ts) in Debian's chromium, against the Node engines: on WebGPU
// (SwiftShader: --enable-unsafe-webgpu, page from 127.0.0.1) it runs the Node engine's core on
// navigator.gpu with the WGSL files bundled as strings (Vite's `?raw`, here an esbuild plugin doing the
// same: scripts/bench/trainer-page.ts), and every model's weights and held-out loss must equal the Node webgpu engine's on SwiftShader
// for the same config, kernel and workgroup size; on the CPU (Web Workers, the SIMD kernel) they must
// equal the Node SIMD kernel's. Both bit for bit. Then the selection, the data file (validated by the
// schema), progress and cancelling.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataFileSchema, type DataFile } from "../src/data/schema.ts";
import { SimdKernel } from "../src/train/simd/simd-kernel.ts";
import { localEvaluator } from "../src/train/evaluator.ts";
import { selectBest } from "../src/train/select-level.ts";
import { createWebGpuEngine } from "../src/train/webgpu/engine.ts";
import type { TrainedLevel } from "../src/train/engine.ts";
import { BROWSER_STAGE2, trainConfig, type TrainerProgress } from "../src/trainer/run.ts";
import type { TrainerSettings } from "../src/trainer/limits.ts";
import type { KernelName } from "../src/train/webgpu/layout.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { serveStatic, type StaticServer } from "./helpers/static-server.ts";
import { buildTrainerPage } from "../scripts/bench/trainer-page.ts";

let dir = "";
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pb-trainer-browser-"));
  await buildTrainerPage(dir);
  server = await serveStatic(dir);
  browser = await launchChromium({ webgpu: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PageRun {
  data: DataFile;
  params: number[][];
  evalLosses: number[];
  error?: string;
}

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => "pb" in window);
  return { page, errors };
}

interface PageOptions {
  cancelAfterSteps?: number;
  kernel?: KernelName;
  workgroupSize?: number;
}
const trainIn = (page: Page, settings: TrainerSettings, engine: "webgpu" | "cpu", options: PageOptions = {}) =>
  page.evaluate(([s, e, o]) => (window as unknown as { pb: { train(...a: unknown[]): Promise<unknown> } }).pb.train(s, e, o), [settings, engine, options] as const) as Promise<PageRun>;
const progressIn = (page: Page) => page.evaluate(() => (window as unknown as { pb: { progress: TrainerProgress[] } }).pb.progress);

/** The level's file entry as Node's trainer would select it from the same models, in one thread. */
async function nodeLevel(settings: TrainerSettings, trained: TrainedLevel) {
  const config = trainConfig(settings);
  return selectBest(localEvaluator(settings.kind, config), config, trained, () => {}, BROWSER_STAGE2);
}

/** The page's level against Node's selection from the same models: the same winner and candidates; the
 *  stage-2 statistics to float64 rounding (the page sums the draws in two workers' halves). */
function expectSameSelection(got: DataFile["levels"][number], want: DataFile["levels"][number]) {
  expect(got.modelLosses).toEqual(want.modelLosses);
  expect(got.losses).toEqual(want.losses);
  expect(got.best).toEqual(want.best);
  const [g, w] = [got.selection!, want.selection!];
  expect({ ...g, candidates: g.candidates.map((c) => c.model), paired: g.paired.map((p) => p.model) }).toEqual({ ...w, candidates: w.candidates.map((c) => c.model), paired: w.paired.map((p) => p.model) });
  g.candidates.forEach((c, k) => {
    expect(c.loss).toBeCloseTo(w.candidates[k].loss, 12);
    expect(c.se / w.candidates[k].se).toBeCloseTo(1, 9);
  });
}

describe("the in-page trainer (chromium)", () => {
  const settings: TrainerSettings = { kind: "relu-hidden", density: 0.3, models: 4, steps: 20, seed: 7 };

  it("finds chromium's WebGPU adapter: SwiftShader, a software adapter", async () => {
    const { page, errors } = await openPage();
    const probe = await page.evaluate(() => (window as unknown as { pb: { probe(): Promise<unknown> } }).pb.probe());
    expect(probe).toEqual({ ok: true, name: "google swiftshader (WebGPU in the browser)", software: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("trains on WebGPU with the Node webgpu engine's bits (SwiftShader, same kernel and workgroup), and writes a valid data file", async () => {
    const { page, errors } = await openPage();
    const run = await trainIn(page, settings, "webgpu");
    expect(run.error).toBeUndefined();
    const config = trainConfig(settings);
    const engine = await createWebGpuEngine();
    let node: TrainedLevel | undefined;
    const kernel = engine.kernel(settings.kind, config);
    try {
      await engine.train({ kind: settings.kind, config, densities: [settings.density], onLevel: (l) => void (node = l) });
    } finally {
      await engine.close();
    }
    expect(run.params).toEqual(node!.params.map((p) => Array.from(p)));
    expect(run.evalLosses).toEqual(Array.from(node!.evalLosses));
    expect(run.data.run.kernel).toEqual(kernel);
    expect(dataFileSchema.safeParse(run.data).success).toBe(true);
    expect(run.data).toMatchObject({ schema: "privileged-basis/3", model: "relu-hidden", config, run: { engine: "webgpu", device: "google swiftshader (WebGPU in the browser)", commit: "test" } });
    expect(run.data.run.gpuSeconds).toBeGreaterThan(0);
    expectSameSelection(run.data.levels[0], await nodeLevel(settings, node!));
    // Progress: training reports that reach every model-step, and ETAs from a measured rate.
    const progress = await progressIn(page);
    expect(progress[0]).toMatchObject({ phase: "starting", modelStepsDone: 0, modelStepsTotal: 80, models: 4 });
    const training = progress.filter((p) => p.phase === "training");
    expect(training.at(-1)).toMatchObject({ modelStepsDone: 80, modelsDone: 4 });
    expect(training[0]).toMatchObject({ modelStepsDone: 0, rate: NaN, etaSeconds: NaN });
    expect(training.slice(1).every((p) => p.rate > 0 && p.etaSeconds >= 0)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: "selecting" });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("trains the linear model with the workgroup kernel of 32 threads on WebGPU with the Node engine's bits too", async () => {
    const { page, errors } = await openPage();
    const s: TrainerSettings = { kind: "linear-hidden", density: 0.05, models: 3, steps: 12, seed: 1 };
    const run = await trainIn(page, s, "webgpu", { kernel: "workgroup", workgroupSize: 32 });
    expect(run.error).toBeUndefined();
    const config = trainConfig(s);
    const engine = await createWebGpuEngine({ kernel: "workgroup", workgroupSize: 32 });
    let node: TrainedLevel | undefined;
    try {
      await engine.train({ kind: s.kind, config, densities: [s.density], onLevel: (l) => void (node = l) });
    } finally {
      await engine.close();
    }
    expect(run.params).toEqual(node!.params.map((p) => Array.from(p)));
    expect(run.evalLosses).toEqual(Array.from(node!.evalLosses));
    expect(run.data.run.kernel).toEqual({ name: "workgroup", workgroupSize: 32 });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("trains on the CPU in Web Workers with the Node SIMD kernel's bits, and writes a valid data file", async () => {
    const { page, errors } = await openPage();
    const cpuSettings: TrainerSettings = { ...settings, kind: "linear-hidden", models: 5, steps: 300 };
    const run = await trainIn(page, cpuSettings, "cpu");
    expect(run.error).toBeUndefined();
    const config = trainConfig(cpuSettings);
    const kernel = new SimdKernel(cpuSettings.kind, config);
    const params = Array.from({ length: 5 }, (_, k) => kernel.train(cpuSettings.density, k).params);
    expect(run.params).toEqual(params.map((p) => Array.from(p)));
    const evalLosses = params.map((p) => kernel.evalLoss(cpuSettings.density, p));
    expect(run.evalLosses).toEqual(evalLosses);
    expect(dataFileSchema.safeParse(run.data).success).toBe(true);
    expect(run.data.run).toMatchObject({ engine: "cpu", kernel: { name: "simd" }, device: "this browser's CPU, 2 Web Workers (WebAssembly SIMD)" });
    expectSameSelection(run.data.levels[0], await nodeLevel(cpuSettings, { density: cpuSettings.density, params, evalLosses: Float64Array.from(evalLosses), seconds: 0 }));
    // Progress every 250 steps of each model and at its end, models counted as they finish.
    const training = (await progressIn(page)).filter((p) => p.phase === "training");
    expect(training.at(-1)).toMatchObject({ modelsDone: 5, modelStepsDone: 1500 });
    expect(training.map((p) => p.modelStepsDone)).toEqual([...training.map((p) => p.modelStepsDone)].sort((a, b) => a - b));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("stops when cancelled, on either engine, and trains again afterwards", async () => {
    const { page, errors } = await openPage();
    for (const engine of ["cpu", "webgpu"] as const) {
      const s: TrainerSettings = { ...settings, steps: 2000, models: engine === "cpu" ? 4 : 2 };
      const stopped = await trainIn(page, s, engine, { cancelAfterSteps: 1 });
      expect(stopped.error, engine).toBe("TrainerStopped: Training was cancelled.");
      const again = await trainIn(page, { ...settings, steps: 5 }, engine);
      expect(again.error, engine).toBeUndefined();
      expect(again.data.levels[0].modelLosses).toHaveLength(4);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
