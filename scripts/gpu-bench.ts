// Times the WebGPU engine's kernels on the paper's workload and checks them against the plain reference on
// the device it runs on. Meant for the GPU machine (bundled by scripts/gpu-bundle.sh), works anywhere
// with an adapter.
//
//   node scripts/gpu-bench.ts [--steps 200] [--models 1000] [--levels all|0.1,0.05]
//                             [--kernels private,workgroup] [--workgroups 32,64,128]
//                             [--kind relu-hidden|linear-hidden] [--check] [--json] [--verbose] [--help]
//
// Every (kernel, workgroup size) pair is timed in turn on the same workload, in one process, and the
// table gives each one's speed relative to the first. Without --workgroups each kernel runs at its
// default size. --check first trains tiny configs with each pair and compares them with the plain reference
// trainer (float64; weights after 5 steps within 1e-5, eval losses within 1e-5 relative); exit code 3 if they
// disagree (scripts/gpu-session.sh then refuses to train), 2 on a bad flag, 1 on any other failure.

import { DEFAULT_DENSITIES, defaultConfig, type ModelKind } from "../src/model/config.ts";
import { evalBatch, referenceEvalLoss, referenceTrain } from "../src/train/reference.ts";
import { MAX_MODELS, integer, kernelName, parseCliArgs, parseDensities, workgroupSizeFlag, usageExits, type UsageExits } from "../src/train/cli.ts";
import type { TrainedLevel } from "../src/train/engine.ts";
import { createWebGpuEngine, type WebGpuEngine } from "../src/train/webgpu/engine.ts";
import { KERNEL_NAMES, type KernelName } from "../src/train/webgpu/layout.ts";

const GPU_BENCH_USAGE = `usage: npm run gpu-bench -- [options]

  --steps N             optimizer steps per model (default 200)
  --models K            models per level, at most ${MAX_MODELS.toLocaleString("en")} (default 1000)
  --levels all|a,b,...  densities to train (default all ${DEFAULT_DENSITIES.length})
  --kernels private,workgroup   kernels to time, in this order (default both)
  --workgroups 32,64,...        workgroup sizes to time each kernel at (default: each kernel's own)
  --kind relu-hidden|linear-hidden   model (default relu-hidden)
  --check               first compare every (kernel, workgroup) with the CPU kernels on tiny configs;
                        exit 3 if they disagree
  --json                the results as JSON on stdout (logs stay on stderr)
  --verbose             also print the engine's internal diagnostics (waves, busy chunk waits)
  -h, --help            show this help`;

/** Exit code when a kernel disagrees with the CPU kernels: distinct from a crash (1) or a bad flag (2). */
const CHECK_FAILED = 3;

const usage = usageExits("gpu-bench");
// Declared with explicit types, so that TypeScript narrows after a call to the `never`-returning fail().
const fail: UsageExits["fail"] = usage.fail, flag: UsageExits["flag"] = usage.flag;

const values = flag(() =>
  parseCliArgs(process.argv.slice(2), {
    steps: { type: "string", default: "200" },
    models: { type: "string", default: "1000" },
    levels: { type: "string", default: "all" },
    kernels: { type: "string", default: KERNEL_NAMES.join(",") },
    workgroups: { type: "string" },
    kind: { type: "string", default: "relu-hidden" },
    check: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  }),
);
if (values.help) {
  console.log(GPU_BENCH_USAGE);
  process.exit(0);
}
const steps = flag(() => integer("steps", values.steps, 1, 2 ** 32 - 1));
const models = flag(() => integer("models", values.models, 1, MAX_MODELS));
const densities = values.levels === "all" ? [...DEFAULT_DENSITIES] : flag(() => parseDensities(values.levels, "--levels"));
const kernels = values.kernels.split(",").map((k) => flag(() => kernelName(k.trim(), "--kernels")));
const workgroups = values.workgroups?.split(",").map((w) => flag(() => workgroupSizeFlag(w.trim(), "--workgroups")));
if (values.kind !== "relu-hidden" && values.kind !== "linear-hidden") fail(`--kind: expected relu-hidden or linear-hidden, got '${values.kind}'`);
const kind = values.kind as ModelKind;
// Logs go to stderr in every mode; stdout carries only the table or, with --json, the results.
const log = (line: string) => console.error(line);

async function check(engine: WebGpuEngine, label: string): Promise<boolean> {
  let ok = true;
  for (const k of ["relu-hidden", "linear-hidden"] as const) {
    const config = defaultConfig({ modelsPerLevel: 4, steps: 5, batchSize: 1024, evalSamples: 4096, seed: 11 });
    const levels: TrainedLevel[] = [];
    await engine.train({ kind: k, config, densities: [1, 0.1, 0.01], onLevel: (l) => void levels.push(l) });
    let maxDiff = 0, maxRel = 0;
    for (const l of levels) {
      const X = evalBatch(config, l.density);
      for (let m = 0; m < config.modelsPerLevel; m++) {
        const want = referenceTrain(k, config, l.density, m);
        for (let p = 0; p < want.length; p++) maxDiff = Math.max(maxDiff, Math.abs(want[p] - l.params[m][p]));
        const loss = referenceEvalLoss(k, config, l.density, l.params[m], X);
        maxRel = Math.max(maxRel, Math.abs(l.evalLosses[m] - loss) / loss);
      }
    }
    const pass = maxDiff <= 1e-5 && maxRel <= 1e-5;
    ok &&= pass;
    log(`check ${label} ${k}: max |Δparam| after 5 steps ${maxDiff.toExponential(2)}, eval loss rel. diff ${maxRel.toExponential(2)}: ${pass ? "ok" : "FAIL"}`);
  }
  return ok;
}

interface Result {
  device: string; kind: ModelKind; kernel: KernelName; workgroupSize: number;
  levels: number; modelsPerLevel: number; steps: number; batch: number;
  seconds: number; gpuSeconds: number; modelStepsPerSecond: number; projectedSecondsFor10kSteps: number;
}

async function time(kernel: KernelName, workgroupSize: number | undefined): Promise<Result> {
  const engine = await createWebGpuEngine({ log, debugLog: values.verbose ? log : undefined, kernel, workgroupSize });
  try {
    const config = defaultConfig({ modelsPerLevel: models, steps });
    const used = engine.kernel(kind, config);
    const label = `${used.name}/${used.workgroupSize}`;
    log(`${label} on ${engine.device}`);
    if (values.check && !(await check(engine, label))) process.exitCode = CHECK_FAILED;
    // Warm-up: compiles the pipelines.
    await engine.train({ kind, config: { ...config, modelsPerLevel: 2, steps: 2, evalSamples: 256 }, densities: [0.1], onLevel: () => {} });
    const gpu0 = engine.gpuSeconds();
    const t0 = performance.now();
    let lastLog = t0;
    await engine.train({
      kind, config, densities, onLevel: () => {},
      onProgress: (p) => {
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(`  ${((100 * p.modelStepsDone) / p.modelStepsTotal).toFixed(1)}% (${((lastLog - t0) / 1000).toFixed(1)} s)`);
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const gpuSeconds = engine.gpuSeconds() - gpu0;
    return {
      device: engine.device, kind, kernel: used.name as KernelName, workgroupSize: used.workgroupSize!,
      levels: densities.length, modelsPerLevel: models, steps, batch: config.batchSize,
      seconds: +seconds.toFixed(3), gpuSeconds: +gpuSeconds.toFixed(3),
      modelStepsPerSecond: Math.round((models * densities.length * steps) / seconds),
      projectedSecondsFor10kSteps: +((seconds * 10_000) / steps).toFixed(1),
    };
  } finally {
    await engine.close();
  }
}

const results: Result[] = [];
for (const kernel of kernels) {
  for (const wg of workgroups ?? [undefined]) results.push(await time(kernel, wg));
}
if (values.json) console.log(JSON.stringify(results));
else {
  const base = results[0];
  console.log(`| device | kernel / workgroup | levels × models × steps | wall s | GPU s | model-steps/s | vs first | projected 10k steps |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of results) {
    const ratio = Number.isFinite(r.gpuSeconds) && r.gpuSeconds > 0 ? base.gpuSeconds / r.gpuSeconds : base.seconds / r.seconds;
    console.log(`| ${r.device} | ${r.kernel} / ${r.workgroupSize} | ${r.levels} × ${r.modelsPerLevel} × ${r.steps} | ${r.seconds} | ${r.gpuSeconds} | ` +
      `${r.modelStepsPerSecond.toLocaleString("en")} | ${ratio.toFixed(2)}× | ${r.projectedSecondsFor10kSteps} s |`);
  }
}
