// Quick manual check of the WebGPU engine against the CPU kernel on a tiny config (SwiftShader is fine):
//   node scripts/gpu-smoke.ts [steps] [kind]
import { defaultConfig, type ModelKind } from "../src/model/config.ts";
import { UnrolledKernel } from "../src/train/cpu-codegen.ts";
import { FusedKernel } from "../src/train/cpu-kernel.ts";
import { createWebGpuEngine } from "../src/train/webgpu/engine.ts";
import type { TrainedLevel } from "../src/train/engine.ts";

const steps = Number(process.argv[2] ?? 5);
const kind = (process.argv[3] ?? "relu-hidden") as ModelKind;
const config = defaultConfig({ modelsPerLevel: 3, steps, batchSize: 64, evalSamples: 2048 });
const densities = [1, 0.1];
const t0 = performance.now();
const engine = await createWebGpuEngine({ log: console.log });
console.log("device:", engine.device, ((performance.now() - t0) / 1000).toFixed(2), "s");
const levels: TrainedLevel[] = [];
const t1 = performance.now();
await engine.train({ kind, config, densities, onLevel: (l) => void levels.push(l), onProgress: (p) => console.log("progress", p.modelStepsDone, "/", p.modelStepsTotal) });
console.log("train", ((performance.now() - t1) / 1000).toFixed(2), "s wall,", engine.gpuSeconds().toFixed(4), "s gpu");
const cpu = new UnrolledKernel(kind, config), fused = new FusedKernel(kind, config);
for (const l of levels) {
  for (let k = 0; k < config.modelsPerLevel; k++) {
    const ref = cpu.train(l.density, k, steps).params;
    let maxDiff = 0;
    for (let p = 0; p < ref.length; p++) maxDiff = Math.max(maxDiff, Math.abs(ref[p] - l.params[k][p]));
    const cpuEvalOfGpu = fused.evalLoss(l.density, l.params[k]);
    const cpuEval = fused.evalLoss(l.density, ref);
    console.log(`d=${l.density} k=${k} maxdiff=${maxDiff.toExponential(2)} gpuEval=${l.evalLosses[k].toPrecision(7)} cpuEval(gpuParams)=${cpuEvalOfGpu.toPrecision(7)} rel=${(Math.abs(l.evalLosses[k] - cpuEvalOfGpu) / cpuEvalOfGpu).toExponential(2)} cpuEval(cpuParams)=${cpuEval.toPrecision(7)}`);
  }
}
await engine.close();
