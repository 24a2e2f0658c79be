import { describe, expect, it } from "vitest";
import { Purpose, SHARED_MODEL, drawSample, initialWeights, levelId, pcg4d, presenceThreshold, streamKey, unitFloat } from "../src/model/rng.ts";
import { xavierStd } from "../src/model/config.ts";

// An independent pcg4d in BigInt arithmetic (mod 2^32), written from the paper's definition, to check
// the Math.imul version bit for bit.
function pcg4dBig(inp: number[]): number[] {
  const M = 0xffffffffn;
  let [x, y, z, w] = inp.map((v) => ((BigInt(v >>> 0) * 1664525n + 1013904223n) & M));
  const mix = () => {
    x = (x + y * w) & M;
    y = (y + z * x) & M;
    z = (z + x * y) & M;
    w = (w + y * z) & M;
  };
  mix();
  [x, y, z, w] = [x, y, z, w].map((v) => v ^ (v >> 16n));
  mix();
  return [x, y, z, w].map(Number);
}

describe("pcg4d", () => {
  it("matches an independent BigInt implementation bit for bit", () => {
    const inputs = [[0, 0, 0, 0], [1, 2, 3, 4], [0xffffffff, 0x80000000, 12345, 0xdeadbeef], [42, 9999, 1023, 7]];
    for (let k = 0; k < 200; k++) inputs.push([k * 2654435761, k, k * k, 0xffffffff - k].map((v) => v >>> 0));
    for (const inp of inputs) {
      const ours = Array.from(pcg4d(inp[0], inp[1], inp[2], inp[3], new Uint32Array(4)));
      expect(ours).toEqual(pcg4dBig(inp));
    }
  });

  it("gives uniform 24-bit floats in [0, 1) with the right moments", () => {
    const N = 200_000;
    let sum = 0, sq = 0, min = 1, max = 0;
    const out = new Uint32Array(4);
    for (let s = 0; s < N / 4; s++) {
      pcg4d(7, 3, s, 11, out);
      for (const u of out) {
        const f = unitFloat(u);
        sum += f;
        sq += f * f;
        min = Math.min(min, f);
        max = Math.max(max, f);
      }
    }
    const mean = sum / N, variance = sq / N - mean * mean;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });
});

describe("stream keys", () => {
  it("identify levels by density value, not position", () => {
    expect(levelId(0.1)).toBe(100000);
    expect(levelId(0.1 + 1e-12)).toBe(levelId(0.1));
    expect(streamKey(0, 0.1, 3, Purpose.train)).toEqual(streamKey(0, 0.1, 3, Purpose.train));
  });

  it("differ across seed, level, model and purpose", () => {
    const keys = new Set<string>();
    for (const seed of [0, 1]) for (const d of [1, 0.5, 0.1]) for (const model of [0, 1, 2, SHARED_MODEL])
      for (const p of [Purpose.init, Purpose.train, Purpose.eval]) {
        const k = streamKey(seed, d, model, p);
        keys.add(`${k.k0}:${k.k1}`);
      }
    expect(keys.size).toBe(2 * 3 * 4 * 3);
  });
});

describe("data stream", () => {
  const key = streamKey(5, 0.3, 2, Purpose.train);

  it("is reproducible and independent of drawing order", () => {
    const thr = presenceThreshold(0.3);
    const forward: number[][] = [];
    for (let s = 0; s < 64; s++) {
      const x = new Float64Array(10);
      drawSample(key, 17, s, thr, x);
      forward.push(Array.from(x));
    }
    for (let s = 63; s >= 0; s--) {
      const x = new Float64Array(10);
      drawSample(key, 17, s, thr, x);
      expect(Array.from(x)).toEqual(forward[s]);
    }
    // Another step draws other data.
    const other = new Float64Array(10);
    drawSample(key, 18, 0, thr, other);
    expect(Array.from(other)).not.toEqual(forward[0]);
  });

  it("has each feature present with probability = density, values uniform on [0, 1)", () => {
    for (const density of [1, 0.5, 0.1, 0.01]) {
      const thr = presenceThreshold(density);
      const N = 40_000, n = 10;
      const present = new Array(n).fill(0);
      let valueSum = 0, values = 0;
      const x = new Float64Array(n);
      for (let s = 0; s < N; s++) {
        drawSample(key, 0, s, thr, x);
        for (let i = 0; i < n; i++) if (x[i] !== 0) (present[i]++, (valueSum += x[i]), values++);
      }
      for (let i = 0; i < n; i++) {
        const rate = present[i] / N;
        const sigma = Math.sqrt((density * (1 - density)) / N);
        expect(Math.abs(rate - density)).toBeLessThanOrEqual(5 * sigma + 1e-12);
      }
      expect(Math.abs(valueSum / values - 0.5)).toBeLessThan(0.02);
    }
  });

  it("draws features independently: within a pair (one hash) and across pairs", () => {
    const density = 0.3;
    const thr = presenceThreshold(density);
    const N = 40_000, n = 10;
    const x = new Float64Array(n);
    const both = { sameHash: 0, otherHash: 0 };
    let valueProduct = 0, bothValues = 0;
    for (let s = 0; s < N; s++) {
      drawSample(key, 3, s, thr, x);
      if (x[0] !== 0 && x[1] !== 0) (both.sameHash++, (valueProduct += x[0] * x[1]), bothValues++); // features 0, 1: pair 0
      if (x[1] !== 0 && x[2] !== 0) both.otherHash++; // features 1, 2: pairs 0 and 1
    }
    const p2 = density * density;
    const sigma = Math.sqrt((p2 * (1 - p2)) / N);
    for (const count of [both.sameHash, both.otherHash]) expect(Math.abs(count / N - p2)).toBeLessThanOrEqual(5 * sigma);
    // Values of two present features are uncorrelated too: E[x0·x1 | both] = 1/4.
    expect(Math.abs(valueProduct / bothValues - 0.25)).toBeLessThan(0.02);
  });

  it("makes presence an integer decision: density 1 keeps every feature", () => {
    expect(presenceThreshold(1)).toBe(0xffffffff);
    expect(presenceThreshold(0.5)).toBe(0x7fffffff);
  });
});

describe("initial weights", () => {
  it("use Xavier's standard deviation √(2 / (fan_in + fan_out))", () => {
    expect(xavierStd({ features: 10, neurons: 5 })).toBeCloseTo(Math.sqrt(2 / 15), 15);
    expect(xavierStd({ features: 40, neurons: 20 })).toBeCloseTo(Math.sqrt(1 / 30), 15);
  });

  it("are Xavier-normal, float32-exact and reproducible", () => {
    const std = Math.sqrt(2 / 15);
    const all: number[] = [];
    for (let model = 0; model < 400; model++) {
      const W = initialWeights(0, 0.1, model, 5, 10, std);
      for (const v of W) {
        expect(Math.fround(v)).toBe(v);
        all.push(v);
      }
    }
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd / std - 1)).toBeLessThan(0.02);
    expect(Array.from(initialWeights(0, 0.1, 7, 5, 10, std))).toEqual(Array.from(initialWeights(0, 0.1, 7, 5, 10, std)));
    expect(Array.from(initialWeights(0, 0.1, 7, 5, 10, std))).not.toEqual(Array.from(initialWeights(1, 0.1, 7, 5, 10, std)));
  });
});
