// The CPU engine's kernel before the WebAssembly SIMD kernel (src/train/simd/), kept only as the
// benchmark's baseline (`npm run bench -- --engine cpu` times both in the same run): a training loop
// specialised for one model shape (m, n), generated as JavaScript source and compiled once per worker with
// `new Function`. Every weight, gradient and activation becomes a local variable (float64), the random
// draw of each present feature adds its column of W x right where it is drawn, and absent features cost
// one comparison. test/cpu-engine.test.ts checks it against the plain reference trainer.

import type { ModelKind, TrainConfig } from "../../src/model/config.ts";
import { Purpose, SHARED_MODEL, U24, presenceThreshold, streamKey } from "../../src/model/rng.ts";
import { initialParams } from "../../src/train/reference.ts";
import { PROGRESS_EVERY, type CpuKernel, type TrainedModel } from "../../src/train/kernel.ts";

/** Shapes above this many weights are refused (the source would grow too large). */
export const MAX_UNROLLED_WEIGHTS = 512;

type StepLoop = (
  P: Float64Array, mom: Float64Array, vel: Float64Array, g: Float64Array,
  t0: number, steps: number, B: number, k0: number, k1: number, threshold: number,
  coef: Float64Array, imp: Float64Array, opt: Float64Array, train: number,
) => number;

const lit = (v: number) => (Object.is(v, -0) ? "-0" : String(v));

/** Emits the source of the step loop for shape (m, n) and hidden-layer kind. Exported for inspection. */
export function stepLoopSource(kind: ModelKind, m: number, n: number): string {
  const relu = kind === "relu-hidden";
  const J = [...Array(m).keys()], I = [...Array(n).keys()];
  const w = (j: number, i: number) => `w${j}_${i}`;
  const gw = (j: number, i: number) => `g${j}_${i}`;
  const L: string[] = [];
  const e = (s: string) => L.push(s);
  e(`"use strict";`);
  e(`const U24 = ${lit(U24)};`);
  for (const i of I) e(`const C${i} = coef[${i}], I${i} = imp[${i}];`);
  e(`const lr = opt[0], b1 = opt[1], b2 = opt[2], eps = opt[3], decay = opt[4];`);
  e(`let err = 0;`);
  e(`for (let t = t0; t < t0 + steps; t++) {`);
  for (const j of J) e(`  let ${I.map((i) => `${w(j, i)} = P[${j * n + i}]`).join(", ")};`);
  e(`  let ${I.map((i) => `c${i} = P[${m * n + i}]`).join(", ")};`);
  for (const j of J) e(`  let ${I.map((i) => `${gw(j, i)} = 0`).join(", ")};`);
  e(`  let ${I.map((i) => `gb${i} = 0`).join(", ")};`);
  e(`  err = 0;`);
  e(`  const ts = (Math.imul(t, 1664525) + 1013904223) | 0;`);
  e(`  for (let s = 0; s < B; s++) {`);
  e(`    const ss = (Math.imul(s, 1664525) + 1013904223) | 0;`);
  e(`    let ${I.map((i) => `x${i} = 0`).join(", ")};`);
  e(`    let ${J.map((j) => `h${j} = 0`).join(", ")};`);
  e(`    let a, b, c, d;`);
  for (let pair = 0; 2 * pair < n; pair++) {
    // pcg4d(k0, step, sample, k1 ^ pair): identical to rng.ts.
    e(`    a = (Math.imul(k0, 1664525) + 1013904223) | 0; b = ts; c = ss; d = (Math.imul(k1 ^ ${pair}, 1664525) + 1013904223) | 0;`);
    e(`    a = (a + Math.imul(b, d)) | 0; b = (b + Math.imul(c, a)) | 0; c = (c + Math.imul(a, b)) | 0; d = (d + Math.imul(b, c)) | 0;`);
    e(`    a ^= a >>> 16; b ^= b >>> 16; c ^= c >>> 16; d ^= d >>> 16;`);
    e(`    a = (a + Math.imul(b, d)) | 0; b = (b + Math.imul(c, a)) | 0; c = (c + Math.imul(a, b)) | 0; d = (d + Math.imul(b, c)) | 0;`);
    const present = (i: number, p: string, v: string) =>
      e(`    if (${p} >>> 0 <= threshold) { x${i} = (${v} >>> 8) * U24; ${J.map((j) => `h${j} += ${w(j, i)} * x${i};`).join(" ")} }`);
    present(2 * pair, "a", "b");
    if (2 * pair + 1 < n) present(2 * pair + 1, "c", "d");
  }
  if (relu) for (const j of J) e(`    if (h${j} < 0) h${j} = 0;`);
  for (const i of I) {
    e(`    const s${i} = c${i} + ${J.map((j) => `${w(j, i)} * h${j}`).join(" + ")};`);
    e(`    const y${i} = s${i} > 0 ? s${i} : 0, f${i} = y${i} - x${i};`);
    e(`    err += I${i} * f${i} * f${i};`);
    e(`    const d${i} = s${i} > 0 ? C${i} * f${i} : 0;`);
  }
  e(`    if (train === 0) continue;`);
  for (const i of I) e(`    gb${i} += d${i};`);
  for (const j of J) {
    e(`    ${I.map((i) => `${gw(j, i)} += h${j} * d${i};`).join(" ")}`);
    const sum = I.map((i) => `${w(j, i)} * d${i}`).join(" + ");
    e(relu ? `    const e${j} = h${j} > 0 ? ${sum} : 0;` : `    const e${j} = ${sum};`);
  }
  for (const i of I) e(`    if (x${i} !== 0) { ${J.map((j) => `${gw(j, i)} += e${j} * x${i};`).join(" ")} }`);
  e(`  }`);
  e(`  if (train === 0) break;`);
  for (const j of J) e(`  ${I.map((i) => `g[${j * n + i}] = ${gw(j, i)};`).join(" ")}`);
  e(`  ${I.map((i) => `g[${m * n + i}] = gb${i};`).join(" ")}`);
  // AdamW over the packed parameters: the same arithmetic as adamw.ts.
  e(`  const bc1 = 1 - b1 ** (t + 1), bc2 = 1 - b2 ** (t + 1);`);
  e(`  for (let p = 0; p < ${m * n + n}; p++) {`);
  e(`    const gp = g[p];`);
  e(`    const mp = (mom[p] = b1 * mom[p] + (1 - b1) * gp);`);
  e(`    const vp = (vel[p] = b2 * vel[p] + (1 - b2) * gp * gp);`);
  e(`    P[p] = P[p] * decay - (lr * (mp / bc1)) / (Math.sqrt(vp / bc2) + eps);`);
  e(`  }`);
  e(`}`);
  e(`return err;`);
  return L.join("\n");
}

const cache = new Map<string, StepLoop>();

function compile(kind: ModelKind, m: number, n: number): StepLoop {
  const id = `${kind}:${m}x${n}`;
  let f = cache.get(id);
  if (!f) {
    f = new Function("P", "mom", "vel", "g", "t0", "steps", "B", "k0", "k1", "threshold", "coef", "imp", "opt", "train", stepLoopSource(kind, m, n)) as StepLoop;
    cache.set(id, f);
  }
  return f;
}

export class UnrolledKernel implements CpuKernel {
  private readonly loop: StepLoop;
  private readonly config: TrainConfig;
  private readonly coef: Float64Array;
  private readonly imp: Float64Array;
  private readonly opt: Float64Array;

  constructor(kind: ModelKind, config: TrainConfig) {
    const { neurons: m, features: n } = config;
    if (m * n > MAX_UNROLLED_WEIGHTS) throw new Error(`UnrolledKernel: ${m}×${n} is too large to unroll`);
    this.config = config;
    this.loop = compile(kind, m, n);
    const B = config.batchSize;
    this.coef = Float64Array.from(config.importance, (I) => (2 * I) / (B * n));
    this.imp = Float64Array.from(config.importance);
    const o = config.optimizer;
    this.opt = Float64Array.of(o.lr, o.beta1, o.beta2, o.eps, 1 - o.lr * o.weightDecay);
  }

  train(density: number, model: number, steps = this.config.steps, onProgress?: (stepsDone: number) => void): TrainedModel {
    const c = this.config;
    const P = initialParams(c, density, model);
    const size = P.length;
    const mom = new Float64Array(size), vel = new Float64Array(size), g = new Float64Array(size);
    const key = streamKey(c.seed, density, model, Purpose.train);
    const threshold = presenceThreshold(density);
    let err = 0;
    // Chunks of steps only so progress can be reported; the optimiser state carries across chunks.
    for (let t0 = 0; t0 < steps; t0 += PROGRESS_EVERY) {
      const chunk = Math.min(PROGRESS_EVERY, steps - t0);
      err = this.loop(P, mom, vel, g, t0, chunk, c.batchSize, key.k0 | 0, key.k1 | 0, threshold, this.coef, this.imp, this.opt, 1);
      onProgress?.(t0 + chunk);
    }
    return { params: P, finalTrainLoss: err / (c.batchSize * c.features) };
  }

  evalLoss(density: number, params: Float64Array): number {
    const c = this.config;
    const key = streamKey(c.seed, density, SHARED_MODEL, Purpose.eval);
    const scratch = new Float64Array(params.length);
    const err = this.loop(params, scratch, scratch, scratch, 0, 1, c.evalSamples, key.k0 | 0, key.k1 | 0,
      presenceThreshold(density), this.coef, this.imp, this.opt, 0);
    return err / (c.evalSamples * c.features);
  }
}

/** The CPU engine's kernel-module protocol (CpuEngineOptions.kernelModule): this module's kernel. */
export function createCpuKernel(kind: ModelKind, config: TrainConfig): CpuKernel {
  return new UnrolledKernel(kind, config);
}
