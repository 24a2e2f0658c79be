// The CPU engine: the models of a run spread over worker_threads (one per core), each running the
// WebAssembly SIMD kernel (or the plain reference where that cannot run; see cpu-kernel.ts). Jobs are single models pulled from one queue, so workers stay busy across level boundaries.
// Workers start with the first train() call and are reused until close() (or an abort, which kills them).

import { Worker } from "node:worker_threads";
import { availableParallelism, cpus } from "node:os";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import type { Engine, RunKernel, TrainRequest } from "./engine.ts";
import type { JobMessage, WorkerInit, WorkerReply } from "./cpu-worker.ts";
import { cpuKernelName, type CpuKernelName } from "./cpu-kernel.ts";

export interface CpuEngineOptions {
  /** Worker threads (default: available cores). */
  threads?: number;
  /** Train this many steps instead of config.steps (benchmarks). */
  steps?: number;
  /** The kernel to use (default: the fastest this platform runs for the shape; cpuKernelName). */
  kernel?: CpuKernelName;
  /** Benchmarks: a kernel from elsewhere, as the URL of a module exporting createCpuKernel(kind, config). */
  kernelModule?: { url: string; name: string };
}

export function cpuDeviceName(threads: number): string {
  const model = cpus()[0]?.model?.trim() || "unknown CPU";
  return `${model} × ${threads} thread${threads === 1 ? "" : "s"}`;
}

export function createCpuEngine(options: CpuEngineOptions = {}): Engine {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  let pool: Worker[] = [];
  const stopAll = async () => {
    const dying = pool;
    pool = [];
    await Promise.all(dying.map((w) => w.terminate()));
  };
  const kernel = (_kind: ModelKind, config: TrainConfig): RunKernel => ({ name: options.kernelModule?.name ?? cpuKernelName(config, options.kernel) });
  return {
    name: "cpu",
    device: cpuDeviceName(threads),
    kernel,
    async train(req: TrainRequest) {
      const { kind, config, densities } = req;
      const K = config.modelsPerLevel;
      const steps = options.steps ?? config.steps;
      const jobs: JobMessage[] = densities.flatMap((density, li) =>
        Array.from({ length: K }, (_, model): JobMessage => ({ type: "job", id: li * K + model, density, model })),
      );
      const levels = densities.map((density) => ({
        density,
        params: new Array<Float64Array>(K),
        evalLosses: new Float64Array(K).fill(NaN),
        remaining: K,
        /** performance.now() when its first model was handed to a worker. */
        startedAt: NaN,
      }));
      const total = jobs.length * steps;
      let done = 0;
      let modelsDone = 0;
      let next = 0;
      const init: WorkerInit = {
        type: "init", kind, config, steps, kernel: cpuKernelName(config, options.kernel),
        ...(options.kernelModule && { kernelModule: options.kernelModule.url }),
      };
      // No more workers than jobs: each one costs a thread and its own compiled kernel.
      const workers = Math.min(threads, jobs.length);
      while (pool.length < workers) pool.push(new Worker(new URL("./cpu-worker.ts", import.meta.url)));
      const active = pool.slice(0, workers);
      let finished = false;
      try {
        await new Promise<void>((resolve, reject) => {
          let failed = false;
          const fail = (e: Error) => {
            if (!failed) (failed = true), reject(e);
          };
          const listeners: [Worker, string, (...a: any[]) => void][] = [];
          const on = (w: Worker, event: string, f: (...a: any[]) => void) => (w.on(event, f), listeners.push([w, event, f]));
          const detach = () => listeners.forEach(([w, e, f]) => w.off(e, f));
          const onAbort = () => fail(req.signal?.reason instanceof Error ? req.signal.reason : new Error("training aborted"));
          if (req.signal?.aborted) return onAbort();
          req.signal?.addEventListener("abort", onAbort, { once: true });
          const levelsPending: Promise<void>[] = [];
          const feed = (w: Worker) => {
            if (next < jobs.length) {
              const job = jobs[next++];
              const level = levels[Math.floor(job.id / K)];
              if (Number.isNaN(level.startedAt)) level.startedAt = performance.now();
              w.postMessage(job satisfies JobMessage);
            }
          };
          for (const w of active) {
            on(w, "error", fail);
            on(w, "exit", (code: number) => {
              if (!failed && modelsDone < jobs.length) fail(new Error(`CPU worker exited with code ${code}`));
            });
            on(w, "message", async (msg: WorkerReply) => {
              if (failed) return;
              if (msg.type === "error") return fail(new Error(`CPU worker failed: ${msg.message}`));
              const li = Math.floor(msg.id / K);
              if (msg.type === "progress") {
                done += msg.steps;
                req.onProgress?.({ levelIndex: li, density: densities[li], modelStepsDone: done, modelStepsTotal: total, modelsDone });
                return;
              }
              const level = levels[li];
              const model = msg.id % K;
              level.params[model] = msg.params;
              level.evalLosses[model] = msg.evalLoss;
              modelsDone++;
              req.onProgress?.({ levelIndex: li, density: densities[li], modelStepsDone: done, modelStepsTotal: total, modelsDone });
              feed(w);
              if (--level.remaining === 0) {
                // onLevel may take a while (selecting the winner) and yield meanwhile: other workers keep
                // training, and the run ends only when every level's onLevel has settled.
                const settled = Promise.resolve(req.onLevel({ density: level.density, params: level.params, evalLosses: level.evalLosses, seconds: (performance.now() - level.startedAt) / 1000 }));
                levelsPending.push(settled);
                settled.catch((e: Error) => fail(e));
              }
              if (modelsDone === jobs.length) {
                Promise.all(levelsPending).then(() => {
                  req.signal?.removeEventListener("abort", onAbort);
                  detach();
                  resolve();
                }, () => {});
              }
            });
            w.postMessage(init);
            feed(w);
          }
        });
        finished = true;
      } finally {
        // After a failure or an abort, workers may be mid-model: kill them (the next call starts fresh).
        if (!finished) await stopAll();
      }
    },
    close: stopAll,
  };
}
