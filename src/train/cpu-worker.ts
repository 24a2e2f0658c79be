// A worker thread of the CPU engine: compiles the kernel for the experiment's shape once, then trains
// and evaluates the models it is sent, one at a time.

import { parentPort, workerData } from "node:worker_threads";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import { createCpuKernel } from "./cpu-codegen.ts";

export interface WorkerInit {
  kind: ModelKind;
  config: TrainConfig;
  /** Steps to train (defaults to config.steps; the benchmark trains fewer). */
  steps: number;
}
export interface JobMessage {
  id: number;
  density: number;
  model: number;
}
export type WorkerReply =
  | { type: "progress"; id: number; steps: number }
  | { type: "done"; id: number; params: Float64Array; evalLoss: number; trainLoss: number }
  | { type: "error"; id: number; message: string };

const init = workerData as WorkerInit;
const kernel = createCpuKernel(init.kind, init.config);
const port = parentPort!;

port.on("message", (job: JobMessage) => {
  try {
    let reported = 0;
    const { params, finalTrainLoss } = kernel.train(job.density, job.model, init.steps, (steps) => {
      port.postMessage({ type: "progress", id: job.id, steps: steps - reported } satisfies WorkerReply);
      reported = steps;
    });
    const finite = params.every(Number.isFinite);
    const evalLoss = finite ? kernel.evalLoss(job.density, params) : NaN;
    port.postMessage({ type: "done", id: job.id, params, evalLoss, trainLoss: finalTrainLoss } satisfies WorkerReply, [params.buffer]);
  } catch (e) {
    port.postMessage({ type: "error", id: job.id, message: (e as Error).stack ?? String(e) } satisfies WorkerReply);
  }
});
