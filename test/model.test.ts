// The plain model's analytic gradients against two independent oracles: @tensorflow/tfjs autodiff
// (float32, cpu backend) and central finite differences in float64.
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as tf from "@tensorflow/tfjs";
import type { ModelKind } from "../src/model/config.ts";
import { defaultConfig, geometricImportance, levelConfig, stepsAt, validateConfig, validateDensity, type TrainConfig } from "../src/model/config.ts";
import { batchLoss, forward, lossAndGradient, type Params } from "../src/model/toy-model.ts";
import { pcg4d, unitFloat } from "../src/model/rng.ts";
import { adamwStep } from "../src/train/adamw.ts";

const m = 5, n = 10, B = 16;
const importance = geometricImportance(n);

// Deterministic test inputs from the project's own hash (any fixed numbers would do).
function rand(k: number, j: number): number {
  return unitFloat(pcg4d(12345, k, j, 99, new Uint32Array(4))[0]);
}
function randomCase(seed: number): { p: Params; X: Float64Array[] } {
  const W = Float64Array.from({ length: m * n }, (_, i) => 2 * rand(seed, i) - 1);
  const b = Float64Array.from({ length: n }, (_, i) => 0.4 * rand(seed + 1000, i) - 0.2);
  const X = Array.from({ length: B }, (_, s) => Float64Array.from({ length: n }, (_, i) => (rand(seed + 2000 + s, i) < 0.4 ? rand(seed + 3000 + s, i) : 0)));
  return { p: { W, b }, X };
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) (num = Math.max(num, Math.abs(a[i] - b[i]))), (den = Math.max(den, Math.abs(b[i])));
  return num / den;
};

function tfjsGradient(kind: ModelKind, p: Params, X: Float64Array[]) {
  return tf.tidy(() => {
    const x = tf.tensor2d(X.map((r) => Array.from(r)));
    const imp = tf.tensor1d(importance);
    const f = (W: tf.Tensor, b: tf.Tensor) => {
      const pre = tf.matMul(x, W as tf.Tensor2D, false, true); // B×m
      const h = kind === "relu-hidden" ? tf.relu(pre) : pre;
      const y = tf.relu(tf.add(tf.matMul(h, W as tf.Tensor2D), b)); // B×n
      return tf.mean(tf.mul(imp, tf.square(tf.sub(x, y))));
    };
    const g = tf.grads(f);
    const W = tf.tensor2d(Array.from({ length: m }, (_, j) => Array.from(p.W.subarray(j * n, (j + 1) * n))));
    const b = tf.tensor1d(Array.from(p.b));
    const [gW, gb] = g([W, b]);
    return { gW: gW.dataSync().slice(), gb: gb.dataSync().slice(), loss: f(W, b).dataSync()[0] };
  });
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
  // The CPU backend's first tensor prints a banner ("Hi, looks like you are running TensorFlow.js in
  // Node.js…", install tfjs-node): expected here, where the pure-JS backend is the point. Take it now,
  // out of the test output; any other warning still goes through.
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  let calls: unknown[][];
  try {
    tf.tensor1d([0]).dispose();
  } finally {
    calls = [...warn.mock.calls];
    warn.mockRestore();
  }
  for (const args of calls) if (!String(args[0]).includes("tfjs-node")) console.warn(...args);
});

describe.each(["relu-hidden", "linear-hidden"] as const)("%s gradients", (kind) => {
  for (const seed of [1, 2, 3]) {
    it(`agree with tfjs autodiff (seed ${seed}) to 1e-5 relative`, () => {
      const { p, X } = randomCase(seed);
      const ours = lossAndGradient(kind, p, X, importance, { m, n });
      const ref = tfjsGradient(kind, p, X);
      // tfjs computes in float32: 1e-5 relative to the largest entry is ~100 float32 ulps of headroom.
      expect(relErr(ours.gW, ref.gW)).toBeLessThan(1e-5);
      expect(relErr(ours.gb, ref.gb)).toBeLessThan(1e-5);
      expect(Math.abs(ours.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    });

    it(`agree with float64 central finite differences (seed ${seed}) to 1e-5 relative`, () => {
      const { p, X } = randomCase(seed);
      const ours = lossAndGradient(kind, p, X, importance, { m, n });
      expect(ours.loss).toBeCloseTo(batchLoss(kind, p, X, importance, { m, n }), 15);
      const eps = 1e-6;
      const fd = (arr: Float64Array, k: number) => {
        const orig = arr[k];
        arr[k] = orig + eps;
        const up = batchLoss(kind, p, X, importance, { m, n });
        arr[k] = orig - eps;
        const down = batchLoss(kind, p, X, importance, { m, n });
        arr[k] = orig;
        return (up - down) / (2 * eps);
      };
      const gW = Float64Array.from({ length: m * n }, (_, k) => fd(p.W, k));
      const gb = Float64Array.from({ length: n }, (_, k) => fd(p.b, k));
      expect(relErr(ours.gW, gW)).toBeLessThan(1e-5);
      expect(relErr(ours.gb, gb)).toBeLessThan(1e-5);
    });
  }
});

describe("forward", () => {
  it("implements h = ReLU(Wx) and x' = ReLU(Wᵀh + b) on a hand-computed case", () => {
    const W = new Float64Array(m * n);
    W[0 * n + 0] = 1; // neuron 0 stores feature 0
    W[1 * n + 1] = -1; // neuron 1 is negative on feature 1: ReLU kills it
    const b = new Float64Array(n).fill(-0.1);
    const x = Float64Array.from({ length: n }, (_, i) => (i < 2 ? 0.5 : 0));
    const relu = forward("relu-hidden", { W, b }, x, { m, n });
    expect(Array.from(relu.h)).toEqual([0.5, 0, 0, 0, 0]);
    expect(relu.y[0]).toBeCloseTo(0.4, 15);
    expect(Array.from(relu.y.subarray(1))).toEqual(new Array(n - 1).fill(0));
    const linear = forward("linear-hidden", { W, b }, x, { m, n });
    expect(linear.h[1]).toBe(-0.5);
    expect(linear.y[1]).toBeCloseTo(0.4, 15); // (−1)·(−0.5) − 0.1
  });
});

describe("AdamW (src/train/adamw.ts), the update every engine is checked against", () => {
  it("matches two steps worked by hand: decoupled decay, bias-corrected moments", () => {
    // p0 = 2, gradients 0.5 then −1, lr 0.1, weight decay 0.5, β = (0.9, 0.99), ε = 0.
    // t = 1: p = 2·(1 − 0.05) = 1.9; m = 0.05, v = 0.0025; m̂ = 0.5, v̂ = 0.25; p = 1.9 − 0.1·0.5/0.5 = 1.8.
    // t = 2: p = 1.8·0.95 = 1.71; m = −0.055, v = 0.012475; m̂ = −0.055/0.19, v̂ = 0.012475/0.0199;
    //        p = 1.71 + 0.1·(0.055/0.19)/√(0.012475/0.0199) = 1.7465607713…
    const o = { name: "adamw" as const, lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 0, weightDecay: 0.5 };
    const p = Float64Array.of(2);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    adamwStep(p, [0.5], m, v, 1, o);
    expect(p[0]).toBeCloseTo(1.8, 14);
    expect([m[0], v[0]]).toEqual([expect.closeTo(0.05, 14), expect.closeTo(0.0025, 14)]);
    adamwStep(p, [-1], m, v, 2, o);
    expect(p[0]).toBeCloseTo(1.71 + (0.1 * (0.055 / 0.19)) / Math.sqrt(0.012475 / 0.0199), 14);
    expect(p[0]).toBeCloseTo(1.746560771333488, 12);
  });

  it("adds ε to the root of v̂, and decays a parameter with zero gradient only by weight decay", () => {
    const o = { name: "adamw" as const, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
    const p = Float64Array.of(3, -1);
    adamwStep(p, [0, 1e-6], new Float64Array(2), new Float64Array(2), 1, o);
    expect(p[0]).toBe(3 * (1 - 0.01 * 0.01));
    // m̂ = 1e-6, √v̂ = 1e-6: the step is lr·1e-6/(1e-6 + 1e-8) = lr/1.01.
    expect(p[1]).toBeCloseTo(-1 * (1 - 0.0001) - 0.01 / 1.01, 14);
  });
});

describe("config validation (every engine validates before it trains)", () => {
  it("accepts the paper's configuration", () => {
    expect(() => validateConfig(defaultConfig())).not.toThrow();
    expect(() => validateDensity(1)).not.toThrow();
    expect(() => validateDensity(1e-6)).not.toThrow();
  });

  const cases: [string, (c: TrainConfig) => void, RegExp][] = [
    ["zero features", (c) => (c.features = 0), /^config\.features must be an integer in \[1, 512\], got 0$/],
    ["fractional neurons", (c) => (c.neurons = 2.5), /^config\.neurons must be an integer in \[1, 256\], got 2\.5$/],
    ["too many models", (c) => (c.modelsPerLevel = 1_000_001), /^config\.modelsPerLevel must be an integer in \[1, 1000000\]/],
    ["zero steps", (c) => (c.steps = 0), /^config\.steps must be/],
    ["NaN batch", (c) => (c.batchSize = NaN), /^config\.batchSize must be .*got NaN$/],
    ["zero eval samples", (c) => (c.evalSamples = 0), /^config\.evalSamples must be/],
    ["a seed of 2^32", (c) => (c.seed = 2 ** 32), /^config\.seed must be an integer in \[0, 2\^32\), got 4294967296$/],
    ["a negative seed", (c) => (c.seed = -1), /^config\.seed must be/],
    ["importance of the wrong length", (c) => c.importance.pop(), /^config\.importance must hold 10 finite non-negative numbers$/],
    ["a negative importance", (c) => (c.importance[3] = -0.1), /^config\.importance must hold 10/],
    ["an infinite learning rate", (c) => (c.optimizer.lr = Infinity), /^config\.optimizer\.lr must be a finite non-negative number, got Infinity$/],
    ["a negative weight decay", (c) => (c.optimizer.weightDecay = -0.01), /^config\.optimizer\.weightDecay must be/],
    ["beta2 = 1", (c) => (c.optimizer.beta2 = 1), /^config\.optimizer\.beta1 and beta2 must be < 1$/],
    ["per-level steps of 0", (c) => (c.levelSteps = [{ density: 0.01, steps: 0 }]), /^config\.levelSteps \(density 0\.01\) must be an integer in \[1, 4294967295\], got 0$/],
    ["per-level steps at density 0", (c) => (c.levelSteps = [{ density: 0, steps: 5 }]), /^density must be in \(0, 1\], got 0$/],
    ["a density with two per-level step counts", (c) => (c.levelSteps = [{ density: 0.01, steps: 5 }, { density: 0.01, steps: 6 }]), /^config\.levelSteps lists density 0\.01 twice$/],
  ];
  for (const [what, spoil, message] of cases) {
    it(`rejects ${what}`, () => {
      const c = defaultConfig();
      spoil(c);
      expect(() => validateConfig(c)).toThrow(message);
    });
  }

  it("gives each density its steps: its levelSteps entry, else steps; an engine gets a level's steps alone", () => {
    const c = defaultConfig({ steps: 100, levelSteps: [{ density: 0.01, steps: 400 }] });
    expect(() => validateConfig(c)).not.toThrow();
    expect([stepsAt(c, 1), stepsAt(c, 0.01), stepsAt(c, 0.02)]).toEqual([100, 400, 100]);
    expect(levelConfig(c, 0.01)).toEqual({ ...defaultConfig({ steps: 400 }) });
    expect(levelConfig(c, 0.5)).toEqual(defaultConfig({ steps: 100 }));
  });

  it("rejects densities outside (0, 1]", () => {
    for (const d of [0, -0.1, 1.0001, NaN, Infinity]) expect(() => validateDensity(d), String(d)).toThrow(`density must be in (0, 1], got ${d}`);
  });
});
