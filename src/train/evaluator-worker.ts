// A worker thread of poolEvaluator (evaluator.ts): sums of per-sample losses over a range of draws, and
// fine-tuning runs, with a SIMD kernel built once per model kind and shape.

import { parentPort } from "node:worker_threads";
import { SimdKernel } from "./simd/simd-kernel.ts";
import { rangeSums, type EvalReply, type EvalRequest } from "./evaluator.ts";

const port = parentPort!;
const kernels = new Map<string, SimdKernel>();

port.on("message", (req: EvalRequest) => {
  try {
    const id = `${req.kind}:${JSON.stringify(req.config)}`;
    let kernel = kernels.get(id);
    if (!kernel) kernels.set(id, (kernel = new SimdKernel(req.kind, req.config)));
    if (req.type === "sums") {
      const sums = rangeSums(kernel, req.density, req.key, req.from, req.to, req.models, req.ref);
      port.postMessage({
        id: req.id, type: "sums",
        sums: sums.map((s) => (s.diff ? [s.loss.count, s.loss.sum, s.loss.sumSquares, s.diff.count, s.diff.sum, s.diff.sumSquares] : [s.loss.count, s.loss.sum, s.loss.sumSquares])),
      } satisfies EvalReply);
    } else {
      const { snapshots } = kernel.trainSnapshots(req.start, req.density, req.key, req.at);
      port.postMessage({ id: req.id, type: "train", snapshots } satisfies EvalReply, snapshots.map((p) => p.buffer as ArrayBuffer));
    }
  } catch (e) {
    port.postMessage({ id: req.id, type: "error", message: (e as Error).stack ?? String(e) } satisfies EvalReply);
  }
});
