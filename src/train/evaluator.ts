// Large evaluations for selecting and checking winners (src/train/selection.ts, diagnostics.ts): sums of
// per-sample losses of many models over millions of shared draws, and fine-tuning runs. The same work
// runs in-process (`localEvaluator`: tests, the browser) or spread over worker threads (`poolEvaluator`:
// the trainer; on a 16-core GPU machine it turns half an hour of single-threaded selection into two
// minutes). Sums over disjoint ranges of draws add up, so the pool splits each evaluation by draws, in
// whole blocks, and every worker evaluates every model on its range.

import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import type { StreamKey } from "../model/rng.ts";
import { SAMPLE_BLOCK } from "./simd/simd-codegen.ts";
import { Moments, type Evaluator, type ModelSums } from "./evaluator-core.ts";

export { Moments, localEvaluator, rangeSums, type Evaluator, type ModelSums } from "./evaluator-core.ts";

export type EvalRequest =
  | { type: "sums"; id: number; kind: ModelKind; config: TrainConfig; density: number; key: StreamKey; from: number; to: number; models: Float64Array[]; ref?: Float64Array }
  | { type: "train"; id: number; kind: ModelKind; config: TrainConfig; density: number; key: StreamKey; start: Float64Array; at: number[] };
export type EvalReply =
  | { id: number; type: "sums"; sums: [number, number, number, number?, number?, number?][] }
  | { id: number; type: "train"; snapshots: Float64Array[] }
  | { id: number; type: "error"; message: string };

// The worker's module: the source beside this file, or, in a bundle (scripts/gpu-bundle.sh bundles the
// scripts into .mjs files and the worker beside them), the bundled worker.
const WORKER_URL = new URL(import.meta.url.endsWith(".mjs") ? "./evaluator-worker.mjs" : "./evaluator-worker.ts", import.meta.url);

/** Worker threads (default: one per core) sharing the work of each call. */
export function poolEvaluator(kind: ModelKind, config: TrainConfig, threads = availableParallelism()): Evaluator {
  const workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(WORKER_URL));
  const pending = new Map<number, { resolve: (r: EvalReply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  for (const w of workers) {
    w.on("message", (r: EvalReply) => {
      const p = pending.get(r.id);
      pending.delete(r.id);
      if (r.type === "error") p?.reject(new Error(`evaluation worker: ${r.message}`));
      else p?.resolve(r);
    });
    w.on("error", (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  }
  let turn = 0;
  type Unsent = EvalRequest extends infer R ? (R extends EvalRequest ? Omit<R, "id"> : never) : never;
  const send = (req: Unsent, worker = workers[turn++ % workers.length]) =>
    new Promise<EvalReply>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id } as EvalRequest);
    });
  const f64 = (p: ArrayLike<number>) => Float64Array.from(p);
  return {
    async sums(density, key, count, models, ref) {
      // Whole blocks per worker, as even as they come.
      const blocks = Math.ceil(count / SAMPLE_BLOCK);
      const per = Math.ceil(blocks / workers.length);
      const ranges = workers.map((_, w) => [Math.min(count, w * per * SAMPLE_BLOCK), Math.min(count, (w + 1) * per * SAMPLE_BLOCK)]).filter(([a, b]) => b > a);
      const payload = { kind, config, density, key, models: models.map(f64), ...(ref && { ref: f64(ref) }) };
      const replies = await Promise.all(ranges.map(([from, to], w) => send({ type: "sums", from, to, ...payload }, workers[w])));
      const out: ModelSums[] = models.map(() => ({ loss: new Moments(), ...(ref && { diff: new Moments() }) }));
      for (const r of replies) {
        if (r.type !== "sums") continue;
        r.sums.forEach(([c, s, q, dc, ds, dq], k) => {
          out[k].loss.addSums(c, s, q);
          if (out[k].diff) out[k].diff!.addSums(dc!, ds!, dq!);
        });
      }
      return out;
    },
    async trainFrom(density, jobs, at) {
      const replies = await Promise.all(jobs.map(({ start, key }) => send({ type: "train", kind, config, density, key, start: f64(start), at: [...at] })));
      return replies.map((r) => (r as Extract<EvalReply, { type: "train" }>).snapshots);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
