// npm run browser-bench -- [--engine webgpu|cpu] [--models K] [--steps N] [--density d] [--workers W] [--json]
// Times the in-page trainer (src/trainer/run.ts) in headless Debian chromium, as a reader's page runs
// it: WebGPU with the project's WGSL kernels (on a machine without a GPU, chromium's SwiftShader, with
// --enable-unsafe-webgpu) or the CPU's SIMD kernel in Web Workers. Prints training model-steps/s: from
// the first training report to the selection (so a WebGPU run's pipeline compilation is included, as a
// reader waits for it), the selection excluded. Compare with `npm run bench` (the Node engines).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launchChromium } from "../test/helpers/chromium.ts";
import { serveStatic } from "../test/helpers/static-server.ts";
import { buildTrainerPage } from "./bench/trainer-page.ts";
import type { TrainerProgress } from "../src/trainer/run.ts";

const USAGE = `usage: npm run browser-bench -- [--engine webgpu|cpu] [--models K] [--steps N] [--density d] [--workers W] [--json]
  defaults: webgpu 64 models × 20 steps (SwiftShader manages a few hundred model-steps/s), cpu 64 × 200; density 0.1; 2 workers`;

function fail(line: string): never {
  console.error(`browser-bench: ${line}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { engine: { type: "string", default: "webgpu" }, models: { type: "string" }, steps: { type: "string" }, density: { type: "string", default: "0.1" }, workers: { type: "string", default: "2" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } } }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const engine = args.engine;
if (engine !== "webgpu" && engine !== "cpu") fail(`--engine must be webgpu or cpu, got ${engine}`);
const int = (name: string, v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got ${v}`);
  return n;
};
const models = int("models", args.models, 64);
const steps = int("steps", args.steps, engine === "webgpu" ? 20 : 200);
const workers = int("workers", args.workers, 2);
const density = Number(args.density);
if (!(density > 0 && density <= 1)) fail(`--density must be in (0, 1], got ${args.density}`);

const dir = mkdtempSync(join(tmpdir(), "pb-browser-bench-"));
const server = await (async () => {
  await buildTrainerPage(dir);
  return serveStatic(dir);
})();
const browser = await launchChromium({ webgpu: true });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => "pb" in window);
  const probe = (await page.evaluate(() => (window as unknown as { pb: { probe(): Promise<unknown> } }).pb.probe())) as { ok: boolean; name?: string; reason?: string };
  const settings = { kind: "relu-hidden", density, models, steps, seed: 0 };
  const run = (await page.evaluate(([s, e, w]) => (window as unknown as { pb: { train(...a: unknown[]): Promise<unknown> } }).pb.train(s, e, { workers: w }), [settings, engine, workers] as const)) as { error?: string; data?: { run: { device: string; kernel: unknown; selectSeconds: number } } };
  if (run.error) throw new Error(run.error);
  const progress = (await page.evaluate(() => (window as unknown as { pb: { progress: unknown[] } }).pb.progress)) as (TrainerProgress & { at: number })[];
  const start = progress.find((p) => p.phase === "training")!.at;
  const end = progress.find((p) => p.phase === "selecting")!.at;
  const seconds = (end - start) / 1000;
  const result = {
    engine: `browser-${engine}`, device: run.data!.run.device, kernel: run.data!.run.kernel, adapter: probe.ok ? probe.name : probe.reason,
    chromium: browser.version(), models, steps, density, workers: engine === "cpu" ? workers : undefined,
    trainSeconds: Number(seconds.toFixed(3)), modelStepsPerSecond: Math.round((models * steps) / seconds), selectSeconds: run.data!.run.selectSeconds,
  };
  if (args.json) console.log(JSON.stringify(result));
  else {
    console.log(`chromium ${result.chromium}, ${engine === "webgpu" ? `WebGPU adapter ${result.adapter}` : `${workers} Web Workers`}: ${models} models × ${steps} steps at density ${density}`);
    console.log(`  training ${result.trainSeconds} s: ${result.modelStepsPerSecond.toLocaleString("en")} model-steps/s (then ${result.selectSeconds} s choosing the winner)`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
