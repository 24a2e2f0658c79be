// npm run bench -- [--engine cpu|webgpu|auto] [--json] [--full] [--models K] [--steps N] [--density d]
//                   [--kernel private|workgroup] [--workgroup W]   (WebGPU; scripts/gpu-bench.ts sweeps them)
// Trains a fixed workload and prints model-steps per second (one model-step = one optimizer step of one
// model on one batch of 1024). Unless --json or --no-baseline, it also times the plain reference trainer
// in the same process, single-threaded, and prints the speed-up over it.

import { cpus, totalmem, availableParallelism } from "node:os";
import { DEFAULT_DENSITIES, defaultConfig } from "../src/model/config.ts";
import { createEngine } from "../src/train/engines.ts";
import { referenceTrain } from "../src/train/reference.ts";
import { MAX_MODELS, engineChoice, integer, kernelName, parseCliArgs, parseDensities, workgroupSizeFlag, usageExits, type UsageExits } from "../src/train/cli.ts";

const BENCH_USAGE = `usage: npm run bench -- [options]

  --engine cpu|webgpu|auto   engine to time (default cpu)
  --full                the full experiment: 21 levels × 1000 models × 10,000 steps (default: 64 models ×
                        200 steps at density 0.1)
  --models K            models per level, at most ${MAX_MODELS.toLocaleString("en")}
  --steps N             optimizer steps per model
  --density a,b,...     densities to train
  --kernel private|workgroup, --workgroup W   WebGPU kernel and threads per workgroup
  --json                one line of JSON on stdout, no logs, no baseline
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

// The standard workload (issue: 64 models × 200 steps at density 0.1, batch 1024) or the full experiment.
const full = values.full;
const models = int("models", values.models, full ? 1000 : 64, MAX_MODELS);
const steps = int("steps", values.steps, full ? 10_000 : 200, 2 ** 32 - 1);
const densities = values.density === undefined ? (full ? [...DEFAULT_DENSITIES] : [0.1]) : flag(() => parseDensities(values.density!, "--density"));
const kernel = values.kernel === undefined ? undefined : flag(() => kernelName(values.kernel!));
const workgroupSize = values.workgroup === undefined ? undefined : flag(() => workgroupSizeFlag(values.workgroup!));
if (choice === "cpu" && (kernel || workgroupSize)) fail("--kernel and --workgroup apply to the webgpu engine only");
const config = defaultConfig({ modelsPerLevel: models, steps });
const modelSteps = models * steps * densities.length;

const log = (line: string) => values.json || console.error(line);
const tCreate = performance.now();
let engine;
try {
  engine = await createEngine(choice, { log, debugLog: values.verbose ? log : undefined, kernel, workgroupSize });
} catch (e) {
  console.error(`bench: ${(e as Error).message.split("\n")[0]}`);
  process.exit(1);
}
const startupSeconds = (performance.now() - tCreate) / 1000;
try {
  // Warm-up: compile kernels / spin up workers on a tiny run so start-up is not timed as training.
  await engine.train({ kind: "relu-hidden", config: { ...config, modelsPerLevel: 2, steps: 10, evalSamples: 256 }, densities: [densities[0]], onLevel: () => {} });
  const gpu0 = "gpuSeconds" in engine ? (engine as { gpuSeconds(): number }).gpuSeconds() : NaN;
  const t0 = performance.now();
  await engine.train({ kind: "relu-hidden", config, densities, onLevel: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  const gpuSeconds = "gpuSeconds" in engine ? (engine as { gpuSeconds(): number }).gpuSeconds() - gpu0 : undefined;
  const result = {
    engine: engine.name,
    device: engine.device,
    ...(engine.kernel && { kernel: engine.kernel("relu-hidden", config) }),
    models: models * densities.length,
    steps,
    seconds: +seconds.toFixed(3),
    modelStepsPerSecond: Math.round(modelSteps / seconds),
    ...(gpuSeconds !== undefined && Number.isFinite(gpuSeconds) ? { gpuSeconds: +gpuSeconds.toFixed(3) } : {}),
  };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
    const k = result.kernel ? `, ${result.kernel.name} kernel, workgroup ${result.kernel.workgroupSize}` : "";
    console.log(`engine:  ${engine.name} on ${engine.device}${k} (start-up ${startupSeconds.toFixed(2)} s)`);
    console.log(`work:    ${densities.length} level(s) × ${models} models × ${steps} steps × batch ${config.batchSize} = ${modelSteps.toLocaleString("en")} model-steps`);
    console.log(`time:    ${seconds.toFixed(2)} s wall${result.gpuSeconds !== undefined ? `, ${result.gpuSeconds} s GPU` : ""}`);
    console.log(`speed:   ${result.modelStepsPerSecond.toLocaleString("en")} model-steps/s`);
    if (!values["no-baseline"]) {
      // Baseline in the same run: the plain reference trainer, one thread, a few steps of one model.
      const baseSteps = 20;
      const b0 = performance.now();
      referenceTrain("relu-hidden", config, densities[0], 0, baseSteps);
      const baseRate = baseSteps / ((performance.now() - b0) / 1000);
      console.log(`baseline: plain reference trainer (src/train/reference.ts), 1 thread: ${Math.round(baseRate).toLocaleString("en")} model-steps/s; this engine runs at ${(result.modelStepsPerSecond / baseRate).toFixed(1)}× its speed`);
    }
  }
} finally {
  await engine.close();
}
