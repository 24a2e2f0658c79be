// The paper's finer claims about two codes (src/analysis/geometry.ts), on hand-made W whose geometry is
// known, and the sentences that quote them (src/site/facts.ts).
import { describe, expect, it } from "vitest";
import { analyse } from "../src/analysis/index.ts";
import { cosine, pairCodes, threeInTwoGeometry } from "../src/analysis/geometry.ts";
import { geometricImportance } from "../src/model/config.ts";

const importance = geometricImportance(10);
const zeros = () => Array.from({ length: 5 }, () => new Array(10).fill(0));

/** Three in two as the paper describes it: features 0–2 on neurons 0–2; features 3, 4, 5 on neurons 3
 *  and 4 — feature 3 on both (0.7, 0.7), features 4 and 5 antipodal in those two neurons: (1, −1) and
 *  (−1, 1), orthogonal to (0.7, 0.7). */
function threeInTwo(): number[][] {
  const W = zeros();
  [0, 1, 2].forEach((i) => (W[i][i] = 1));
  W[3][3] = 0.7; W[4][3] = 0.7;
  W[3][4] = 1; W[4][4] = -1;
  W[3][5] = -1; W[4][5] = 1;
  return W;
}

describe("three features in two neurons", () => {
  it("finds the dedicated and shared features, the one on both neurons, and the cosines", () => {
    const W = threeInTwo();
    const a = analyse(W, null, { importance });
    expect(a.regime.id).toBe("three-in-two");
    const g = threeInTwoGeometry(a, W)!;
    expect(g).toMatchObject({ dedicated: [0, 1, 2], dedicatedAreTopThree: true, neurons: [3, 4], shared: [3, 4, 5], sharedAreNextThree: true, onBoth: 3, pair: [4, 5] });
    expect(g.pairCosine).toBeCloseTo(-1, 12);
    expect(g.onBothCosines![0]).toBeCloseTo(0, 12);
    expect(g.onBothCosines![1]).toBeCloseTo(0, 12);
  });

  it("measures what is there when the shape differs: a skewed pair, other features dedicated", () => {
    const W = threeInTwo();
    W[4][4] = -0.5; // the pair no longer antipodal: (1, −0.5) against (−1, 1)
    const g = threeInTwoGeometry(analyse(W, null, { importance }), W)!;
    expect(g.pairCosine).toBeCloseTo(cosine([1, -0.5], [-1, 1]), 12);
    expect(g.pairCosine).toBeGreaterThan(-0.99);
    // Features 7, 8 and 9 own the neurons instead of 0, 1 and 2 (which are dropped).
    const V = threeInTwo();
    [0, 1, 2].forEach((j) => ((V[j][j] = 0), (V[j][7 + j] = 1)));
    const gv = threeInTwoGeometry(analyse(V, null, { importance }), V)!;
    expect(gv.dedicated).toEqual([7, 8, 9]);
    expect(gv.dedicatedAreTopThree).toBe(false);
    expect(gv.sharedAreNextThree).toBe(true);
  });

  it("is null for a model of another regime", () => {
    const W = zeros();
    [0, 1, 2, 3, 4].forEach((i) => (W[i][i] = 1));
    expect(threeInTwoGeometry(analyse(W, null, { importance }), W)).toBeNull();
  });
});

describe("feature pairs", () => {
  it("counts the distinct pairs the features use, and names a pair used twice", () => {
    const W = zeros();
    const pairs: [number, number][] = [];
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) pairs.push([a, b]);
    pairs.forEach(([a, b], i) => ((W[a][i] = 1), (W[b][i] = 1)));
    const all = pairCodes(analyse(W, null, { importance }));
    expect(all).toEqual({ pairFeatures: 10, distinctPairs: 10, possiblePairs: 10, reused: [] });
    // Feature 9 moved onto feature 0's pair (neurons 0 and 1).
    W[3][9] = 0; W[4][9] = 0; W[0][9] = 1; W[1][9] = 1;
    const reused = pairCodes(analyse(W, null, { importance }));
    expect(reused).toMatchObject({ pairFeatures: 10, distinctPairs: 9, reused: [{ pair: "0-1", features: [0, 9] }] });
  });
});

describe("cosine", () => {
  it("is the plain cosine, NaN for a zero vector", () => {
    expect(cosine([1, 0], [0, 2])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 15);
    expect(cosine([0, 0], [1, 2])).toBeNaN();
  });
});
