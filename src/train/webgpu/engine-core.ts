// The WebGPU engine's core: every model of a run trains on the GPU in fused WGSL kernels (train-private.wgsl
// or train-workgroup.wgsl; README.md, "Kernels"), one workgroup per model, the training data drawn
// inside the kernel from the same counter-based streams as the CPU engine (src/model/rng.ts), so both
// engines train the same models up to f32 rounding.
//
// Scheduling. The levels of a request are split into WAVES of consecutive levels (about
// `modelsPerWave` models each, levels spread evenly; see planWaves): a wave trains all its models
// together, evaluates them on the GPU, reads them back and hands each of its levels to onLevel before the
// next wave starts. So levels finish progressively and a crash loses at most the wave in flight, while
// each wave still holds enough models to fill a large GPU.
//
// Chunking. A wave's steps run in CHUNKS: one submit = one compute pass = steps [t0, t0 + S) for every
// model of the wave (one dispatch per group of models; groups respect maxComputeWorkgroupsPerDimension
// and the storage-buffer size limits). S is chosen from the GPU time per model-step measured with
// timestamp queries so a chunk takes ≈ chunkMs; the host sleeps that long before awaiting the queue
// (see gpu.ts for why), checks errors, reports progress and honours the abort signal between chunks.
//
// Where it runs. Nothing here imports Node: the engine takes an open device (device.ts's Gpu) and the
// WGSL files' texts, so the trainer in Node (engine.ts: Dawn, files read from disk) and a reader's page
// (src/trainer/: navigator.gpu, the files bundled by Vite) run the very same code and kernels.

import type { ModelKind, TrainConfig } from "../../model/config.ts";
import { validateConfig, validateDensity } from "../../model/config.ts";
import { Purpose, SHARED_MODEL, presenceThreshold, streamKey } from "../../model/rng.ts";
import type { Engine, RunKernel, TrainRequest } from "../engine.ts";
import { initialParams } from "../reference.ts";
import type { Gpu } from "./device.ts";
import { privateKernelCode } from "./private-codegen.ts";
import {
  DEFAULT_WORKGROUP_SIZE, MODEL_RECORD_WORDS, RUN_UNIFORM_BYTES, defaultKernel, encodeModels, encodeRun, planKernel,
  planWaves, runUniform, type KernelName, type KernelPlan, type ModelRecord,
} from "./layout.ts";

export interface WebGpuEngineOptions {
  /** Train this many steps instead of config.steps (benchmarks). */
  steps?: number;
  log?: (line: string) => void;
  /** Where the engine's internal diagnostics go (waves, workgroup, busy chunk waits): `--verbose`. */
  debugLog?: (line: string) => void;
  /** Which training kernel (default: `private` for models of at most 128 parameters, else `workgroup`). */
  kernel?: KernelName;
  /** Preferred threads per workgroup (a power of two; default 64 for the private kernel, 128 for the
   *  workgroup kernel). Lowered to fit adapter limits. */
  workgroupSize?: number;
  /** Target GPU time of one chunk in ms (default 150). */
  chunkMs?: number;
  /** Fixed steps per chunk instead of the adaptive choice (tests). */
  chunkSteps?: number;
  /** Target models per wave (default 16384: two waves for the paper's 21 levels × 1000 models). */
  modelsPerWave?: number;
  /** Cap on models per dispatch, below the adapter's limits (tests force several dispatches with it). */
  maxModelsPerDispatch?: number;
}

export type WebGpuEngine = Engine & {
  /** Total GPU time of all passes so far, seconds, from timestamp queries (NaN without them). */
  gpuSeconds(): number;
  /** The adapter runs on the CPU (SwiftShader…): `--engine auto` prefers the CPU engine then. */
  readonly software: boolean;
  kernel(kind: ModelKind, config: TrainConfig): RunKernel;
};

/** Upper bound on steps per chunk (sizes the bias-correction table). */
const MAX_CHUNK_STEPS = 16384;
/** An await on the queue longer than this means the GPU was still running when it began. */
const BUSY_WAIT_MS = 1;

const MAP_READ = 0x0001, COPY_SRC = 0x0004, COPY_DST = 0x0008, UNIFORM = 0x0040, STORAGE = 0x0080, QUERY_RESOLVE = 0x0200;

/** A WGSL module put together from several parts (WGSL has no includes), and where its lines came from. */
export interface WgslModule {
  code: string;
  /** The module's 1-based line `line` as "file:line" in the part it came from. */
  where(line: number): string;
}

/** The .wgsl files beside this module, by name. */
export const WGSL_FILES = ["pcg.wgsl", "common.wgsl", "train-private.wgsl", "train-workgroup.wgsl", "rng-debug.wgsl"] as const;
export type WgslFile = (typeof WGSL_FILES)[number];
/** Their texts: read from disk in Node (wgsl-node.ts), bundled as strings in a page (wgsl-bundled.ts). */
export type WgslSources = Readonly<Record<WgslFile, string>>;

/** Joins [name, text] parts into one module; text === undefined takes the file `name` from `sources`. */
export function composeWgsl(parts: [string, string?][], sources: WgslSources): WgslModule {
  const texts = parts.map(([name, text]) => {
    const t = text ?? sources[name as WgslFile];
    if (t === undefined) throw new Error(`webgpu: no WGSL file ${name}`);
    return t.replace(/\n?$/, "\n");
  });
  const starts: number[] = [];
  let line = 1;
  for (const t of texts) {
    starts.push(line);
    line += t.split("\n").length - 1;
  }
  return {
    code: texts.join(""),
    where(l) {
      let k = starts.length - 1;
      while (k > 0 && starts[k] > l) k--;
      return `${parts[k][0]}:${l - starts[k] + 1}`;
    },
  };
}

/** A training kernel's module: pcg.wgsl and common.wgsl prepended; for the private kernel, the model's
 *  sizes as `const`s first and its generated straight-line code last (private-codegen.ts). */
export function kernelWgsl(kernel: KernelName, m: number, n: number, sources: WgslSources): WgslModule {
  if (kernel === "workgroup") return composeWgsl([["pcg.wgsl"], ["common.wgsl"], ["train-workgroup.wgsl"]], sources);
  return composeWgsl([
    ["(sizes)", `const N: u32 = ${n}u;\nconst M: u32 = ${m}u;\n`],
    ["pcg.wgsl"],
    ["common.wgsl"],
    ["train-private.wgsl"],
    ["(private-codegen.ts)", privateKernelCode(m, n)],
  ], sources);
}

interface Pipelines {
  layout: GPUBindGroupLayout;
  train: GPUComputePipeline;
  evaluate: GPUComputePipeline;
}

/** Compiles a module; errors name the file and line of each part they are in. */
export async function compile(device: GPUDevice, wgsl: WgslModule, label: string): Promise<GPUShaderModule> {
  const module = device.createShaderModule({ code: wgsl.code, label });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === "error");
  if (errors.length) throw new Error(`webgpu: ${label} does not compile: ${errors.map((e) => `${wgsl.where(e.lineNum)}:${e.linePos} ${e.message.replace(/\s+/g, " ")}`).join("; ")}`);
  return module;
}

/** Everything a wave needs on the GPU, for one group of models (one dispatch). */
interface Group {
  models: number;
  state: GPUBuffer;
  records: GPUBuffer;
  evalLoss: GPUBuffer;
  bindGroup: GPUBindGroup;
}

/**
 * The engine on an open device (`gpu`: Dawn's in Node, engine.ts; navigator.gpu's in a page,
 * src/trainer/) with the WGSL files' texts. It owns the device from now on: close() destroys it.
 */
export function createWebGpuEngineOn(gpu: Gpu, sources: WgslSources, options: WebGpuEngineOptions = {}): WebGpuEngine {
  const { device } = gpu;
  const log = options.log ?? (() => {});
  const debugLog = options.debugLog ?? (() => {});
  log(`webgpu: ${gpu.choice}`);
  const pipelineCache = new Map<string, Promise<Pipelines>>();
  let gpuNs = 0;
  /** GPU seconds per model-sample (one sample of one model's batch, forward and backward), from the
   *  latest measured chunk; NaN until one is measured. */
  let secondsPerSample = NaN;
  const chunkSeconds = (options.chunkMs ?? 150) / 1000;

  const querySet = gpu.timestamps ? device.createQuerySet({ type: "timestamp", count: 2 }) : undefined;
  const queryResolve = querySet ? device.createBuffer({ size: 16, usage: QUERY_RESOLVE | COPY_SRC }) : undefined;
  const queryRead = querySet ? device.createBuffer({ size: 16, usage: MAP_READ | COPY_DST }) : undefined;

  function pipelines(kind: ModelKind, m: number, n: number, plan: KernelPlan): Promise<Pipelines> {
    const id = `${plan.kernel}:${kind}:${m}x${n}:${plan.workgroupSize}`;
    let p = pipelineCache.get(id);
    if (!p) {
      p = (async () => {
        const file = `train-${plan.kernel}.wgsl`;
        const module = await compile(device, kernelWgsl(plan.kernel, m, n, sources), file);
        const buffer = (type: GPUBufferBindingType): GPUBufferBindingLayout => ({ type });
        const layout = device.createBindGroupLayout({
          label: "train",
          entries: [
            { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: buffer("uniform") },
            { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: buffer("read-only-storage") },
            { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: buffer("read-only-storage") },
            { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: buffer("read-only-storage") },
            { binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: buffer("storage") },
            { binding: 5, visibility: GPUShaderStage.COMPUTE, buffer: buffer("storage") },
          ],
        });
        const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
        const constants: Record<string, number> = { WG: plan.workgroupSize, RELU_HIDDEN: kind === "relu-hidden" ? 1 : 0, SPAN: plan.span };
        if (plan.kernel === "workgroup") Object.assign(constants, { N: n, M: m });
        const make = (entryPoint: string) =>
          device.createComputePipelineAsync({ label: entryPoint, layout: pipelineLayout, compute: { module, entryPoint, constants } }).catch((e: Error) => {
            throw new Error(`webgpu: cannot create the ${entryPoint} pipeline: ${e.message.replace(/\s+/g, " ")}`);
          });
        const [train, evaluate] = await Promise.all([make("train"), make("evaluate")]);
        return { layout, train, evaluate };
      })();
      p.catch(() => pipelineCache.delete(id));
      pipelineCache.set(id, p);
    }
    return p;
  }

  /** Resolves the pass's two timestamps and copies them to the readback buffer, in `enc`. */
  function resolveTimestamps(enc: GPUCommandEncoder): void {
    if (!querySet || !queryResolve || !queryRead) return;
    enc.resolveQuerySet(querySet, 0, 2, queryResolve, 0);
    enc.copyBufferToBuffer(queryResolve, 0, queryRead, 0, 16);
  }

  /** GPU seconds of the last pass (call only once the queue is idle); NaN without timestamps. */
  async function readTimestamps(): Promise<number> {
    if (!queryRead) return NaN;
    await queryRead.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(queryRead.getMappedRange());
    queryRead.unmap();
    const ns = Number(t1 - t0);
    if (!(t1 > t0) || !Number.isFinite(ns)) return NaN;
    gpuNs += ns;
    return ns / 1e9;
  }

  const timestampWrites = (): GPUComputePassTimestampWrites | undefined =>
    querySet ? { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined;

  /** The kernel and its sizes for a config: the options' choice, fitted to the adapter's limits. */
  function planFor(config: TrainConfig): KernelPlan {
    const { neurons: m, features: n } = config;
    const kernel = options.kernel ?? defaultKernel(m, n);
    return planKernel(kernel, m, n, config.batchSize, gpu.limits, options.workgroupSize ?? DEFAULT_WORKGROUP_SIZE[kernel], options.maxModelsPerDispatch);
  }

  /** Lines said once per engine, not once per request. */
  const told = new Set<string>();

  /** Requests run one after another (they share the timestamp buffers and the rate estimate). */
  let queue: Promise<unknown> = Promise.resolve();
  function train(req: TrainRequest): Promise<void> {
    const run = queue.then(() => trainNow(req));
    queue = run.catch(() => {});
    return run;
  }

  async function trainNow(req: TrainRequest): Promise<void> {
    gpu.check();
    const { kind, config, densities } = req;
    validateConfig(config);
    densities.forEach(validateDensity);
    const m = config.neurons, n = config.features, P = m * n + n, K = config.modelsPerLevel, B = config.batchSize;
    const steps = options.steps ?? config.steps;
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`webgpu: steps must be a non-negative integer, got ${steps}`);
    const plan = planFor(config);
    if (options.workgroupSize && plan.limitedBy) {
      const line = `webgpu: workgroup of ${options.workgroupSize} threads asked for, ${plan.workgroupSize} used: ${plan.limitedBy}`;
      if (!told.has(line)) {
        told.add(line);
        log(line);
      }
    }
    const pipes = await pipelines(kind, m, n, plan);
    const waves = planWaves(densities.length, K, options.modelsPerWave ?? 16384);
    debugLog(`webgpu: ${kind} ${m}×${n}, ${densities.length} levels × ${K} models in ${waves.length} wave(s); ${plan.kernel} kernel, workgroup ${plan.workgroupSize} threads, ${(plan.workgroupBytes / 1024).toFixed(1)} KiB workgroup memory`);

    const abortError = () => (req.signal?.reason instanceof Error ? req.signal.reason : new Error("training aborted"));
    const modelStepsTotal = densities.length * K * steps;
    let modelStepsDone = 0;
    let modelsDone = 0;
    const waits = { chunks: 0, busy: 0, longestMs: 0 };

    // Buffers shared by every wave of this request.
    const shared: GPUBuffer[] = [];
    const makeBuffer = (size: number, usage: number, label: string, list: GPUBuffer[], mapped = false) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label, mappedAtCreation: mapped });
      list.push(b);
      return b;
    };
    try {
      const tableSteps = Math.max(1, Math.min(steps, MAX_CHUNK_STEPS));
      const { runBuf, featBuf, biasBuf } = await gpu.scoped("creating buffers", () => {
        const feat = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) {
          feat[2 * i] = (2 * config.importance[i]) / (B * n);
          feat[2 * i + 1] = config.importance[i];
        }
        const featBuf = makeBuffer(8 * n, STORAGE | COPY_DST, "features", shared);
        device.queue.writeBuffer(featBuf, 0, feat);
        return {
          runBuf: makeBuffer(RUN_UNIFORM_BYTES, UNIFORM | COPY_DST, "run", shared),
          featBuf,
          biasBuf: makeBuffer(8 * tableSteps, STORAGE | COPY_DST, "bias-correction", shared),
        };
      });

      for (const wave of waves) {
        if (req.signal?.aborted) throw abortError();
        const waveStart = performance.now();
        const waveModels = wave.length * K;
        const owned: GPUBuffer[] = [];
        try {
          // Model j of the wave is model j % K of level wave[floor(j / K)]; groups of consecutive models
          // are one dispatch each.
          const groups = await gpu.scoped("creating the wave's buffers", () => {
            const groups: Group[] = [];
            for (let first = 0; first < waveModels; first += plan.maxModelsPerDispatch) {
              const count = Math.min(plan.maxModelsPerDispatch, waveModels - first);
              const state = makeBuffer(count * plan.span * 4, STORAGE | COPY_SRC, "state", owned, true);
              const records = makeBuffer(count * MODEL_RECORD_WORDS * 4, STORAGE, "models", owned, true);
              const init = new Float32Array(state.getMappedRange());
              const list: ModelRecord[] = [];
              for (let j = 0; j < count; j++) {
                const density = densities[wave[Math.floor((first + j) / K)]];
                const model = (first + j) % K;
                init.set(initialParams(config, density, model), j * plan.span); // AdamW moments start at 0
                const tk = streamKey(config.seed, density, model, Purpose.train);
                const ek = streamKey(config.seed, density, SHARED_MODEL, Purpose.eval);
                list.push({ trainK0: tk.k0, trainK1: tk.k1, evalK0: ek.k0, evalK1: ek.k1, threshold: presenceThreshold(density) });
              }
              new Uint32Array(records.getMappedRange()).set(encodeModels(list));
              state.unmap();
              records.unmap();
              const evalLoss = makeBuffer(count * 4, STORAGE | COPY_SRC, "eval-loss", owned);
              const bindGroup = device.createBindGroup({
                layout: pipes.layout,
                entries: [runBuf, records, featBuf, biasBuf, state, evalLoss].map((buffer, binding) => ({ binding, resource: { buffer } })),
              });
              groups.push({ models: count, state, records, evalLoss, bindGroup });
            }
            return groups;
          });

          /** Encodes one compute pass running `pipeline` over every group, timed by timestamps. */
          const encodePass = (pipeline: GPUComputePipeline) => {
            const enc = device.createCommandEncoder();
            const pass = enc.beginComputePass({ timestampWrites: timestampWrites() });
            pass.setPipeline(pipeline);
            for (const g of groups) {
              pass.setBindGroup(0, g.bindGroup);
              pass.dispatchWorkgroups(g.models);
            }
            pass.end();
            resolveTimestamps(enc);
            return enc;
          };

          // Training, chunk by chunk.
          let firstChunk = true;
          for (let t0 = 0; t0 < steps; ) {
            if (req.signal?.aborted) throw abortError();
            let S: number;
            if (options.chunkSteps) S = options.chunkSteps;
            else if (Number.isNaN(secondsPerSample)) S = 1; // a probe, to measure the rate
            else {
              // A wave's first chunk sized from a probe or from another wave is a quarter chunk: the
              // estimate it rests on may be off, and its sleep must still cover it.
              S = Math.floor((firstChunk ? chunkSeconds / 4 : chunkSeconds) / (secondsPerSample * waveModels * B));
              firstChunk = false;
            }
            S = Math.max(1, Math.min(S, steps - t0, MAX_CHUNK_STEPS));
            const samples = waveModels * S * B;
            const expectedMs = Number.isNaN(secondsPerSample) ? 0 : secondsPerSample * samples * 1000;
            const timing = await gpu.scoped("in a training chunk", async () => {
              const o = config.optimizer;
              const table = new Float32Array(2 * S);
              for (let k = 0; k < S; k++) {
                table[2 * k] = 1 - o.beta1 ** (t0 + k + 1);
                table[2 * k + 1] = 1 - o.beta2 ** (t0 + k + 1);
              }
              device.queue.writeBuffer(runBuf, 0, encodeRun(runUniform(config, t0, S)));
              device.queue.writeBuffer(biasBuf, 0, table);
              const enc = encodePass(pipes.train);
              const submitted = performance.now();
              device.queue.submit([enc.finish()]);
              return { ...(await gpu.idle(expectedMs)), wall: (performance.now() - submitted) / 1000 };
            });
            waits.chunks++;
            if (timing.waitedMs > BUSY_WAIT_MS) waits.busy++;
            waits.longestMs = Math.max(waits.longestMs, timing.waitedMs);
            const measured = await readTimestamps();
            if (Number.isFinite(measured)) secondsPerSample = measured / samples;
            // Without timestamps: the wall time if the queue was still busy after the sleep, else the GPU
            // finished early and the estimate shrinks a little.
            else if (Number.isNaN(secondsPerSample) || timing.waitedMs > BUSY_WAIT_MS) secondsPerSample = timing.wall / samples;
            else secondsPerSample *= 0.9;
            t0 += S;
            modelStepsDone += waveModels * S;
            req.onProgress?.({ levelIndex: wave[0], density: densities[wave[0]], modelStepsDone, modelStepsTotal, modelsDone });
          }

          // Evaluation on the held-out samples, then read back parameters and losses.
          if (req.signal?.aborted) throw abortError();
          const reads = await gpu.scoped("in evaluation", async () => {
            device.queue.writeBuffer(runBuf, 0, encodeRun(runUniform(config, steps, 0)));
            const enc = encodePass(pipes.evaluate);
            const reads = groups.map((g) => {
              const state = makeBuffer(g.models * plan.span * 4, MAP_READ | COPY_DST, "state-read", owned);
              const loss = makeBuffer(g.models * 4, MAP_READ | COPY_DST, "eval-read", owned);
              enc.copyBufferToBuffer(g.state, 0, state, 0, g.models * plan.span * 4);
              enc.copyBufferToBuffer(g.evalLoss, 0, loss, 0, g.models * 4);
              return { state, loss };
            });
            device.queue.submit([enc.finish()]);
            // An evaluation sample is a forward pass: measured at 55–60% of a training sample's cost.
            await gpu.idle(Number.isNaN(secondsPerSample) ? 0 : secondsPerSample * waveModels * config.evalSamples * 1000 * 0.6);
            return reads;
          });
          await readTimestamps();
          // The queue is idle: mapping cannot overlap GPU work.
          const params: Float64Array[] = [];
          const losses = new Float64Array(waveModels);
          for (const [gi, g] of groups.entries()) {
            const { state, loss } = reads[gi];
            await Promise.all([state.mapAsync(GPUMapMode.READ), loss.mapAsync(GPUMapMode.READ)]);
            const s = new Float32Array(state.getMappedRange());
            const l = new Float32Array(loss.getMappedRange());
            for (let j = 0; j < g.models; j++) {
              const p = Float64Array.from(s.subarray(j * plan.span, j * plan.span + P));
              losses[params.length] = p.every(Number.isFinite) ? l[j] : NaN; // diverged: NaN, as the CPU engine
              params.push(p);
            }
            state.unmap();
            loss.unmap();
          }
          gpu.check();
          const seconds = (performance.now() - waveStart) / 1000 / wave.length;
          for (const [k, li] of wave.entries()) {
            modelsDone += K;
            await req.onLevel({
              density: densities[li],
              params: params.slice(k * K, (k + 1) * K),
              evalLosses: losses.slice(k * K, (k + 1) * K),
              seconds,
            });
          }
          // The wave's models are finished (evaluated) only now: say so, or the last line would stop short.
          req.onProgress?.({ levelIndex: wave[wave.length - 1], density: densities[wave[wave.length - 1]], modelStepsDone, modelStepsTotal, modelsDone });
        } finally {
          for (const b of owned) b.destroy();
        }
      }
      // How well the sleeps covered the chunks: an await that lasts more than a millisecond began while the
      // GPU was still busy, the case Dawn's binding was seen to crash in (src/train/webgpu/README.md).
      debugLog(`webgpu: ${waits.busy} of ${waits.chunks} chunk waits found the GPU still busy after the sleep (longest wait ${waits.longestMs.toFixed(1)} ms)`);
    } finally {
      for (const b of shared) b.destroy();
    }
  }

  return {
    name: "webgpu",
    device: gpu.description,
    software: gpu.software,
    train,
    kernel(_kind, config) {
      const plan = planFor(config);
      return { name: plan.kernel, workgroupSize: plan.workgroupSize };
    },
    gpuSeconds: () => (gpu.timestamps ? gpuNs / 1e9 : NaN),
    async close() {
      gpu.destroy();
    },
  };
}
