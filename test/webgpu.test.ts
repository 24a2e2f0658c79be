// The WebGPU engine against the float64 reference trainer (src/train/reference.ts), on whatever adapter Dawn finds: SwiftShader (a CPU Vulkan)
// on machines without a GPU. There is no silent skip: without an adapter every GPU test fails with the
// reason (NoAdapterError names the Vulkan ICD settings that were tried), because each one awaits the
// shared engines in a beforeEach (a failing beforeAll would only mark them skipped). The planning tests
// at the end need no adapter.
//
// Tolerances (f32 on the GPU vs float64 on the CPU, same init, same data, same order of most sums):
//   weights after 5 steps:        max |ΔW|, |Δb| <= 1e-5   (seen: ~2e-7)
//   eval loss of the same params:  relative <= 1e-5        (seen: ~1e-7; Kahan sums on the GPU)
//   after 300 steps:              eval losses within 2% relative and max |Δparam| <= 1e-3 (seen: ~1e-6)
//   chunked vs one chunk:          bit for bit (same kernel, same order; state round-trips exactly)

import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig, geometricImportance, type ModelKind, type TrainConfig } from "../src/model/config.ts";
import { Purpose, drawSample, pcg4d, presenceThreshold, streamKey } from "../src/model/rng.ts";
import { ReferenceKernel } from "../src/train/cpu-kernel.ts";
import type { Progress, TrainedLevel } from "../src/train/engine.ts";
import { runExperiment } from "../src/train/best-of-k.ts";
import { readDataFile } from "../src/data/io.ts";
import { compile, composeWgsl, createWebGpuEngine, type WebGpuEngine, type WebGpuEngineOptions } from "../src/train/webgpu/engine.ts";
import { IDLE_MARGIN, IDLE_SLACK_MS, SWIFTSHADER_ICD, chooseAdapter, describeAdapter, openGpu, vulkanSources, type Probed, type VulkanSource } from "../src/train/webgpu/gpu.ts";
import { gpuDrawSamples, gpuPcg4d } from "../src/train/webgpu/debug.ts";
import { privateKernelCode } from "../src/train/webgpu/private-codegen.ts";
import {
  DEBUG_DRAW_BYTES, DEBUG_DRAW_FIELDS, KERNEL_NAMES, MODEL_FIELDS, MODEL_RECORD_WORDS, RUN_FIELDS, RUN_UNIFORM_BYTES,
  defaultKernel, encodeDebugDraw, encodeModels, encodeRun, planKernel, planWaves, runUniform, workgroupBytes,
  type KernelLimits, type KernelName,
} from "../src/train/webgpu/layout.ts";

const tiny = (overrides: Partial<TrainConfig> = {}) =>
  defaultConfig({ modelsPerLevel: 3, steps: 5, batchSize: 100, evalSamples: 1024, seed: 7, ...overrides });

async function trainAll(engine: WebGpuEngine, kind: ModelKind, config: TrainConfig, densities: number[], onProgress?: (p: Progress) => void) {
  const levels: TrainedLevel[] = [];
  await engine.train({ kind, config, densities, onLevel: (l) => void levels.push(l), onProgress });
  return levels.sort((a, b) => densities.indexOf(a.density) - densities.indexOf(b.density));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const root = fileURLToPath(new URL("..", import.meta.url));
/** The project's pinned Node (it strips types), whatever Node runs vitest. */
function nodeBin(): string {
  const local = `${root}/node_modules/.bin/node`;
  return existsSync(local) ? local : process.execPath;
}

let engine: WebGpuEngine;
/** One engine per kernel (the tests below run for each). */
const kernelEngines = new Map<KernelName, WebGpuEngine>();
const engines: WebGpuEngine[] = [];
async function makeEngine(options: WebGpuEngineOptions = {}) {
  const e = await createWebGpuEngine(options);
  engines.push(e);
  return e;
}

let ready: Promise<void> | undefined;
/** Creates the shared engines once; every GPU test awaits this, so each fails if there is no adapter. */
function enginesReady(): Promise<void> {
  return (ready ??= (async () => {
    engine = await makeEngine();
    for (const kernel of KERNEL_NAMES) kernelEngines.set(kernel, await makeEngine({ kernel }));
  })());
}
afterAll(async () => {
  for (const e of engines) await e.close();
});

describe("webgpu engine", () => {
  beforeEach(enginesReady);
  it("finds an adapter and names it", () => {
    expect(engine.name).toBe("webgpu");
    expect(engine.device).toMatch(/\S+ \(.+\)$/);
    console.log(`webgpu adapter: ${engine.device}`);
  });

  it("draws the same random stream as rng.ts, bit for bit", async () => {
    const gpu = await openGpu();
    try {
      const edge = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xdeadbeef, 1664525, 1013904223];
      const inputs = new Uint32Array(4 * 512);
      let a = 12345;
      for (let i = 0; i < inputs.length; i++) {
        a = (Math.imul(a, 747796405) + 2891336453) >>> 0;
        inputs[i] = i < 4 * 64 ? edge[(i * 7 + (i >> 2)) % edge.length] : a;
      }
      const out = await gpuPcg4d(gpu, inputs);
      const want = new Uint32Array(inputs.length);
      for (let v = 0; v < inputs.length; v += 4) want.set(pcg4d(inputs[v], inputs[v + 1], inputs[v + 2], inputs[v + 3], new Uint32Array(4)), v);
      expect(Array.from(out)).toEqual(Array.from(want));

      // Whole samples: odd n (the last pair has one feature), a sparse and a dense level.
      for (const [density, n] of [[0.3, 11], [1, 4]] as const) {
        const key = streamKey(3, density, 2, Purpose.train);
        const threshold = presenceThreshold(density);
        const samples = 300;
        const x = await gpuDrawSamples(gpu, { k0: key.k0, k1: key.k1, step: 9, threshold, features: n, samples });
        const ref = new Float64Array(n);
        let mismatches = 0;
        for (let s = 0; s < samples; s++) {
          drawSample(key, 9, s, threshold, ref);
          for (let i = 0; i < n; i++) if (x[s * n + i] !== ref[i]) mismatches++;
        }
        expect(mismatches).toBe(0);
      }
    } finally {
      gpu.destroy();
    }
  });

  it("reads timestamps at full resolution, not Dawn's default 65.5 µs steps (chunk sizes and sleeps rest on them)", async () => {
    if (Number.isNaN(engine.gpuSeconds())) throw new Error(`${engine.device} has no timestamp queries: nothing to check here`);
    const config = tiny({ modelsPerLevel: 2, steps: 2 });
    const deltas: number[] = [];
    for (let k = 0; k < 3; k++) {
      const before = engine.gpuSeconds();
      await engine.train({ kind: "relu-hidden", config, densities: [0.5], onLevel: () => {} });
      deltas.push(Math.round((engine.gpuSeconds() - before) * 1e9));
    }
    // Quantised, every pass's time (and so every sum of them) would be a multiple of 65,536 ns.
    expect(deltas.some((ns) => ns % 65_536 !== 0), deltas.join(", ")).toBe(true);
  });

  it("sleeps past the expected GPU time, with a margin, before it awaits the queue", async () => {
    const gpu = await openGpu();
    try {
      const t = performance.now();
      await gpu.idle(20);
      expect(performance.now() - t).toBeGreaterThanOrEqual(20 * IDLE_MARGIN + IDLE_SLACK_MS - 1);
      const probe = performance.now();
      await gpu.idle(0); // no estimate yet: the slack alone
      expect(performance.now() - probe).toBeGreaterThanOrEqual(IDLE_SLACK_MS - 1);
    } finally {
      gpu.destroy();
    }
  });

  it("a best-of-K run records the kernel, workgroup size and GPU time in the data file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-webgpu-"));
    try {
      const config = tiny({ modelsPerLevel: 2 });
      const out = join(dir, "relu-hidden.json");
      const data = await runExperiment({ kind: "relu-hidden", config, densities: [0.5], engine, out });
      expect(data.run.engine).toBe("webgpu");
      expect(data.run.kernel).toEqual(engine.kernel("relu-hidden", config));
      expect(data.run.kernel).toEqual({ name: defaultKernel(config.neurons, config.features), workgroupSize: 64 });
      expect(data.run.gpuSeconds).toBeGreaterThan(0);
      expect(data.run.gpuSeconds).toBeLessThanOrEqual(data.run.trainSeconds);
      expect(readDataFile(out).run).toEqual(data.run);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a shader that does not compile fails with the file and line of the error", async () => {
    const gpu = await openGpu();
    try {
      const wgsl = composeWgsl([["pcg.wgsl"], ["broken.wgsl", "// a comment\nfn f() -> u32 {\n  return pcg4d(vec4<u32>(1u)).x + nope;\n}\n"]]);
      expect(wgsl.where(1)).toBe("pcg.wgsl:1");
      // The device also raises a validation error for the bad module; left uncaptured, Dawn prints it
      // (with the WGSL compiler's message) straight to stdout, into a passing run. Capture it instead,
      // and check it is the error this test causes.
      gpu.device.pushErrorScope("validation");
      await expect(compile(gpu.device, wgsl, "broken.wgsl")).rejects.toThrow(/^webgpu: broken\.wgsl does not compile: broken\.wgsl:3:\d+ .*nope/);
      expect((await gpu.device.popErrorScope())?.message).toMatch(/unresolved value 'nope'/);
    } finally {
      gpu.destroy();
    }
  });

  it("an abort between chunks keeps the levels handed over; closing the engine mid-run ends training", async () => {
    const config = tiny({ steps: 7 });
    const densities = [1, 0.2, 0.05];
    const kind = "relu-hidden";
    const split = await makeEngine({ chunkSteps: 2, modelsPerWave: 3 });
    // Abort between chunks: the level already handed over stays done, training stops with the reason.
    const controller = new AbortController();
    const handed: number[] = [];
    const aborted = split.train({
      kind, config, densities, signal: controller.signal,
      onLevel: (l) => void handed.push(l.density),
      onProgress: (p) => {
        if (p.levelIndex === 1) controller.abort(new Error("stop here"));
      },
    });
    await expect(aborted).rejects.toThrow("stop here");
    expect(handed).toEqual([1]);

    // Closing the engine mid-run ends training with a one-line error.
    const closing = split.train({ kind, config, densities, onLevel: () => {}, onProgress: () => void split.close() });
    await expect(closing).rejects.toThrow(/^webgpu: .*closed/);
  });

  it("close() destroys the device so the process exits (the GPU instance survives garbage collection)", () => {
    const script = `
      import { createWebGpuEngine } from "./src/train/webgpu/engine.ts";
      import { defaultConfig } from "./src/model/config.ts";
      const timer = setInterval(() => globalThis.gc(), 2);
      const engine = await createWebGpuEngine({ chunkSteps: 1 });
      const config = defaultConfig({ modelsPerLevel: 1, steps: 3, batchSize: 32, evalSamples: 64 });
      let n = 0;
      await engine.train({ kind: "linear-hidden", config, densities: [0.5], onLevel: (l) => { n += l.params.length; } });
      clearInterval(timer);
      await engine.close();
      console.log("trained " + n + " on " + engine.device);
    `;
    const r = spawnSync(nodeBin(), ["--expose-gc", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).not.toMatch(/error|Segmentation/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^trained 1 on /);
  });

  it("logs which adapter and why; waves and chunk waits go to debugLog only; a lowered --workgroup is said once", async () => {
    const lines: string[] = [], debug: string[] = [];
    const wide = await makeEngine({ log: (l) => lines.push(l), debugLog: (l) => debug.push(l), workgroupSize: 1024 });
    const config = tiny({ modelsPerLevel: 1, steps: 2, batchSize: 1024 });
    for (let k = 0; k < 2; k++) await wide.train({ kind: "relu-hidden", config, densities: [0.5], onLevel: () => {} });
    expect(lines[0]).toMatch(/^webgpu: (hardware|software) adapter .+ from /);
    expect(lines[0]).toContain(wide.device);
    // 1024 threads of the private kernel need 246 KiB of workgroup memory: no adapter has that much.
    const lowered = lines.filter((l) => l.includes("workgroup of 1024 threads asked for"));
    expect(lowered).toHaveLength(1);
    const used = wide.kernel("relu-hidden", config).workgroupSize;
    expect(lowered[0]).toMatch(new RegExp(`^webgpu: workgroup of 1024 threads asked for, ${used} used: the private kernel's workgroup memory must fit the adapter's maxComputeWorkgroupStorageSize \\(\\d+ bytes\\)$`));
    expect(lines).toHaveLength(2);
    expect(debug.filter((l) => /^webgpu: relu-hidden 5×10, 1 levels × 1 models in 1 wave\(s\); private kernel, workgroup \d+ threads/.test(l))).toHaveLength(2);
    expect(debug.filter((l) => /^webgpu: \d+ of \d+ chunk waits found the GPU still busy/.test(l))).toHaveLength(2);

    // The engine's own choice (the default size, shrunk to a batch of 5) is no news.
    const quiet: string[] = [];
    const dflt = await makeEngine({ log: (l) => quiet.push(l) });
    await dflt.train({ kind: "relu-hidden", config: tiny({ modelsPerLevel: 1, steps: 2, batchSize: 5 }), densities: [0.5], onLevel: () => {} });
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatch(/^webgpu: (hardware|software) adapter /);
  });

  it("with no driver named, looks at the system's drivers first and takes SwiftShader only without a hardware adapter", () => {
    const script = `
      import { createWebGpuEngine } from "./src/train/webgpu/engine.ts";
      const engine = await createWebGpuEngine({ log: (l) => console.log(l) });
      await engine.close();
      console.log("VK_ICD_FILENAMES after: " + process.env.VK_ICD_FILENAMES);
    `;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.VK_ICD_FILENAMES;
    delete env.VK_DRIVER_FILES;
    const r = spawnSync(nodeBin(), ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000, env });
    expect(r.status, r.stderr).toBe(0);
    const [line, after] = r.stdout.trim().split("\n");
    // Without a GPU's device node (NVIDIA's or a DRM render node) the system has no hardware adapter.
    const gpuNode = readdirSync("/dev").some((f) => /^nvidia\d/.test(f)) || (existsSync("/dev/dri") && readdirSync("/dev/dri").some((f) => f.startsWith("render")));
    if (!gpuNode) {
      expect(line).toMatch(new RegExp(`^webgpu: software adapter SwiftShader.* from SwiftShader \\(VK_ICD_FILENAMES=${SWIFTSHADER_ICD}\\), as the system's Vulkan drivers gave no hardware adapter \\(`));
    } else {
      expect(line).toMatch(/^webgpu: (hardware adapter .* from the system's Vulkan drivers$|software adapter .*, as the system's Vulkan drivers gave no hardware adapter)/);
    }
    // SwiftShader's VK_ICD_FILENAMES was set only while Dawn looked.
    expect(after).toBe("VK_ICD_FILENAMES after: undefined");
  });

  it("without an adapter, createWebGpuEngine throws NoAdapterError naming the ICD settings tried", () => {
    const script = `
      import { createWebGpuEngine } from "./src/train/webgpu/engine.ts";
      try { await createWebGpuEngine(); console.log("found an adapter"); } catch (e) { console.log(e.name + ": " + e.message); }
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: "/nonexistent/icd.json" };
    delete env.VK_DRIVER_FILES;
    const r = spawnSync(nodeBin(), ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000, env });
    expect(r.stdout.trim()).toMatch(/^NoAdapterError: Dawn found no WebGPU adapter \(VK_ICD_FILENAMES=\/nonexistent\/icd\.json; /);
  });
});

for (const kernel of KERNEL_NAMES) {
  describe(`webgpu ${kernel} kernel`, () => {
    beforeEach(enginesReady);
    for (const kind of ["relu-hidden", "linear-hidden"] as const) {
      it(`${kind}: weights after 5 steps and eval losses match the float64 reference`, async () => {
        const config = tiny();
        const densities = [1, 0.1];
        const levels = await trainAll(kernelEngines.get(kernel)!, kind, config, densities);
        expect(levels.map((l) => l.density)).toEqual(densities);
        const cpu = new ReferenceKernel(kind, config);
        const fused = new ReferenceKernel(kind, config);
        for (const level of levels) {
          for (let k = 0; k < config.modelsPerLevel; k++) {
            const want = cpu.train(level.density, k, config.steps).params;
            expect(maxAbsDiff(level.params[k], want)).toBeLessThanOrEqual(1e-5);
            const cpuLoss = fused.evalLoss(level.density, level.params[k]);
            expect(Math.abs(level.evalLosses[k] - cpuLoss) / cpuLoss).toBeLessThanOrEqual(1e-5);
          }
        }
      });

      it(`${kind}: after 300 steps the losses agree within 2%`, async () => {
        const config = tiny({ steps: 300, batchSize: 64, modelsPerLevel: 2, evalSamples: 2048 });
        const densities = [1, 0.05];
        const levels = await trainAll(kernelEngines.get(kernel)!, kind, config, densities);
        const cpu = new ReferenceKernel(kind, config);
        for (const level of levels) {
          for (let k = 0; k < config.modelsPerLevel; k++) {
            const want = cpu.train(level.density, k, config.steps).params;
            const wantLoss = cpu.evalLoss(level.density, want);
            expect(Math.abs(level.evalLosses[k] - wantLoss) / wantLoss).toBeLessThanOrEqual(0.02);
            expect(maxAbsDiff(level.params[k], want)).toBeLessThanOrEqual(1e-3);
          }
        }
      });
    }

    it("another shape (odd n = 11: the last random pair has one feature; m = 3) matches the CPU", async () => {
      const config = tiny({ features: 11, neurons: 3, modelsPerLevel: 2 });
      for (const kind of ["relu-hidden", "linear-hidden"] as const) {
        const levels = await trainAll(kernelEngines.get(kernel)!, kind, config, [0.7, 0.15]);
        const cpu = new ReferenceKernel(kind, config);
        for (const level of levels) {
          expect(level.params[0]).toHaveLength(3 * 11 + 11);
          for (let k = 0; k < config.modelsPerLevel; k++) {
            expect(maxAbsDiff(level.params[k], cpu.train(level.density, k, config.steps).params)).toBeLessThanOrEqual(1e-5);
          }
        }
      }
    });

    // Each shape compiles its own pipelines: some 15–30 s on SwiftShader, hence one model kind per shape.
    it("larger shapes (5×20, 5×32, 6×32: chapter 2's and beyond) match the float64 reference after a few steps", async () => {
      for (const [m, n, kind] of [[5, 20, "relu-hidden"], [5, 32, "linear-hidden"], [6, 32, "relu-hidden"]] as const) {
        const config = tiny({ features: n, neurons: m, importance: geometricImportance(n, 0.9), modelsPerLevel: 1, evalSamples: 512 });
        {
          const levels = await trainAll(kernelEngines.get(kernel)!, kind, config, [1, 0.05]);
          const cpu = new ReferenceKernel(kind, config);
          for (const level of levels) {
            const label = `${kind} ${m}×${n} density ${level.density}`;
            expect(level.params[0], label).toHaveLength(m * n + n);
            const want = cpu.train(level.density, 0, config.steps).params;
            expect(maxAbsDiff(level.params[0], want), label).toBeLessThanOrEqual(1e-5);
            const cpuLoss = cpu.evalLoss(level.density, level.params[0]);
            expect(Math.abs(level.evalLosses[0] - cpuLoss) / cpuLoss, label).toBeLessThanOrEqual(1e-5);
          }
        }
      }
    }, 240_000);

    it("odd batch sizes (1, 5, 65: workgroup shrunk to the batch, a partial last round) match the CPU", async () => {
      for (const batchSize of [1, 5, 65]) {
        const config = tiny({ batchSize, modelsPerLevel: 1, evalSamples: 33 });
        const [level] = await trainAll(kernelEngines.get(kernel)!, "relu-hidden", config, [0.5]);
        const cpu = new ReferenceKernel("relu-hidden", config);
        expect(maxAbsDiff(level.params[0], cpu.train(0.5, 0, config.steps).params), `batch ${batchSize}`).toBeLessThanOrEqual(1e-5);
        const cpuLoss = cpu.evalLoss(0.5, level.params[0]);
        expect(Math.abs(level.evalLosses[0] - cpuLoss) / cpuLoss, `batch ${batchSize}`).toBeLessThanOrEqual(1e-5);
      }
      expect(kernelEngines.get(kernel)!.kernel("relu-hidden", tiny({ batchSize: 5 })).workgroupSize).toBe(8);
    });

    it("a 32-thread workgroup (several samples per thread or sub-batches per step, more parameters than threads) matches the CPU", async () => {
      const small = await makeEngine({ kernel, workgroupSize: 32 });
      const config = tiny({ modelsPerLevel: 2 });
      const kind = "relu-hidden";
      const levels = await trainAll(small, kind, config, [0.5, 0.2]);
      const cpu = new ReferenceKernel(kind, config);
      const fused = new ReferenceKernel(kind, config);
      for (const level of levels) {
        for (let k = 0; k < config.modelsPerLevel; k++) {
          expect(maxAbsDiff(level.params[k], cpu.train(level.density, k, config.steps).params)).toBeLessThanOrEqual(1e-5);
          const cpuLoss = fused.evalLoss(level.density, level.params[k]);
          expect(Math.abs(level.evalLosses[k] - cpuLoss) / cpuLoss).toBeLessThanOrEqual(1e-5);
        }
      }
    });

    it("many dispatches, chunks and waves give the same bits as one of each; levels arrive progressively", async () => {
      const config = tiny({ steps: 7 });
      const densities = [1, 0.2, 0.05];
      const kind = "relu-hidden";
      const whole = await trainAll(kernelEngines.get(kernel)!, kind, config, densities);
      // 2 models per dispatch (2 dispatches per level), 2 steps per chunk (4 chunks), 1 level per wave.
      const split = await makeEngine({ kernel, maxModelsPerDispatch: 2, chunkSteps: 2, modelsPerWave: 3 });
      const events: string[] = [];
      const levels: TrainedLevel[] = [];
      let last: Progress | undefined;
      await split.train({
        kind, config, densities,
        onLevel: (l) => void (levels.push(l), events.push(`level ${l.density}`)),
        onProgress: (p) => void ((last = p), events.push("chunk")),
      });
      // Per wave: one report per chunk, and one when its models are evaluated (modelsDone moves on).
      expect(events.filter((e) => e === "chunk")).toHaveLength(3 * (4 + 1));
      expect(events.indexOf("level 1")).toBeLessThan(events.lastIndexOf("chunk"));
      expect(last?.modelStepsDone).toBe(last?.modelStepsTotal);
      expect(last?.modelsDone).toBe(3 * config.modelsPerLevel);
      expect(last?.modelStepsTotal).toBe(3 * 3 * 7);
      expect(levels.map((l) => l.density)).toEqual(densities);
      for (const [li, level] of levels.entries()) {
        expect(Array.from(level.evalLosses)).toEqual(Array.from(whole[li].evalLosses));
        for (let k = 0; k < config.modelsPerLevel; k++) expect(Array.from(level.params[k])).toEqual(Array.from(whole[li].params[k]));
      }
    });
  });
}

describe("webgpu planning (no GPU)", () => {
  const limits: KernelLimits = {
    maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384,
    maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456,
  };

  it("fits the workgroup to the adapter's limits and splits dispatches", () => {
    const roomy = { ...limits, maxComputeWorkgroupStorageSize: 32768 };
    expect(planKernel("workgroup", 5, 10, 1024, roomy).workgroupSize).toBe(128);
    expect(planKernel("workgroup", 5, 10, 1024, limits).workgroupSize).toBe(64); // 128 threads need 17 KiB
    expect(planKernel("workgroup", 5, 10, 50, roomy).workgroupSize).toBe(64);
    expect(planKernel("workgroup", 5, 10, 1024, { ...limits, maxComputeInvocationsPerWorkgroup: 32 }).workgroupSize).toBe(32);
    const big = planKernel("workgroup", 20, 40, 1024, limits);
    expect(workgroupBytes("workgroup", 20, 40, big.workgroupSize)).toBeLessThanOrEqual(16384);
    expect(big.workgroupSize).toBeLessThan(128);
    expect(() => planKernel("workgroup", 64, 200, 1024, limits)).toThrow(/workgroup memory in the workgroup kernel/);
    const narrow = planKernel("workgroup", 5, 10, 1024, { ...limits, maxComputeWorkgroupsPerDimension: 100, maxStorageBufferBindingSize: 192 * 4 * 50 });
    expect(narrow.maxModelsPerDispatch).toBe(50);

    // The private kernel: 64 threads by default (15.5 KiB of partial sums fit 16 KiB), 128 where 31 KiB fit.
    expect(planKernel("private", 5, 10, 1024, limits)).toMatchObject({ kernel: "private", workgroupSize: 64, workgroupBytes: 4 * (60 + 20 + 60 * 65) });
    expect(planKernel("private", 5, 10, 1024, limits, 128).workgroupSize).toBe(64);
    expect(planKernel("private", 5, 10, 1024, roomy, 128).workgroupSize).toBe(128);
    expect(() => planKernel("private", 64, 200, 1024, limits)).toThrow(/workgroup memory in the private kernel/);
  });

  it("says which limit lowered the preferred workgroup size, and nothing when none did", () => {
    expect(planKernel("private", 5, 10, 1024, limits, 64).limitedBy).toBeUndefined();
    expect(planKernel("private", 5, 10, 1024, limits, 128).limitedBy).toBe("the private kernel's workgroup memory must fit the adapter's maxComputeWorkgroupStorageSize (16384 bytes)");
    const roomy = { ...limits, maxComputeWorkgroupStorageSize: 1 << 20 };
    expect(planKernel("private", 5, 10, 1024, roomy, 1024)).toMatchObject({ workgroupSize: 256, limitedBy: "the adapter's maxComputeInvocationsPerWorkgroup is 256" });
    expect(planKernel("private", 5, 10, 1024, { ...roomy, maxComputeWorkgroupSizeX: 128 }, 1024)).toMatchObject({ workgroupSize: 128, limitedBy: "the adapter's maxComputeWorkgroupSizeX is 128" });
    expect(planKernel("private", 5, 10, 5, roomy, 64)).toMatchObject({ workgroupSize: 8, limitedBy: "a batch of 5 samples needs no more" });
  });

  it("writes the private kernel's model-sized code out straight: scalars only, every index a constant", () => {
    const code = privateKernelCode(3, 5); // odd n: the last pair of features has one feature
    const declared = (name: string) => [...code.matchAll(new RegExp(`^var<private> ${name}(\\d+): f32;`, "gm"))].map((m) => Number(m[1]));
    const upTo = (k: number) => Array.from({ length: k }, (_, i) => i);
    expect(declared("w")).toEqual(upTo(20)); // W (3×5) then b (5)
    expect(declared("g")).toEqual(upTo(20));
    expect([declared("x"), declared("d"), declared("h"), declared("e")]).toEqual([upTo(5), upTo(5), upTo(3), upTo(3)]);
    // No private array, and the workgroup arrays of train-private.wgsl are indexed by constants only
    // (`partial` by its row's constant offset plus the thread's column).
    expect(code).not.toMatch(/array</);
    const indexed = [...code.replace(/\/\/.*$/gm, "").matchAll(/\b(\w+)\[([^\]]*)\]/g)];
    expect(indexed.length).toBeGreaterThan(0);
    for (const [, name, index] of indexed) {
      expect(["sw", "partial", "coefs"]).toContain(name);
      expect(index).toMatch(name === "partial" ? /^\d+u \* RS \+ tid$/ : /^\d+$/);
    }
    expect(code.match(/featurePair\(/g)).toHaveLength(3); // features (0, 1), (2, 3), (4)
    expect(code).toContain("  x4 = select(0.0, unitFloat(r2.y), r2.x <= threshold);\n}");
    // Sums start from 0 (or b_i) and add their terms in index order, as the CPU kernel does.
    expect(code).toContain("  var a1 = 0.0;\n  a1 += w5 * x0;\n  a1 += w6 * x1;\n  a1 += w7 * x2;\n  a1 += w8 * x3;\n  a1 += w9 * x4;\n");
    expect(code).toContain("  var pre2 = w17;\n  pre2 += w2 * h0;\n  pre2 += w7 * h1;\n  pre2 += w12 * h2;\n");
    expect(code).toContain("  g7 += h1 * d2;\n  g7 += e1 * x2;\n");
    expect(() => privateKernelCode(0, 5)).toThrow(/bad model size 0×5/);
    expect(() => privateKernelCode(2, 2.5)).toThrow(/bad model size 2×2.5/);
  });

  it("picks the private kernel for small models, the workgroup kernel for large ones", () => {
    expect(defaultKernel(5, 10)).toBe("private");
    expect(defaultKernel(10, 10)).toBe("private"); // 110 parameters
    expect(defaultKernel(20, 40)).toBe("workgroup");
  });

  /** A WGSL struct's fields in order, as [name, type] pairs. */
  function wgslStruct(file: string, name: string): [string, string][] {
    const src = readFileSync(new URL(`../src/train/webgpu/${file}`, import.meta.url), "utf8");
    const body = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(src)?.[1];
    if (!body) throw new Error(`no struct ${name} in ${file}`);
    return [...body.replace(/\/\/.*$/gm, "").matchAll(/(\w+)\s*:\s*([\w<>]+)\s*,/g)].map((m) => [m[1], m[2]]);
  }

  it("mirrors every WGSL struct field for field, and the encoders write each field to its word", () => {
    expect(wgslStruct("common.wgsl", "Run")).toEqual(RUN_FIELDS.map(([f, t]) => [f, t]));
    expect(RUN_FIELDS.length * 4).toBe(RUN_UNIFORM_BYTES);
    const run = runUniform(defaultConfig(), 0, 0) as unknown as Record<string, number>;
    RUN_FIELDS.forEach(([field, type], k) => {
      if (field.startsWith("_pad")) return;
      const probe = { ...run, [field]: type === "u32" ? 0xabcdef : 0.375 };
      const buf = encodeRun(probe as unknown as ReturnType<typeof runUniform>);
      expect(type === "u32" ? new Uint32Array(buf)[k] : new Float32Array(buf)[k], field).toBe(type === "u32" ? 0xabcdef : 0.375);
    });

    expect(wgslStruct("common.wgsl", "Model")).toEqual(MODEL_FIELDS.map((f) => [f, "u32"]));
    expect(MODEL_FIELDS.length).toBe(MODEL_RECORD_WORDS);
    MODEL_FIELDS.forEach((field, k) => {
      if (field.startsWith("_pad")) return;
      const record = { trainK0: 0, trainK1: 0, evalK0: 0, evalK1: 0, threshold: 0, [field]: 0xabcdef };
      expect(encodeModels([record])[k], field).toBe(0xabcdef);
    });

    expect(wgslStruct("rng-debug.wgsl", "DebugDraw")).toEqual(DEBUG_DRAW_FIELDS.map((f) => [f, "u32"]));
    expect(DEBUG_DRAW_FIELDS.length * 4).toBe(DEBUG_DRAW_BYTES);
    DEBUG_DRAW_FIELDS.forEach((field, k) => {
      if (field.startsWith("_pad")) return;
      const p = { k0: 0, k1: 0, step: 0, threshold: 0, features: 0, samples: 0, [field]: 0xabcdef };
      expect(encodeDebugDraw(p)[k], field).toBe(0xabcdef);
    });
  });

  it("groups levels into even waves", () => {
    expect(planWaves(21, 1000, 8192)).toEqual([[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13], [14, 15, 16, 17, 18, 19, 20]]);
    expect(planWaves(3, 100_000, 8192)).toEqual([[0], [1], [2]]);
    expect(planWaves(2, 2, 8192)).toEqual([[0, 1]]);
  });
});

describe("Vulkan set-up and adapter names (no GPU)", () => {
  it("looks at the system's drivers first and SwiftShader second, unless the environment names a driver", () => {
    const system = { label: "the system's Vulkan drivers" };
    const swiftshader = { label: `SwiftShader (VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`, icd: SWIFTSHADER_ICD };
    expect(vulkanSources({}, SWIFTSHADER_ICD)).toEqual([system, swiftshader]);
    expect(vulkanSources({}, null)).toEqual([system]); // no chromium: the system alone
    // Here, with the ICD file's own existence deciding.
    expect(vulkanSources({})).toEqual(existsSync(SWIFTSHADER_ICD) ? [system, swiftshader] : [system]);
    // A GPU machine's own driver (VK_DRIVER_FILES) or an explicit ICD is the only place looked, and the
    // environment is left as it was.
    const gpu: NodeJS.ProcessEnv = { VK_DRIVER_FILES: "/opt/nvidia_icd.json", VK_ICD_FILENAMES: "/x/icd.json" };
    expect(vulkanSources(gpu, SWIFTSHADER_ICD)).toEqual([{ label: "VK_DRIVER_FILES=/opt/nvidia_icd.json" }]);
    expect(gpu).toEqual({ VK_DRIVER_FILES: "/opt/nvidia_icd.json", VK_ICD_FILENAMES: "/x/icd.json" });
    expect(vulkanSources({ VK_ICD_FILENAMES: "/x/icd.json" }, SWIFTSHADER_ICD)).toEqual([{ label: "VK_ICD_FILENAMES=/x/icd.json" }]);
  });

  describe("choosing among the sources' adapters (fake adapters)", () => {
    const system: VulkanSource = { label: "the system's Vulkan drivers" };
    const swiftshader: VulkanSource = { label: "SwiftShader (VK_ICD_FILENAMES=/s.json)", icd: "/s.json" };
    const h100: Probed<string> = { adapter: "h100", name: "NVIDIA H100 (vulkan)", software: false };
    const swift: Probed<string> = { adapter: "swift", name: "SwiftShader (vulkan)", software: true };
    const lavapipe: Probed<string> = { adapter: "lvp", name: "llvmpipe (vulkan)", software: true };
    /** Chooses with `gives[label]` as each source's adapter; returns the choice and the sources asked. */
    async function choose(sources: VulkanSource[], gives: Record<string, Probed<string> | null>) {
      const asked: string[] = [];
      const choice = await chooseAdapter(sources, async (s) => (asked.push(s.label), gives[s.label] ?? null));
      return { choice, asked };
    }

    it("a hardware adapter among the system's drivers is taken, and SwiftShader is never asked", async () => {
      const { choice, asked } = await choose([system, swiftshader], { [system.label]: h100, [swiftshader.label]: swift });
      expect(asked).toEqual([system.label]);
      expect(choice).toMatchObject({ adapter: "h100", software: false, source: system });
      expect(choice?.why).toBe("hardware adapter NVIDIA H100 (vulkan) from the system's Vulkan drivers");
    });

    it("SwiftShader when the system has no adapter, or only a software one", async () => {
      const none = await choose([system, swiftshader], { [swiftshader.label]: swift });
      expect(none.asked).toEqual([system.label, swiftshader.label]);
      expect(none.choice).toMatchObject({ adapter: "swift", software: true, source: swiftshader });
      expect(none.choice?.why).toBe("software adapter SwiftShader (vulkan) from SwiftShader (VK_ICD_FILENAMES=/s.json), as the system's Vulkan drivers gave no hardware adapter (no adapter at all)");
      const soft = await choose([system, swiftshader], { [system.label]: lavapipe, [swiftshader.label]: swift });
      expect(soft.choice?.adapter).toBe("swift");
      expect(soft.choice?.why).toMatch(/, as the system's Vulkan drivers gave no hardware adapter \(only llvmpipe \(vulkan\)\)$/);
    });

    it("the system's software adapter when SwiftShader gives none; null when nothing does", async () => {
      expect((await choose([system, swiftshader], { [system.label]: lavapipe })).choice).toMatchObject({ adapter: "lvp", source: system });
      expect((await choose([system, swiftshader], {})).choice).toBeNull();
      expect((await choose([system], {})).choice).toBeNull();
    });

    it("a source named by the environment is the only one, whatever it gives", async () => {
      const pinned = { label: "VK_ICD_FILENAMES=/s.json" };
      const { choice } = await choose([pinned], { [pinned.label]: swift });
      expect(choice?.why).toBe("software adapter SwiftShader (vulkan) from VK_ICD_FILENAMES=/s.json");
    });
  });

  it("names an adapter in one line, without repeating what the driver string already says", () => {
    const backend = process.platform === "darwin" ? "metal" : process.platform === "win32" ? "d3d12" : "vulkan";
    expect(describeAdapter({ vendor: "nvidia", architecture: "hopper", device: "nvidia-h100-80gb-hbm3", description: "NVIDIA: 580.65.06" }))
      .toBe(`NVIDIA: 580.65.06, nvidia-h100-80gb-hbm3 (hopper; ${backend})`);
    expect(describeAdapter({ vendor: "google", architecture: "", device: "-swiftshader-device-subzero-", description: "SwiftShader driver 5.0.0" }))
      .toBe(`SwiftShader driver 5.0.0, swiftshader-device-subzero (google; ${backend})`);
    // The device slug repeats the description: kept once.
    expect(describeAdapter({ vendor: "", architecture: "", device: "llvmpipe", description: "llvmpipe (LLVM 15)" })).toBe(`llvmpipe (LLVM 15) (${backend})`);
    expect(describeAdapter({ vendor: "", architecture: "", device: "", description: "" })).toBe(`unknown adapter (${backend})`);
  });
});
