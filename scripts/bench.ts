// npm run bench -- [--engine cpu|webgpu|auto] [--json] [--full] [--models K] [--steps N] [--density d]
//                   [--kernel simd|js|reference|private|workgroup] [--workgroup W]
// Trains a fixed workload and prints model-steps per second (one model-step = one optimizer step of one
// model on one batch of 1024). On the CPU it times, in the same run and on the same workload, the SIMD
// kernel (the engine's) against the generated JS kernel it replaced (scripts/bench/js-kernel.ts), one
// density at a time, and PyTorch's CPU build on the same model (scripts/bench/torch_cpu.py) where
// PyTorch is installed; otherwise it says how to install it. Unless --json or --no-baseline, it also
// times the plain reference trainer, single-threaded, and prints the speed-up over it.

import { cpus, totalmem, availableParallelism } from "node:os";
import { DEFAULT_DENSITIES, defaultConfig } from "../src/model/config.ts";
import { createEngine, type EngineOptions } from "../src/train/engines.ts";
import type { Engine } from "../src/train/engine.ts";
import { referenceTrain } from "../src/train/reference.ts";
import { CPU_KERNEL_NAMES, type CpuKernelName } from "../src/train/cpu-kernel.ts";
import { MAX_MODELS, engineChoice, integer, kernelName, parseCliArgs, parseDensities, workgroupSizeFlag, usageExits, type UsageExits } from "../src/train/cli.ts";
import { torchBaseline, type TorchBaselineResult } from "./bench/torch-baseline.ts";

const BENCH_USAGE = `usage: npm run bench -- [options]

  --engine cpu|webgpu|auto   engine to time (default cpu)
  --full                the full experiment: 21 levels × 1000 models × 10,000 steps (default: 64 models ×
                        200 steps at density 0.1)
  --models K            models per level, at most ${MAX_MODELS.toLocaleString("en")}
  --steps N             optimizer steps per model
  --density a,b,...     densities to train (the CPU comparison times each one on its own)
  --kernel simd|js|reference   CPU: time only this kernel (default: simd and js, and PyTorch if installed)
  --kernel private|workgroup, --workgroup W   WebGPU kernel and threads per workgroup
  --no-torch            CPU: skip the PyTorch baseline
  --json                one line of JSON on stdout, no logs, no reference-trainer baseline
  --no-baseline         skip timing the plain reference trainer
  --verbose             also print the engine's internal diagnostics (WebGPU waves, busy chunk waits)
  -h, --help            show this help`;

const usage = usageExits("bench");
// Declared with explicit types, so that TypeScript narrows after a call to the `never`-returning fail().
const fail: UsageExits["fail"] = usage.fail, flag: UsageExits["flag"] = usage.flag;

const values = flag(() =>
  parseCliArgs(process.argv.slice(2), {
    engine: { type: "string", default: "cpu" },
    json: { type: "boolean", default: false },
    full: { type: "boolean", default: false },
    models: { type: "string" },
    steps: { type: "string" },
    density: { type: "string" },
    kernel: { type: "string" },
    workgroup: { type: "string" },
    "no-torch": { type: "boolean", default: false },
    "no-baseline": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  }),
);
if (values.help) {
  console.log(BENCH_USAGE);
  process.exit(0);
}
const choice = flag(() => engineChoice(values.engine));
const int = (name: string, raw: string | undefined, dflt: number, max: number) => (raw === undefined ? dflt : flag(() => integer(name, raw, 1, max)));

// The standard workload (64 models × 200 steps at density 0.1, batch 1024) or the full experiment.
const full = values.full;
const models = int("models", values.models, full ? 1000 : 64, MAX_MODELS);
const steps = int("steps", values.steps, full ? 10_000 : 200, 2 ** 32 - 1);
const densities = values.density === undefined ? (full ? [...DEFAULT_DENSITIES] : [0.1]) : flag(() => parseDensities(values.density!, "--density"));

/** The CPU kernels the bench can time: the engine's own, and the generated JS kernel it replaced. */
type CpuBenchKernel = CpuKernelName | "js";
const CPU_BENCH_KERNELS: readonly CpuBenchKernel[] = [...CPU_KERNEL_NAMES, "js"];
const JS_KERNEL = { url: new URL("./bench/js-kernel.ts", import.meta.url).href, name: "js" };
let cpuKernels: CpuBenchKernel[] = ["js", "simd"];
let kernel: EngineOptions["kernel"];
if (values.kernel !== undefined) {
  const asked = CPU_BENCH_KERNELS.find((k) => k === values.kernel);
  if (choice === "cpu") {
    if (!asked) fail(`--kernel: the cpu engine runs ${CPU_BENCH_KERNELS.join(", ")}, got '${values.kernel}'`);
    cpuKernels = [asked];
  } else kernel = flag(() => kernelName(values.kernel!));
}
const workgroupSize = values.workgroup === undefined ? undefined : flag(() => workgroupSizeFlag(values.workgroup!));
if (choice === "cpu" && workgroupSize) fail("--workgroup applies to the webgpu engine only");
const config = defaultConfig({ modelsPerLevel: models, steps });

const log = (line: string) => values.json || console.error(line);
const gpuTime = (engine: Engine) => engine.gpuSeconds?.() ?? NaN;

async function open(options: EngineOptions): Promise<{ engine: Engine; startupSeconds: number }> {
  const t = performance.now();
  try {
    const engine = await createEngine(choice, { log, debugLog: values.verbose ? log : undefined, ...options });
    return { engine, startupSeconds: (performance.now() - t) / 1000 };
  } catch (e) {
    console.error(`bench: ${(e as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
}

/** Trains the workload at `levels` (after a warm-up that compiles kernels and starts workers). */
async function time(engine: Engine, levels: number[]) {
  await engine.train({ kind: "relu-hidden", config: { ...config, modelsPerLevel: 2, steps: 10, evalSamples: 256 }, densities: [levels[0]], onLevel: () => {} });
  const gpu0 = gpuTime(engine);
  const t0 = performance.now();
  await engine.train({ kind: "relu-hidden", config, densities: levels, onLevel: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  const gpuSeconds = gpuTime(engine) - gpu0;
  return {
    seconds: +seconds.toFixed(3),
    modelStepsPerSecond: Math.round((models * steps * levels.length) / seconds),
    ...(Number.isFinite(gpuSeconds) ? { gpuSeconds: +gpuSeconds.toFixed(3) } : {}),
  };
}

const machine = `${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
const work = `${models} models × ${steps} steps × batch ${config.batchSize}`;

if (choice !== "cpu") {
  const { engine, startupSeconds } = await open({ kernel, workgroupSize });
  try {
    const r = await time(engine, densities);
    const result = { engine: engine.name, device: engine.device, kernel: engine.kernel("relu-hidden", config), models: models * densities.length, steps, ...r };
    if (values.json) console.log(JSON.stringify(result));
    else {
      console.log(`machine: ${machine}`);
      const k = result.kernel.workgroupSize !== undefined ? `, ${result.kernel.name} kernel, workgroup ${result.kernel.workgroupSize}` : `, ${result.kernel.name} kernel`;
      console.log(`engine:  ${engine.name} on ${engine.device}${k} (start-up ${startupSeconds.toFixed(2)} s)`);
      console.log(`work:    ${densities.length} level(s) × ${work} = ${(models * steps * densities.length).toLocaleString("en")} model-steps`);
      console.log(`time:    ${r.seconds.toFixed(2)} s wall${r.gpuSeconds !== undefined ? `, ${r.gpuSeconds} s GPU` : ""}`);
      console.log(`speed:   ${r.modelStepsPerSecond.toLocaleString("en")} model-steps/s`);
      referenceBaseline(r.modelStepsPerSecond);
    }
  } finally {
    await engine.close();
  }
} else {
  // CPU: every kernel on every density, one density at a time, kernels alternating within a density so
  // that both see the same machine state; then PyTorch on the same workloads.
  const engines = new Map<CpuBenchKernel, Engine>();
  for (const k of cpuKernels) engines.set(k, (await open(k === "js" ? { kernelModule: JS_KERNEL } : { cpuKernel: k })).engine);
  const threads = availableParallelism();
  const rows: { density: number; kernel: string; seconds: number; modelStepsPerSecond: number }[] = [];
  const torch: ({ density: number } & TorchBaselineResult)[] = [];
  try {
    if (!values.json) {
      console.log(`machine: ${machine}`);
      console.log(`engine:  cpu on ${engines.values().next().value!.device}`);
      console.log(`work:    per density, ${work} = ${(models * steps).toLocaleString("en")} model-steps (with each model's held-out evaluation)`);
    }
    for (const density of densities) {
      for (const [k, engine] of engines) {
        const r = await time(engine, [density]);
        rows.push({ density, kernel: k, ...r });
        log(`density ${density}: ${k.padEnd(9)} ${r.modelStepsPerSecond.toLocaleString("en").padStart(9)} model-steps/s (${r.seconds.toFixed(2)} s)`);
      }
      if (!values["no-torch"] && values.kernel === undefined) {
        const t = await torchBaseline({ models, steps, density, threads });
        torch.push({ density, ...t });
        log(t.ok ? `density ${density}: ${"pytorch".padEnd(9)} ${Math.round(t.modelStepsPerSecond).toLocaleString("en").padStart(9)} model-steps/s (torch ${t.torch}, ${threads} threads)` : `density ${density}: pytorch   not run: ${t.reason}`);
      }
    }
  } finally {
    for (const e of engines.values()) await e.close();
  }
  const rate = (k: string, d: number) => rows.find((r) => r.kernel === k && r.density === d)?.modelStepsPerSecond;
  const main = cpuKernels.includes("simd") ? "simd" : cpuKernels[0];
  const mine = rows.filter((r) => r.kernel === main);
  const seconds = mine.reduce((a, r) => a + r.seconds, 0);
  const result = {
    engine: "cpu",
    device: engines.size ? [...engines.values()][0].device : "",
    kernel: { name: main },
    models: models * densities.length,
    steps,
    seconds: +seconds.toFixed(3),
    modelStepsPerSecond: Math.round((models * steps * densities.length) / seconds),
    perDensity: rows,
    ...(torch.length && { torch }),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    for (const d of densities) {
      const simd = rate("simd", d), js = rate("js", d), t = torch.find((x) => x.density === d);
      const parts = [];
      if (simd && js) parts.push(`simd ${(simd / js).toFixed(2)}× the js kernel`);
      if (simd && t?.ok) parts.push(`${(simd / t.modelStepsPerSecond).toFixed(1)}× pytorch`);
      if (parts.length) console.log(`density ${d}: ${parts.join(", ")}`);
    }
    referenceBaseline(result.modelStepsPerSecond);
  }
}

/** The plain reference trainer, one thread, a few steps of one model, in the same run. */
function referenceBaseline(rate: number): void {
  if (values["no-baseline"]) return;
  const baseSteps = 20;
  const b0 = performance.now();
  referenceTrain("relu-hidden", config, densities[0], 0, baseSteps);
  const baseRate = baseSteps / ((performance.now() - b0) / 1000);
  console.log(`baseline: plain reference trainer (src/train/reference.ts), 1 thread: ${Math.round(baseRate).toLocaleString("en")} model-steps/s; this engine runs at ${(rate / baseRate).toFixed(1)}× its speed`);
}
