// The SIMD kernel in a browser's Web Worker: the CPU path of training in a page (for readers whose
// browser has no WebGPU), with the same generated WebAssembly and the same float64 AdamW as the Node
// engine's worker_threads, so a model trained here has the Node CPU engine's bits (test/simd-browser.test.ts
// checks that in Debian's chromium). Bundle it as a module worker: new Worker(url, { type: "module" }).
//
// Protocol: post a BrowserTrainRequest; the worker answers with progress messages and one result per
// model, in order, then { type: "done" } (or { type: "error", message } and stops). Or post a
// BrowserSumsRequest (the winners' selection, src/train/selection.ts, in a page: src/trainer/): the
// worker answers { type: "sums", sums } with each model's sums over its range of draws (rangeSums, as
// the trainer's evaluation workers), or an error.

import type { ModelKind, TrainConfig } from "../../model/config.ts";
import type { StreamKey } from "../../model/rng.ts";
import { rangeSums } from "../evaluator-core.ts";
import { SimdKernel } from "./simd-kernel.ts";

export interface BrowserTrainRequest {
  type?: "train";
  kind: ModelKind;
  config: TrainConfig;
  jobs: { density: number; model: number }[];
}
export interface BrowserSumsRequest {
  type: "sums";
  kind: ModelKind;
  config: TrainConfig;
  density: number;
  key: StreamKey;
  /** Draws [from, to) of batch 0 of stream `key`. */
  from: number;
  to: number;
  models: Float64Array[];
  ref?: Float64Array;
}
export type BrowserWorkerRequest = BrowserTrainRequest | BrowserSumsRequest;
/** A model's sums: count, sum and sum of squares of its per-sample loss, then of the difference from ref. */
export type SumsRow = [number, number, number] | [number, number, number, number, number, number];
export type BrowserTrainReply =
  | { type: "progress"; job: number; stepsDone: number }
  | { type: "model"; job: number; density: number; model: number; params: Float64Array; evalLoss: number }
  | { type: "done" }
  | { type: "sums"; sums: SumsRow[] }
  | { type: "error"; message: string };

const post = (msg: BrowserTrainReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

// One kernel per kind and config: compiling the module is the slow part, and a page's selection sends
// many requests to the same worker.
const kernels = new Map<string, SimdKernel>();
function kernelFor(kind: ModelKind, config: TrainConfig): SimdKernel {
  const id = `${kind}:${JSON.stringify(config)}`;
  let kernel = kernels.get(id);
  if (!kernel) kernels.set(id, (kernel = new SimdKernel(kind, config)));
  return kernel;
}

self.onmessage = (event: MessageEvent<BrowserWorkerRequest>) => {
  const req = event.data;
  try {
    const kernel = kernelFor(req.kind, req.config);
    if (req.type === "sums") {
      const sums = rangeSums(kernel, req.density, req.key, req.from, req.to, req.models, req.ref);
      post({ type: "sums", sums: sums.map((s): SumsRow => (s.diff ? [s.loss.count, s.loss.sum, s.loss.sumSquares, s.diff.count, s.diff.sum, s.diff.sumSquares] : [s.loss.count, s.loss.sum, s.loss.sumSquares])) });
      return;
    }
    req.jobs.forEach(({ density, model }, job) => {
      const { params } = kernel.train(density, model, req.config.steps, (stepsDone) => post({ type: "progress", job, stepsDone }));
      const evalLoss = params.every(Number.isFinite) ? kernel.evalLoss(density, params) : NaN;
      post({ type: "model", job, density, model, params, evalLoss }, [params.buffer]);
    });
    post({ type: "done" });
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
  }
};
