// The evaluator's interface and its in-process implementation (`localEvaluator`: tests and a reader's
// page, src/trainer/), with no Node imports; evaluator.ts adds the pool of worker threads the trainer uses.

import type { ModelKind, TrainConfig } from "../model/config.ts";
import type { StreamKey } from "../model/rng.ts";
import { SimdKernel } from "./simd/simd-kernel.ts";
import { SAMPLE_BLOCK } from "./simd/simd-codegen.ts";

/** Running sums of a per-sample quantity: its mean and the standard error of the mean. */
export class Moments {
  count = 0;
  sum = 0;
  sumSquares = 0;
  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      this.sum += values[i];
      this.sumSquares += values[i] * values[i];
    }
    this.count += values.length;
  }
  addSums(count: number, sum: number, sumSquares: number): void {
    this.count += count;
    this.sum += sum;
    this.sumSquares += sumSquares;
  }
  get mean(): number {
    return this.sum / this.count;
  }
  /** Standard error of the mean: the sample standard deviation (n − 1) over √count. */
  get se(): number {
    if (this.count < 2) return NaN;
    const variance = Math.max(0, (this.sumSquares - (this.sum * this.sum) / this.count) / (this.count - 1));
    return Math.sqrt(variance / this.count);
  }
}

/** What the winners' selection needs of an evaluator (selection.ts): a page's has only this (src/trainer/). */
export type SumsEvaluator = Pick<Evaluator, "sums">;

/** A model's sums over a range of draws: of its per-sample loss, and with a reference model, of its
 *  per-sample loss minus the reference's. */
export interface ModelSums {
  loss: Moments;
  diff?: Moments;
}

export interface Evaluator {
  /**
   * Sums over draws 0 … count − 1 of batch 0 of stream `key` at `density`, for each of `models`
   * (parameters: W row-major, then b): of its per-sample loss Σ_i I_i (x_i − x'_i)², and, given `ref`, of
   * that minus ref's on the same draw.
   */
  sums(density: number, key: StreamKey, count: number, models: readonly ArrayLike<number>[], ref?: ArrayLike<number>): Promise<ModelSums[]>;
  /**
   * Each start trained at `density` on its own training stream (fresh AdamW) for the last of `at`
   * (ascending step counts); per job, its parameters after each of `at`.
   */
  trainFrom(density: number, jobs: readonly { start: ArrayLike<number>; key: StreamKey }[], at: readonly number[]): Promise<Float64Array[][]>;
  close(): Promise<void>;
}

/** The sums of `models` over draws [from, to) with one kernel, block by block (no sample stored whole). */
export function rangeSums(kernel: SimdKernel, density: number, key: StreamKey, from: number, to: number, models: readonly ArrayLike<number>[], ref?: ArrayLike<number>): ModelSums[] {
  const out: ModelSums[] = models.map(() => ({ loss: new Moments(), ...(ref && { diff: new Moments() }) }));
  const diff = new Float64Array(SAMPLE_BLOCK);
  for (let start = from; start < to; start += SAMPLE_BLOCK) {
    const count = Math.min(SAMPLE_BLOCK, to - start);
    const r = ref ? Float64Array.from(kernel.sampleLosses(ref, density, key, 0, count, start)) : undefined;
    models.forEach((p, k) => {
      const l = kernel.sampleLosses(p, density, key, 0, count, start);
      out[k].loss.add(l);
      if (r) {
        for (let s = 0; s < count; s++) diff[s] = l[s] - r[s];
        out[k].diff!.add(diff.subarray(0, count));
      }
    });
  }
  return out;
}

/** Everything in this thread, with one SIMD kernel. */
export function localEvaluator(kind: ModelKind, config: TrainConfig): Evaluator {
  const kernel = new SimdKernel(kind, config);
  return {
    async sums(density, key, count, models, ref) {
      return rangeSums(kernel, density, key, 0, count, models, ref);
    },
    async trainFrom(density, jobs, at) {
      return jobs.map(({ start, key }) => kernel.trainSnapshots(start, density, key, at).snapshots);
    },
    async close() {},
  };
}
