// The SIMD kernel in a browser's Web Worker: the CPU path of training in a page (for readers whose
// browser has no WebGPU), with the same generated WebAssembly and the same float64 AdamW as the Node
// engine's worker_threads, so a model trained here has the Node CPU engine's bits (test/simd-browser.test.ts
// checks that in Debian's chromium). Bundle it as a module worker: new Worker(url, { type: "module" }).
//
// Protocol: post a BrowserTrainRequest; the worker answers with progress messages and one result per
// model, in order, then { type: "done" } (or { type: "error", message } and stops).

import type { ModelKind, TrainConfig } from "../../model/config.ts";
import { SimdKernel } from "./simd-kernel.ts";

export interface BrowserTrainRequest {
  kind: ModelKind;
  config: TrainConfig;
  jobs: { density: number; model: number }[];
}
export type BrowserTrainReply =
  | { type: "progress"; job: number; stepsDone: number }
  | { type: "model"; job: number; density: number; model: number; params: Float64Array; evalLoss: number }
  | { type: "done" }
  | { type: "error"; message: string };

const post = (msg: BrowserTrainReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

self.onmessage = (event: MessageEvent<BrowserTrainRequest>) => {
  const { kind, config, jobs } = event.data;
  try {
    const kernel = new SimdKernel(kind, config);
    jobs.forEach(({ density, model }, job) => {
      const { params } = kernel.train(density, model, config.steps, (stepsDone) => post({ type: "progress", job, stepsDone }));
      const evalLoss = params.every(Number.isFinite) ? kernel.evalLoss(density, params) : NaN;
      post({ type: "model", job, density, model, params, evalLoss }, [params.buffer]);
    });
    post({ type: "done" });
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
  }
};
