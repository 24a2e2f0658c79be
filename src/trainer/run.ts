// Training one density level in the reader's browser, with the project's own engines: on WebGPU the
// Node engine's core (src/train/webgpu/engine-core.ts, the same WGSL files and generated kernel code) on
// a device from navigator.gpu; on the CPU the SIMD kernel in Web Workers (src/train/simd/browser-worker.ts).
// Then the winner is chosen as the trainer chooses it (src/train/select-level.ts, in the workers) and the
// run becomes a data file in the project's schema, validated before it is offered. Nothing leaves the page.

import { defaultConfig, type ModelKind, type TrainConfig } from "../model/config.ts";
import type { StreamKey } from "../model/rng.ts";
import { SCHEMA_ID, dataFileSchema, describeIssues, type DataFile } from "../data/schema.ts";
import type { TrainedLevel } from "../train/engine.ts";
import { Moments, type ModelSums, type SumsEvaluator } from "../train/evaluator-core.ts";
import { selectBest } from "../train/select-level.ts";
import { STAGE2_SIZE, type Stage2Size } from "../train/selection.ts";
import { TRAINING_SEMANTICS } from "../train/semantics.ts";
import { SAMPLE_BLOCK } from "../train/simd/simd-codegen.ts";
import type { BrowserTrainReply, BrowserWorkerRequest } from "../train/simd/browser-worker.ts";
import { Gpu, SOFTWARE_ADAPTER, adapterName, requestTrainingDevice } from "../train/webgpu/device.ts";
import { createWebGpuEngineOn, type WgslSources } from "../train/webgpu/engine-core.ts";
import type { KernelName } from "../train/webgpu/layout.ts";
import type { TrainerEngineName, TrainerSettings } from "./limits.ts";

/**
 * The stage-2 sample of the winners' selection in a page: a quarter of the trainer's (2²⁰ draws and 10⁶
 * present features in expectation, against 2²² and 4·10⁶; src/train/selection.ts), so that choosing
 * among 32 candidates takes seconds, not a minute, on a laptop's CPU. Each level records its size.
 */
export const BROWSER_STAGE2: Stage2Size = { minDraws: 2 ** 20, minPresent: 1e6 };
/** Web Workers for the CPU engine and the selection: a laptop's cores, leaving one for the page. */
export const MAX_WORKERS = 4;

export type Phase = "starting" | "training" | "selecting";

export interface TrainerProgress {
  phase: Phase;
  modelsDone: number;
  models: number;
  modelStepsDone: number;
  modelStepsTotal: number;
  /** Model-steps per second since training began (NaN before the first report). */
  rate: number;
  /** Seconds of training left at that rate (NaN while unknown). */
  etaSeconds: number;
}

export interface TrainerRun {
  data: DataFile;
  /** Every model's final W (row-major) and b, by model index. */
  params: Float64Array[];
  /** Every model's held-out loss, by model index (NaN: diverged). */
  evalLosses: Float64Array;
}

/** The reader stopped the run, or the page did (tab hidden); `message` says which. */
export class TrainerStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrainerStopped";
  }
}

/** What the page found behind navigator.gpu. */
export type WebGpuProbe = { ok: true; name: string; software: boolean } | { ok: false; reason: string };

function adapterInfo(adapter: GPUAdapter): { name: string; software: boolean } {
  // Browsers may leave description and device empty (chromium does for SwiftShader): then the vendor and
  // architecture are the name, e.g. "google swiftshader (WebGPU in the browser)".
  const i = adapter.info;
  const named = i.description?.trim() || i.device?.trim() ? i : { ...i, description: [i.vendor, i.architecture].filter(Boolean).join(" ") };
  const name = adapterName(named, "WebGPU in the browser");
  const fallback = Boolean((adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return { name, software: fallback || SOFTWARE_ADAPTER.test(name) };
}

/** Asks the browser for a WebGPU adapter (and gives it back unused): its name, or why there is none. */
export async function probeWebGpu(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<WebGpuProbe> {
  if (!gpu) return { ok: false, reason: "This browser has no WebGPU (navigator.gpu is missing)" };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { ok: false, reason: "This browser's WebGPU granted no adapter" };
    return { ok: true, ...adapterInfo(adapter) };
  } catch (e) {
    return { ok: false, reason: `WebGPU failed to start (${(e as Error).message})` };
  }
}

export interface TrainOptions {
  engine: TrainerEngineName;
  /** Starts a Web Worker running src/train/simd/browser-worker.ts (bundled by the page). */
  createWorker: () => Worker;
  /** WebGPU: the WGSL files (src/train/webgpu/wgsl-bundled.ts in the site). */
  wgsl?: WgslSources;
  /** WebGPU: kernel and preferred workgroup size (default: the Node engine's defaults). */
  kernel?: KernelName;
  workgroupSize?: number;
  gpu?: GPU;
  /** The site's git commit, recorded in the data file as the code that trained. */
  commit: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainerProgress) => void;
  /** Stage-2 sample size (default BROWSER_STAGE2; recorded in the config as trainConfig does). */
  stage2?: Stage2Size;
}

/** The run's config, as its data file records it: the paper's, with the reader's K, steps and seed, and
 *  the stage-2 sample size when it is not the trainer's default (as `npm run train` records one). */
export function trainConfig(s: TrainerSettings, stage2: Stage2Size = BROWSER_STAGE2): TrainConfig {
  const config = defaultConfig({ modelsPerLevel: s.models, steps: s.steps, seed: s.seed });
  const isDefault = stage2.minDraws === STAGE2_SIZE.minDraws && stage2.minPresent === STAGE2_SIZE.minPresent;
  return isDefault ? config : { ...config, stage2: { minDraws: stage2.minDraws, minPresent: stage2.minPresent } };
}

/** Trains K models at one density, selects the winner and returns the run as a validated data file. */
export async function trainInBrowser(settings: TrainerSettings, o: TrainOptions): Promise<TrainerRun> {
  const config = trainConfig(settings, o.stage2);
  const { kind, density } = settings;
  const K = config.modelsPerLevel;
  const total = K * config.steps;
  const started = performance.now();
  let trainingStarted = NaN;
  const report = (phase: Phase, modelsDone: number, modelStepsDone: number) => {
    if (phase === "training" && Number.isNaN(trainingStarted)) trainingStarted = performance.now();
    const seconds = (performance.now() - trainingStarted) / 1000;
    const rate = seconds > 0 && modelStepsDone > 0 ? modelStepsDone / seconds : NaN;
    o.onProgress?.({ phase, modelsDone, models: K, modelStepsDone, modelStepsTotal: total, rate, etaSeconds: rate > 0 ? (total - modelStepsDone) / rate : NaN });
  };
  // Abort with a TrainerStopped to say why (the page does when its tab is hidden); any other reason is
  // the reader's cancel.
  const stopped = () => (o.signal?.reason instanceof TrainerStopped ? o.signal.reason : new TrainerStopped("Training was cancelled."));
  if (o.signal?.aborted) throw stopped();
  report("starting", 0, 0);

  const workerCount = Math.max(1, Math.min(o.workers ?? Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1), MAX_WORKERS, K));
  const pool = new WorkerPool(o.createWorker, workerCount, o.signal, stopped);
  try {
    report("training", 0, 0); // the clock of the rate and ETA starts here
    let trained: TrainedLevel;
    let device: string, kernel: { name: string; workgroupSize?: number }, gpuSeconds: number | undefined;
    if (o.engine === "webgpu") {
      const r = await trainOnWebGpu(kind, config, density, o, report);
      ({ trained, device, kernel, gpuSeconds } = r);
    } else {
      trained = await pool.train(kind, config, density, (modelsDone, stepsDone) => report("training", modelsDone, stepsDone));
      device = `this browser's CPU, ${workerCount} Web Worker${workerCount === 1 ? "" : "s"} (WebAssembly SIMD)`;
      kernel = { name: "simd" };
    }
    if (o.signal?.aborted) throw stopped();
    report("selecting", K, total);
    const trainSeconds = (performance.now() - started) / 1000;
    const t0 = performance.now();
    const level = await selectBest(pool.evaluator(kind, config), config, trained, () => {}, config.stage2 ?? STAGE2_SIZE);
    const selectSeconds = (performance.now() - t0) / 1000;
    const round3 = (s: number) => Math.round(s * 1000) / 1000;
    const data: DataFile = {
      schema: SCHEMA_ID,
      model: kind,
      semantics: TRAINING_SEMANTICS,
      config,
      run: {
        engine: o.engine, device, kernel, trainSeconds: round3(trainSeconds + selectSeconds), selectSeconds: round3(selectSeconds),
        ...(gpuSeconds !== undefined && Number.isFinite(gpuSeconds) && { gpuSeconds: round3(gpuSeconds) }),
        createdAt: new Date().toISOString(), commit: o.commit,
      },
      levels: [level],
    };
    const parsed = dataFileSchema.safeParse(data);
    if (!parsed.success) throw new Error(`the run does not fit the data file schema: ${describeIssues(parsed.error)}`);
    return { data: parsed.data, params: trained.params, evalLosses: trained.evalLosses };
  } catch (e) {
    // Whatever an aborted run threw on its way out (the engine's abort, a terminated worker) means this.
    if (o.signal?.aborted) throw stopped();
    throw e;
  } finally {
    pool.close();
  }
}

/** One level on WebGPU: the Node engine's core on navigator.gpu's device, destroyed at the end. */
async function trainOnWebGpu(kind: ModelKind, config: TrainConfig, density: number, o: TrainOptions, report: (phase: Phase, modelsDone: number, modelStepsDone: number) => void) {
  const gpu = o.gpu ?? globalThis.navigator?.gpu;
  if (!gpu) throw new Error("This browser has no WebGPU (navigator.gpu is missing)");
  if (!o.wgsl) throw new Error("trainInBrowser: the WGSL sources are missing");
  // A fresh adapter for every run: an adapter gives one device, and a Retry after a lost device needs a new one.
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("This browser's WebGPU granted no adapter");
  const { name, software } = adapterInfo(adapter);
  const { device, timestamps } = await requestTrainingDevice(adapter);
  const engine = createWebGpuEngineOn(new Gpu(device, { description: name, software, timestamps, choice: `adapter ${name}` }), o.wgsl, {
    ...(o.kernel && { kernel: o.kernel }),
    ...(o.workgroupSize && { workgroupSize: o.workgroupSize }),
  });
  try {
    let trained: TrainedLevel | undefined;
    await engine.train({
      kind, config, densities: [density], signal: o.signal,
      onProgress: (p) => report("training", p.modelsDone, p.modelStepsDone),
      onLevel: (level) => void (trained = level),
    });
    if (!trained) throw new Error("the WebGPU engine finished without the level");
    return { trained, device: name, kernel: engine.kernel(kind, config), gpuSeconds: engine.gpuSeconds() };
  } finally {
    await engine.close();
  }
}

type Reply = BrowserTrainReply;

/** Web Workers running the SIMD kernel: a level's models split among them, and the selection's sums. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly failures: ((e: Error) => void)[] = [];

  private readonly create: () => Worker;
  private readonly size: number;
  private readonly signal: AbortSignal | undefined;
  private readonly stopped: () => Error;

  constructor(create: () => Worker, size: number, signal: AbortSignal | undefined, stopped: () => Error) {
    this.create = create;
    this.size = size;
    this.signal = signal;
    this.stopped = stopped;
    signal?.addEventListener("abort", () => this.fail(this.stopped()), { once: true });
  }

  private worker(k: number): Worker {
    while (this.workers.length <= k) {
      const w = this.create();
      w.onerror = (e) => this.fail(new Error(`a training worker failed: ${e.message || "it could not start"}`));
      this.workers.push(w);
    }
    return this.workers[k];
  }

  /** Rejects every pending request (the workers are terminated: what they were doing is abandoned). */
  private fail(e: Error): void {
    this.close();
    for (const f of this.failures.splice(0)) f(e);
  }

  /** Sends one request to worker k and collects its replies until `done` says so. */
  private request<T>(k: number, req: BrowserWorkerRequest, onReply: (r: Reply, resolve: (v: T) => void) => void): Promise<T> {
    const w = this.worker(k);
    return new Promise<T>((resolve, reject) => {
      if (this.signal?.aborted) return reject(this.stopped());
      const fail = (e: Error) => reject(e);
      this.failures.push(fail);
      const settled = () => this.failures.splice(this.failures.indexOf(fail) >>> 0, 1);
      w.onmessage = ({ data }: MessageEvent<Reply>) => {
        if (data.type === "error") {
          settled();
          reject(new Error(`a training worker failed: ${data.message}`));
        } else {
          onReply(data, (v) => {
            settled();
            resolve(v);
          });
        }
      };
      w.postMessage(req);
    });
  }

  /** Model k goes to worker k mod size; each worker trains its models in order. */
  async train(kind: ModelKind, config: TrainConfig, density: number, onProgress: (modelsDone: number, modelStepsDone: number) => void): Promise<TrainedLevel> {
    const K = config.modelsPerLevel;
    const params: Float64Array[] = new Array(K);
    const evalLosses = new Float64Array(K);
    const stepsOf = new Float64Array(K);
    let modelsDone = 0, stepsDone = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: this.size }, (_, w) => {
        const models = Array.from({ length: Math.ceil((K - w) / this.size) }, (_, j) => w + j * this.size);
        return this.request<void>(w, { kind, config, jobs: models.map((model) => ({ density, model })) }, (r, resolve) => {
          if (r.type === "progress") {
            const model = models[r.job];
            stepsDone += r.stepsDone - stepsOf[model];
            stepsOf[model] = r.stepsDone;
            onProgress(modelsDone, stepsDone);
          } else if (r.type === "model") {
            params[r.model] = r.params;
            evalLosses[r.model] = r.evalLoss;
            modelsDone++;
            onProgress(modelsDone, stepsDone);
          } else if (r.type === "done") resolve();
        });
      }),
    );
    return { density, params, evalLosses, seconds: (performance.now() - t0) / 1000 };
  }

  /** The selection's evaluator: each call's draws split among the workers in whole blocks, as the
   *  trainer's pool splits them (src/train/evaluator.ts). */
  evaluator(kind: ModelKind, config: TrainConfig): SumsEvaluator {
    return {
      sums: async (density: number, key: StreamKey, count: number, models: readonly ArrayLike<number>[], ref?: ArrayLike<number>) => {
        const blocks = Math.ceil(count / SAMPLE_BLOCK);
        const per = Math.ceil(blocks / this.size);
        const ranges = Array.from({ length: this.size }, (_, w) => [Math.min(count, w * per * SAMPLE_BLOCK), Math.min(count, (w + 1) * per * SAMPLE_BLOCK)]).filter(([a, b]) => b > a);
        const f64 = (p: ArrayLike<number>) => Float64Array.from(p);
        const replies = await Promise.all(
          ranges.map(([from, to], w) =>
            this.request<Extract<Reply, { type: "sums" }>>(w, { type: "sums", kind, config, density, key, from, to, models: models.map(f64), ...(ref && { ref: f64(ref) }) }, (r, resolve) => {
              if (r.type === "sums") resolve(r);
            }),
          ),
        );
        const out: ModelSums[] = models.map(() => ({ loss: new Moments(), ...(ref && { diff: new Moments() }) }));
        for (const r of replies) {
          r.sums.forEach(([c, s, q, dc, ds, dq], k) => {
            out[k].loss.addSums(c, s, q);
            if (out[k].diff) out[k].diff!.addSums(dc!, ds!, dq!);
          });
        }
        return out;
      },
    };
  }

  close(): void {
    for (const w of this.workers.splice(0)) w.terminate();
  }
}
