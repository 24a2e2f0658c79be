// The CPU engine's training kernel: WebAssembly SIMD generated for one model shape (m, n) and hidden
// layer kind. Four samples of a batch travel side by side, one per lane of every 128-bit vector:
//   - the random stream is rng.ts's pcg4d in i32x4 lanes. Of its four input words only the sample index
//     differs between samples, so the parts that depend on (seed, step, pair) alone are computed once per
//     step as scalars and splatted; each pair of features then costs ~20 vector integer operations for
//     four samples, and the values come out bit for bit as rng.ts draws them (tested);
//   - the model math is float32 (f32x4), as on the GPU: W x over the features present in any of the four
//     lanes (a feature absent in all four costs one compare and one branch), ReLU, Wᵀ h + b, the error and
//     the backward pass, with every weight, gradient sum and activation in a local (V8 keeps what it can
//     in registers and spills the rest to the stack, never to the heap);
//   - each lane keeps its own gradient sums over the batch; at the end of the pass the four lanes are
//     added in float64 and written to memory, where the JS side runs AdamW in float64 (simd-kernel.ts).
//     The loss is summed per group of four in float32 and accumulated across groups in float64, so the
//     held-out loss of 32,768 (or 4·10⁷) draws keeps float64's precision in the sum.
// The wasm is written byte by byte (wasm-binary.ts): no compiler at run time, a few KB of generator code,
// and the same bytes in Node's worker_threads and in a browser's Web Worker.

import type { ModelKind } from "../../model/config.ts";
import { FunctionBuilder, OP, encodeModule } from "./wasm-binary.ts";

/** Samples per vector. */
export const LANES = 4;
/**
 * Shapes up to this many weights are generated; larger ones train on the plain reference. The generated
 * module holds ~2·m·n vector locals per function and ~600 bytes of code per weight (eight functions):
 * at 4,096 weights (64×64) that is ~8,000 locals (V8 allows 50,000) and 2.5 MB, generated and compiled
 * in about a second (test/cpu-engine.test.ts trains it).
 */
export const MAX_SIMD_WEIGHTS = 4096;

/** Most samples `draw` writes out. */
export const DRAW_SAMPLES = 64;
/** Most samples one `samples` call evaluates (a multiple of LANES). */
export const SAMPLE_BLOCK = 4096;

/** Byte offsets of the module's memory, shared by the generator and the JS side. */
export interface SimdLayout {
  /** f32[m·n + n]: W (row-major) then b, rounded from the float64 parameters before each pass. */
  params: number;
  /** f32[n]: 2·I_i / (B·n), the factor of (x'_i − x_i) in ∂L/∂x'_i for the training batch size B. */
  coef: number;
  /** f32[n]: I_i. */
  importance: number;
  /** f64[m·n + n]: the batch's gradient sums, written by the training pass. */
  grad: number;
  /** f32[DRAW_SAMPLES · n], by groups of four samples: feature i of sample s at (s >> 2)·4n + 4i + (s & 3).
   *  Written by `draw`, which tests use to check the stream against rng.ts. */
  draws: number;
  /** f32[SAMPLE_BLOCK]: each sample's loss Σ_i I_i (x_i − x'_i)², written by `samples`. */
  samples: number;
  /** f64[1]: Σ over samples of the squared per-sample loss, written by `evaluate` and `samples`. */
  sumSquares: number;
  pages: number;
}

export function simdLayout(m: number, n: number): SimdLayout {
  const P = m * n + n;
  const params = 0;
  const coef = params + 4 * P;
  const importance = coef + 4 * n;
  const grad = Math.ceil((importance + 4 * n) / 16) * 16;
  const draws = Math.ceil((grad + 8 * P) / 16) * 16;
  const samples = draws + 4 * DRAW_SAMPLES * n;
  const sumSquares = samples + 4 * SAMPLE_BLOCK;
  const end = sumSquares + 8;
  return { params, coef, importance, grad, draws, samples, sumSquares, pages: Math.max(1, Math.ceil(end / 65536)) };
}

const LCG_MUL = 1664525;
const LCG_ADD = 1013904223;
const U24_BITS = 0x33800000; // 2^-24 as float32 bits

/**
 * Emits the module for shape (m, n). Every function takes (step, start, B, k0, k1, threshold): the samples
 * start … start + B − 1 of batch `step` of the stream (k0, k1) (u32 values passed as i32), and returns
 * Σ over them of the per-sample loss Σ_i I_i (x_i − x'_i)². Exports: `memory`, and per variant
 * (simdVariant) `train_<variant>` (also writes the gradient sums to layout.grad), `evaluate_<variant>`
 * (also writes Σ of the squared per-sample losses to layout.sumSquares), `samples_<variant>` (as
 * evaluate, and each sample's loss to layout.samples; B ≤ SAMPLE_BLOCK) and `draw_<variant>` (the
 * samples' x to layout.draws, for tests; B ≤ DRAW_SAMPLES).
 */
export function simdModule(kind: ModelKind, m: number, n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) throw new Error(`simdModule: bad shape ${m}×${n}`);
  if (m * n > MAX_SIMD_WEIGHTS) throw new Error(`simdModule: ${m}×${n} has more than ${MAX_SIMD_WEIGHTS} weights`);
  const layout = simdLayout(m, n);
  return encodeModule(
    layout.pages,
    (["sparse", "dense"] as const).flatMap((variant) => [
      { name: `train_${variant}`, fn: pass(kind, m, n, layout, "train", variant === "dense") },
      { name: `evaluate_${variant}`, fn: pass(kind, m, n, layout, "evaluate", variant === "dense") },
      { name: `samples_${variant}`, fn: pass(kind, m, n, layout, "samples", variant === "dense") },
      { name: `draw_${variant}`, fn: pass(kind, m, n, layout, "draw", variant === "dense") },
    ]),
  );
}

/**
 * Which variant of the pass suits a density. Whether a feature is present in some lane of a group is a
 * coin flip with P = 1 − (1 − d)⁴; a branch on it is mispredicted often near P = ½, so where P ≥ ¼
 * (d ≥ 0.069) the dense variant computes every feature's terms without branching (absent lanes hold
 * x = 0), and below it the sparse variant branches around features absent in all four lanes. Measured on
 * the 2-core dev machine (BENCHMARKS.md): dense is 1.3× faster at d = 0.1, sparse 1.3× faster at 0.03;
 * both give the same sums in the same order.
 */
export type SimdVariant = "sparse" | "dense";
export function simdVariant(density: number): SimdVariant {
  return 1 - (1 - density) ** 4 >= 0.25 ? "dense" : "sparse";
}

function pass(kind: ModelKind, m: number, n: number, L: SimdLayout, mode: "train" | "evaluate" | "samples" | "draw", dense: boolean): FunctionBuilder {
  const relu = kind === "relu-hidden", train = mode === "train";
  const f = new FunctionBuilder(["i32", "i32", "i32", "i32", "i32", "i32"], ["f64"]);
  const [STEP, START, B, K0, K1, THRESHOLD] = [0, 1, 2, 3, 4, 5];
  const J = [...Array(m).keys()], I = [...Array(n).keys()], PAIRS = [...Array(Math.ceil(n / 2)).keys()];
  const v = () => f.local("v128");
  const vs = (k: number) => Array.from({ length: k }, v);

  const zero = () => f.v128i32([0, 0, 0, 0]);
  const splatI = (c: number) => f.v128i32([c, c, c, c]);

  // Locals.
  const emptyLoss = f.local("f64");
  const s = f.local("i32"), seen = f.local("i32"), empty = f.local("i32"), tsc = f.local("i32"), x0 = f.local("i32"), w0s = f.local("i32"), x1s = f.local("i32");
  const W = J.map(() => vs(n)), bias = vs(n), coef = vs(n), imp = vs(n);
  const GW = train ? J.map(() => vs(n)) : [], GB = train ? vs(n) : [];
  const X = vs(n), S = vs(n), H = vs(m), D = train ? vs(n) : [], E = train ? vs(m) : [];
  const X1 = PAIRS.map(v), W0 = PAIRS.map(v), X2 = PAIRS.map(v);
  const TS = v(), THR = v(), BV = v(), errAcc = v(), sqAcc = v(), errG = v(), lo = v(), hi = v(), laneMask = v(), sv = v(), c0 = v();
  const emptyErr = v(), emptyBiasGrad = train ? vs(n) : [];
  const y = v(), z = v(), w = v(), a = v(), b = v(), c = v(), d = v(), sum = v(), pres = v();

  // ---- once per pass: the stream's per-(step, pair) words, the parameters as splats, zeroed sums.
  // pcg4d(k0, step, sample, k1 ^ pair), rng.ts: x0 = lcg(k0), y0 = lcg(step) (= ts), z0 = lcg(sample),
  // w0 = lcg(k1 ^ pair); x1 = x0 + y0·w0 depends on no sample, nor does x2 = x1 ^ (x1 >> 16).
  const lcg = (local: number) => f.i32(LCG_MUL).op(OP["i32.mul"]).i32(LCG_ADD).op(OP["i32.add"]).set(local);
  f.get(STEP);
  lcg(tsc);
  f.get(tsc).simd("i32x4.splat").set(TS);
  f.get(K0);
  lcg(x0);
  for (const p of PAIRS) {
    f.get(K1).i32(p).op(OP["i32.xor"]);
    lcg(w0s);
    f.get(w0s).simd("i32x4.splat").set(W0[p]);
    f.get(x0).get(tsc).get(w0s).op(OP["i32.mul"]).op(OP["i32.add"]).tee(x1s).simd("i32x4.splat").set(X1[p]);
    f.get(x1s).get(x1s).i32(16).op(OP["i32.shr_u"]).op(OP["i32.xor"]).simd("i32x4.splat").set(X2[p]);
  }
  f.get(THRESHOLD).simd("i32x4.splat").set(THR);
  f.get(B).simd("i32x4.splat").set(BV);
  const load = (local: number, offset: number) => f.i32(0).simdMem("v128.load32_splat", 2, offset).set(local);
  for (const j of J) for (const i of I) load(W[j][i], L.params + 4 * (j * n + i));
  for (const i of I) {
    load(bias[i], L.params + 4 * (m * n + i));
    load(coef[i], L.coef + 4 * i);
    load(imp[i], L.importance + 4 * i);
  }
  for (const g of [...GW.flat(), ...GB]) zero().set(g);
  // The loss of a sample with no feature present, Σ_i I_i ReLU(b_i)², and its bias gradient
  // coef_i ReLU(b_i) (where b_i > 0), in every lane, computed in float32 as the loop would compute them:
  // such samples skip the loop (below) and are added once, times their count, after it.
  for (const i of I) {
    f.get(bias[i]);
    zero().simd("f32x4.pmax").set(sum);
    if (i > 0) f.get(emptyErr);
    f.get(imp[i]).get(sum).simd("f32x4.mul").get(sum).simd("f32x4.mul");
    if (i > 0) f.simd("f32x4.add");
    f.set(emptyErr);
    if (train) {
      f.get(coef[i]).get(sum).simd("f32x4.mul").get(bias[i]);
      zero().simd("f32x4.gt").simd("v128.and").set(emptyBiasGrad[i]);
    }
  }
  zero().set(errAcc);
  zero().set(sqAcc);
  f.i32(0).set(s);
  f.i32(0).set(empty);

  // ---- the batch, four samples at a time: samples s … s+3 (lanes past B are masked out of every sum).
  f.block().loop();
  f.get(s).get(B).op(OP["i32.ge_u"]).brIf(1);
  f.get(s).simd("i32x4.splat").v128i32([0, 1, 2, 3]).simd("i32x4.add").tee(sv);
  f.get(BV).simd("i32x4.lt_u").set(laneMask);
  f.get(sv).get(START).simd("i32x4.splat").simd("i32x4.add");
  splatI(LCG_MUL).simd("i32x4.mul");
  splatI(LCG_ADD).simd("i32x4.add").set(c0);
  for (const h of H) zero().set(h);
  f.i32(0).set(seen);

  // mul-add of two i32x4 locals onto a third: dst = base + p·q (wrapping, as Math.imul and u32 in WGSL).
  const madd = (dst: number, base: number, p: number, q: number) => f.get(base).get(p).get(q).simd("i32x4.mul").simd("i32x4.add").set(dst);
  const xorshift = (l: number) => f.get(l).get(l).i32(16).simd("i32x4.shr_u").simd("v128.xor").set(l);
  // Feature i from its presence word `p` and value word `q`: x_i = p ≤ threshold ? (q >> 8) · 2^-24 : 0,
  // and its column of W x; skipped (x_i = 0) when absent in all four lanes.
  const feature = (i: number, p: number, valueWord: () => void) => {
    if (dense) {
      f.get(p).get(THR).simd("i32x4.le_u").tee(pres).simd("v128.any_true").get(seen).op(OP["i32.or"]).set(seen);
      valueWord();
      f.get(pres).simd("v128.and").set(X[i]);
      for (const j of J) f.get(H[j]).get(W[j][i]).get(X[i]).simd("f32x4.mul").simd("f32x4.add").set(H[j]);
      return;
    }
    f.get(p).get(THR).simd("i32x4.le_u").tee(pres).simd("v128.any_true").if();
    f.i32(1).set(seen);
    valueWord();
    f.get(pres).simd("v128.and").set(X[i]);
    for (const j of J) f.get(H[j]).get(W[j][i]).get(X[i]).simd("f32x4.mul").simd("f32x4.add").set(H[j]);
    f.op(OP.else);
    zero().set(X[i]);
    f.end();
  };
  const toUnit = (q: number) => f.get(q).i32(8).simd("i32x4.shr_u").simd("f32x4.convert_i32x4_s").v128i32([U24_BITS, U24_BITS, U24_BITS, U24_BITS]).simd("f32x4.mul");
  for (const p of PAIRS) {
    madd(y, TS, c0, X1[p]); // y1 = y0 + z0·x1
    madd(z, c0, X1[p], y); //  z1 = z0 + x1·y1
    madd(w, W0[p], y, z); //   w1 = w0 + y1·z1
    xorshift(y);
    xorshift(z);
    xorshift(w);
    madd(a, X2[p], y, w); //   presence word of feature 2p
    madd(b, y, z, a); //       its value word
    feature(2 * p, a, () => toUnit(b));
    if (2 * p + 1 < n) {
      madd(c, z, a, b); //     presence word of feature 2p + 1
      feature(2 * p + 1, c, () => {
        madd(d, w, b, c); //   its value word, drawn only where needed
        toUnit(d);
      });
    }
  }
  if (mode === "draw") {
    // The group's x, as drawn, to memory; nothing else.
    for (const i of I) f.get(s).i32(4 * n).op(OP["i32.mul"]).get(X[i]).simdMem("v128.store", 4, L.draws + 16 * i);
    f.get(s).i32(LANES).op(OP["i32.add"]).set(s);
    f.br(0).end().end();
    f.f64(0);
    return f;
  }

  // A full group of four samples with no feature present (two thirds of all groups at density 0.01) adds
  // the same error and bias gradient as every other such group, as h = 0 and x' = ReLU(b): count it,
  // and add count × that contribution after the loop.
  f.get(seen).op(OP["i32.eqz"]).get(s).i32(LANES).op(OP["i32.add"]).get(B).op(OP["i32.le_u"]).op(OP["i32.and"]).if();
  f.get(empty).i32(LANES).op(OP["i32.add"]).set(empty);
  if (mode === "samples") f.get(s).i32(4).op(OP["i32.mul"]).get(emptyErr).simdMem("v128.store", 4, L.samples);
  f.get(s).i32(LANES).op(OP["i32.add"]).set(s);
  f.br(1).end();

  // ReLU as pmax(h, 0) = h < 0 ? 0 : h: the scalar kernels' `if (h < 0) h = 0`.
  if (relu)
    for (const h of H) {
      f.get(h);
      zero().simd("f32x4.pmax").set(h);
    }

  // x' = ReLU(Wᵀ h + b), the error, and d_i = ∂L/∂(pre-activation of x'_i) (0 where it is ≤ 0 or the
  // lane is past the batch).
  // With a ReLU hidden layer, a neuron that is off in all four lanes (often, on sparse data) adds nothing
  // to Wᵀ h nor to the backward pass: its terms are skipped (the sums of the others keep their order).
  const active = (j: number, body: () => void, otherwise?: () => void) => {
    if (!relu) return body();
    f.get(H[j]).simd("v128.any_true").if();
    body();
    if (otherwise) {
      f.op(OP.else);
      otherwise();
    }
    f.end();
  };
  for (const i of I) f.get(bias[i]).set(S[i]);
  for (const j of J) active(j, () => {
    for (const i of I) f.get(S[i]).get(W[j][i]).get(H[j]).simd("f32x4.mul").simd("f32x4.add").set(S[i]);
  });
  for (const i of I) {
    const sum = S[i];
    // y = x'_i − x_i, with x'_i = pmax(sum, 0) = sum < 0 ? 0 : sum.
    f.get(sum);
    zero().simd("f32x4.pmax").get(X[i]).simd("f32x4.sub").set(y);
    if (i > 0) f.get(errG);
    f.get(imp[i]).get(y).simd("f32x4.mul").get(y).simd("f32x4.mul");
    if (i > 0) f.simd("f32x4.add");
    f.set(errG);
    if (train) {
      f.get(coef[i]).get(y).simd("f32x4.mul").get(sum);
      zero().simd("f32x4.gt").get(laneMask).simd("v128.and").simd("v128.and").set(D[i]);
    }
  }
  // errAcc += the group's four losses, in float64 (lanes past the batch masked to 0); when evaluating,
  // sqAcc += their squares (for the loss's standard error), and `samples` stores them.
  f.get(errG).get(laneMask).simd("v128.and").tee(errG).simd("f64x2.promote_low_f32x4").set(lo);
  f.get(errG).get(errG).simd("i8x16.shuffle", 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7).simd("f64x2.promote_low_f32x4").set(hi);
  f.get(errAcc).get(lo).simd("f64x2.add").get(hi).simd("f64x2.add").set(errAcc);
  if (!train) f.get(sqAcc).get(lo).get(lo).simd("f64x2.mul").simd("f64x2.add").get(hi).get(hi).simd("f64x2.mul").simd("f64x2.add").set(sqAcc);
  if (mode === "samples") f.get(s).i32(4).op(OP["i32.mul"]).get(errG).simdMem("v128.store", 4, L.samples);

  if (train) {
    for (const i of I) f.get(GB[i]).get(D[i]).simd("f32x4.add").set(GB[i]);
    for (const j of J) active(j, () => {
      for (const i of I) f.get(GW[j][i]).get(H[j]).get(D[i]).simd("f32x4.mul").simd("f32x4.add").set(GW[j][i]);
      // e_j = Σ_i W_ji d_i: ∂L/∂h_j, through the ReLU only where h_j > 0.
      for (const i of I) {
        f.get(W[j][i]).get(D[i]).simd("f32x4.mul");
        if (i > 0) f.simd("f32x4.add");
      }
      if (relu) {
        f.get(H[j]);
        zero().simd("f32x4.gt").simd("v128.and");
      }
      f.set(E[j]);
    }, () => zero().set(E[j]));
    // ∂L/∂W_ji += e_j x_i (sparse: only for features present in some lane).
    for (const i of I) {
      if (!dense) f.get(X[i]).simd("v128.any_true").if();
      for (const j of J) f.get(GW[j][i]).get(E[j]).get(X[i]).simd("f32x4.mul").simd("f32x4.add").set(GW[j][i]);
      if (!dense) f.end();
    }
  }
  f.get(s).i32(LANES).op(OP["i32.add"]).set(s);
  f.br(0).end().end();

  const emptyTimes = (v: number) => f.get(v).simd("f32x4.extract_lane", 0).op(OP["f64.promote_f32"]).get(empty).op(OP["f64.convert_i32_u"]).op(OP["f64.mul"]);

  // ---- the batch's gradient sums: the four lanes added in float64, in lane order.
  if (train) {
    const sums = [...GW.flat(), ...GB];
    sums.forEach((g, p) => {
      f.i32(0);
      for (let lane = 0; lane < LANES; lane++) {
        f.get(g).simd("f32x4.extract_lane", lane).op(OP["f64.promote_f32"]);
        if (lane > 0) f.op(OP["f64.add"]);
      }
      if (p >= m * n) {
        emptyTimes(emptyBiasGrad[p - m * n]);
        f.op(OP["f64.add"]);
      }
      f.mem("f64.store", 3, L.grad + 8 * p);
    });
  }
  if (!train) {
    // Σ l² = the loop's + count × (empty sample's loss)², in float64.
    f.i32(0);
    f.get(sqAcc).simd("f64x2.extract_lane", 0).get(sqAcc).simd("f64x2.extract_lane", 1).op(OP["f64.add"]);
    f.get(emptyErr).simd("f32x4.extract_lane", 0).op(OP["f64.promote_f32"]).tee(emptyLoss).get(emptyLoss).op(OP["f64.mul"]);
    f.get(empty).op(OP["f64.convert_i32_u"]).op(OP["f64.mul"]).op(OP["f64.add"]);
    f.mem("f64.store", 3, L.sumSquares);
  }
  f.get(errAcc).simd("f64x2.extract_lane", 0).get(errAcc).simd("f64x2.extract_lane", 1).op(OP["f64.add"]);
  emptyTimes(emptyErr);
  f.op(OP["f64.add"]);
  return f;
}
