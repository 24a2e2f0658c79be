// Times the WebGPU engine on the paper's workload and checks it against the CPU kernels on the device
// it runs on. Meant for the GPU machine (bundled by scripts/gpu-bundle.sh), works anywhere with an adapter.
//
//   node scripts/gpu-bench.ts [--steps 200] [--models 1000] [--levels all|0.1,0.05] [--workgroup 128]
//                             [--kind relu-hidden|linear-hidden] [--check] [--json]
//
// --check first trains tiny configs on the GPU and compares them with UnrolledKernel / FusedKernel
// (weights after 5 steps within 1e-5, eval losses within 1e-5 relative); exit code 1 if they disagree.

import { parseArgs } from "node:util";
import { DEFAULT_DENSITIES, defaultConfig, type ModelKind } from "../src/model/config.ts";
import { UnrolledKernel } from "../src/train/cpu-codegen.ts";
import { FusedKernel } from "../src/train/cpu-kernel.ts";
import type { TrainedLevel } from "../src/train/engine.ts";
import { createWebGpuEngine, type WebGpuEngine } from "../src/train/webgpu/engine.ts";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "200" },
    models: { type: "string", default: "1000" },
    levels: { type: "string", default: "all" },
    workgroup: { type: "string", default: "128" },
    kind: { type: "string", default: "relu-hidden" },
    check: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const steps = Number(values.steps), models = Number(values.models), workgroupSize = Number(values.workgroup);
const kind = values.kind as ModelKind;
const densities = values.levels === "all" ? [...DEFAULT_DENSITIES] : values.levels.split(",").map(Number);
const log = (line: string) => values.json || console.error(line);

async function check(engine: WebGpuEngine): Promise<boolean> {
  let ok = true;
  for (const k of ["relu-hidden", "linear-hidden"] as const) {
    const config = defaultConfig({ modelsPerLevel: 4, steps: 5, batchSize: 1024, evalSamples: 4096, seed: 11 });
    const levels: TrainedLevel[] = [];
    await engine.train({ kind: k, config, densities: [1, 0.1, 0.01], onLevel: (l) => void levels.push(l) });
    const cpu = new UnrolledKernel(k, config), fused = new FusedKernel(k, config);
    let maxDiff = 0, maxRel = 0;
    for (const l of levels) {
      for (let m = 0; m < config.modelsPerLevel; m++) {
        const want = cpu.train(l.density, m, config.steps).params;
        for (let p = 0; p < want.length; p++) maxDiff = Math.max(maxDiff, Math.abs(want[p] - l.params[m][p]));
        const loss = fused.evalLoss(l.density, l.params[m]);
        maxRel = Math.max(maxRel, Math.abs(l.evalLosses[m] - loss) / loss);
      }
    }
    const pass = maxDiff <= 1e-5 && maxRel <= 1e-5;
    ok &&= pass;
    log(`check ${k}: max |Δparam| after 5 steps ${maxDiff.toExponential(2)}, eval loss rel. diff ${maxRel.toExponential(2)}: ${pass ? "ok" : "FAIL"}`);
  }
  return ok;
}

const engine = await createWebGpuEngine({ log, workgroupSize });
try {
  log(`device: ${engine.device}`);
  if (values.check && !(await check(engine))) process.exitCode = 1;
  const config = defaultConfig({ modelsPerLevel: models, steps });
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
  const modelSteps = models * densities.length * steps;
  const result = {
    device: engine.device, kind, levels: densities.length, modelsPerLevel: models, steps, batch: config.batchSize, workgroupSize,
    seconds: +seconds.toFixed(3), gpuSeconds: +gpuSeconds.toFixed(3),
    modelStepsPerSecond: Math.round(modelSteps / seconds),
    projectedSecondsFor10kSteps: +((seconds * 10_000) / steps).toFixed(1),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`| device | levels × models × steps | wall s | GPU s | model-steps/s | projected 10k steps |`);
    console.log(`| --- | --- | --- | --- | --- | --- |`);
    console.log(`| ${result.device} | ${densities.length} × ${models} × ${steps} | ${result.seconds} | ${result.gpuSeconds} | ${result.modelStepsPerSecond.toLocaleString("en")} | ${result.projectedSecondsFor10kSteps} s |`);
  }
} finally {
  await engine.close();
}
