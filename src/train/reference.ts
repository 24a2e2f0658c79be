// The obviously-correct trainer: materialises every batch, calls the plain model of src/model/toy-model.ts
// and the plain AdamW. Slow; it exists so the fused kernels have something to be checked against.

import type { ModelKind, TrainConfig } from "../model/config.ts";
import { xavierStd } from "../model/config.ts";
import { Purpose, SHARED_MODEL, drawSample, initialWeights, presenceThreshold, streamKey } from "../model/rng.ts";
import { batchLoss, lossAndGradient } from "../model/toy-model.ts";
import { adamwStep } from "./adamw.ts";

/** Parameters packed as one vector: W (m×n, row-major) then b (n). */
export function packParams(W: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const p = new Float64Array(W.length + b.length);
  p.set(W as ArrayLike<number>, 0);
  p.set(b as ArrayLike<number>, W.length);
  return p;
}

export function initialParams(config: TrainConfig, density: number, model: number): Float64Array {
  const { neurons: m, features: n } = config;
  return packParams(initialWeights(config.seed, density, model, m, n, xavierStd(config)), new Float64Array(n));
}

export function trainingBatch(config: TrainConfig, density: number, model: number, step: number): Float64Array[] {
  const key = streamKey(config.seed, density, model, Purpose.train);
  const threshold = presenceThreshold(density);
  return Array.from({ length: config.batchSize }, (_, s) => {
    const x = new Float64Array(config.features);
    drawSample(key, step, s, threshold, x);
    return x;
  });
}

/** The level's held-out sample: the same draws for every model of a density level. */
export function evalBatch(config: TrainConfig, density: number): Float64Array[] {
  const key = streamKey(config.seed, density, SHARED_MODEL, Purpose.eval);
  const threshold = presenceThreshold(density);
  return Array.from({ length: config.evalSamples }, (_, s) => {
    const x = new Float64Array(config.features);
    drawSample(key, 0, s, threshold, x);
    return x;
  });
}

export function referenceTrain(kind: ModelKind, config: TrainConfig, density: number, model: number, steps = config.steps): Float64Array {
  const { neurons: m, features: n } = config;
  const params = initialParams(config, density, model);
  const mom = new Float64Array(params.length);
  const vel = new Float64Array(params.length);
  for (let t = 0; t < steps; t++) {
    const X = trainingBatch(config, density, model, t);
    const W = params.subarray(0, m * n);
    const b = params.subarray(m * n);
    const { gW, gb } = lossAndGradient(kind, { W, b }, X, config.importance, { m, n });
    adamwStep(params, packParams(gW, gb), mom, vel, t + 1, config.optimizer);
  }
  return params;
}

export function referenceEvalLoss(kind: ModelKind, config: TrainConfig, density: number, params: Float64Array, X = evalBatch(config, density)): number {
  const { neurons: m, features: n } = config;
  return batchLoss(kind, { W: params.subarray(0, m * n), b: params.subarray(m * n) }, X, config.importance, { m, n });
}
