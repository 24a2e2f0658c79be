// A worker thread of the CPU engine. It lives as long as the engine: each train() call first sends the
// experiment (kind, config, steps, kernel), for which the worker builds its kernel (compiled wasm is
// cached per shape), then single models to train and evaluate, one at a time.

import { parentPort } from "node:worker_threads";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import { createCpuKernel, type CpuKernelName } from "./cpu-kernel.ts";
import type { CpuKernel } from "./kernel.ts";

export interface WorkerInit {
  type: "init";
  kind: ModelKind;
  config: TrainConfig;
  /** Steps to train (defaults to config.steps; the benchmark trains fewer). */
  steps: number;
  kernel: CpuKernelName;
  /** Benchmarks: URL of a module whose createCpuKernel(kind, config) replaces the engine's kernel. */
  kernelModule?: string;
}
export interface JobMessage {
  type: "job";
  id: number;
  density: number;
  model: number;
}
export type WorkerReply =
  | { type: "progress"; id: number; steps: number }
  | { type: "done"; id: number; params: Float64Array; evalLoss: number }
  | { type: "error"; id: number; message: string };

type KernelFactory = (kind: ModelKind, config: TrainConfig) => CpuKernel;

const port = parentPort!;
let init: WorkerInit | undefined;
let factory: Promise<KernelFactory> | undefined;
let kernel: CpuKernel | undefined;

port.on("message", async (msg: WorkerInit | JobMessage) => {
  if (msg.type === "init") {
    const name = msg.kernel;
    init = msg;
    kernel = undefined;
    factory = msg.kernelModule
      ? import(msg.kernelModule).then((m: { createCpuKernel: KernelFactory }) => m.createCpuKernel)
      : Promise.resolve((kind: ModelKind, config: TrainConfig) => createCpuKernel(kind, config, name));
    return;
  }
  // The engine sends one job at a time per worker, so awaiting here never reorders jobs.
  const job = msg;
  try {
    if (!init || !factory) throw new Error("job before init");
    kernel ??= (await factory)(init.kind, init.config);
    let reported = 0;
    const { params } = kernel.train(job.density, job.model, init.steps, (steps) => {
      port.postMessage({ type: "progress", id: job.id, steps: steps - reported } satisfies WorkerReply);
      reported = steps;
    });
    const finite = params.every(Number.isFinite);
    const evalLoss = finite ? kernel.evalLoss(job.density, params) : NaN;
    port.postMessage({ type: "done", id: job.id, params, evalLoss } satisfies WorkerReply, [params.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ type: "error", id: job.id, message: (e as Error).stack ?? String(e) } satisfies WorkerReply);
  }
});
