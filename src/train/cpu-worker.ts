// A worker thread of the CPU engine. It lives as long as the engine: each train() call first sends the
// experiment (kind, config, steps), for which the worker builds its kernel (compiled code is cached per
// shape), then single models to train and evaluate, one at a time.

import { parentPort } from "node:worker_threads";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import { createCpuKernel } from "./cpu-codegen.ts";
import type { CpuKernel } from "./cpu-kernel.ts";

export interface WorkerInit {
  type: "init";
  kind: ModelKind;
  config: TrainConfig;
  /** Steps to train (defaults to config.steps; the benchmark trains fewer). */
  steps: number;
}
export interface JobMessage {
  type: "job";
  id: number;
  density: number;
  model: number;
}
export type WorkerReply =
  | { type: "progress"; id: number; steps: number }
  | { type: "done"; id: number; params: Float64Array; evalLoss: number; trainLoss: number }
  | { type: "error"; id: number; message: string };

const port = parentPort!;
let init: WorkerInit | undefined;
let kernel: CpuKernel | undefined;

port.on("message", (msg: WorkerInit | JobMessage) => {
  if (msg.type === "init") {
    init = msg;
    kernel = undefined;
    return;
  }
  const job = msg;
  try {
    if (!init) throw new Error("job before init");
    kernel ??= createCpuKernel(init.kind, init.config);
    let reported = 0;
    const { params, finalTrainLoss } = kernel.train(job.density, job.model, init.steps, (steps) => {
      port.postMessage({ type: "progress", id: job.id, steps: steps - reported } satisfies WorkerReply);
      reported = steps;
    });
    const finite = params.every(Number.isFinite);
    const evalLoss = finite ? kernel.evalLoss(job.density, params) : NaN;
    port.postMessage({ type: "done", id: job.id, params, evalLoss, trainLoss: finalTrainLoss } satisfies WorkerReply, [params.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ type: "error", id: job.id, message: (e as Error).stack ?? String(e) } satisfies WorkerReply);
  }
});
