// The paper's finer claims about two codes (src/analysis/geometry.ts), on hand-made W whose geometry is
// known, and the sentences that quote them (src/site/facts.ts).
import { describe, expect, it } from "vitest";
import { analyse } from "../src/analysis/index.ts";
import { cosine, pairCodes, separatorGeometry, threeInTwoGeometry } from "../src/analysis/geometry.ts";
import { geometricImportance } from "../src/model/config.ts";
import { formatFact, pairCodeFacts, selectionFacts, selectionMethodFacts, threeInTwoFacts } from "../src/site/facts.ts";
import type { Facts } from "../src/site/facts.ts";
import type { DataFile } from "../src/data/schema.ts";
import { eightInFiveWithSeparator, sampleDataFile, sampleDataFileV1 } from "./fixtures.ts";

/** The sample data file with the given best W at each density. */
function withWinners(Ws: { density: number; W: number[][] }[]): DataFile {
  const f = sampleDataFileV1();
  return { ...f, levels: Ws.map(({ density, W }) => ({ density, losses: [0.001], diverged: 0, best: { loss: 0.001, W, b: new Array(10).fill(0) } })) };
}
const text = (facts: Facts) => Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, formatFact(v)]));

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

describe("the facts the article words from them (src/site/facts.ts)", () => {
  it("gives the three-in-two winners' feature on both neurons and the ranges of their cosines", () => {
    const skewed = threeInTwo();
    skewed[4][4] = -0.5;
    const f = text(threeInTwoFacts(withWinners([{ density: 0.3, W: threeInTwo() }, { density: 0.25, W: skewed }])));
    expect(f).toMatchObject({ "relu.threeInTwo.densities": "0.3 and 0.25", "relu.threeInTwo.alike": "yes", "relu.threeInTwo.onBoth": "3", "relu.threeInTwo.details": "" });
    expect(f["relu.threeInTwo.pairCosines"]).toBe(`−1.00 to ${formatFact({ kind: "range", value: [cosine([1, -0.5], [-1, 1]), cosine([1, -0.5], [-1, 1])] })}`);
    // Another shape: the details per winner instead of one range.
    const V = threeInTwo();
    [0, 1, 2].forEach((j) => ((V[j][j] = 0), (V[j][7 + j] = 1)));
    const other = text(threeInTwoFacts(withWinners([{ density: 0.3, W: V }])));
    expect(other["relu.threeInTwo.alike"]).toBe("no");
    expect(other["relu.threeInTwo.details"]).toContain("at density 0.3, features 7, 8 and 9 have neurons of their own");
    expect(text(threeInTwoFacts(withWinners([{ density: 1, W: zeros().map((r, j) => r.map((_, i) => (i === j ? 1 : 0))) }])))["relu.threeInTwo.densities"]).toBe("");
  });

  it("gives where the feature-pair winners use distinct pairs, and which features share one", () => {
    const W = zeros();
    const pairs: [number, number][] = [];
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) pairs.push([a, b]);
    pairs.forEach(([a, b], i) => ((W[a][i] = 1), (W[b][i] = 1)));
    const R = W.map((r) => [...r]);
    R[3][9] = 0; R[4][9] = 0; R[0][9] = 1; R[1][9] = 1;
    expect(text(pairCodeFacts(withWinners([{ density: 0.02, W }, { density: 0.01, W: R }])))).toEqual({
      "relu.pairs.densities": "0.02 and 0.01",
      "relu.pairs.distinctAt": "0.02",
      "relu.pairs.reusedAt": "0.01",
      "relu.pairs.reused": "at 0.01, features 0 and 9 share n0 and n1",
      "relu.pairs.possible": "10",
    });
  });

  it("gives how the winners were chosen, and NaN for what a schema-1 file lacks", () => {
    expect(text(selectionMethodFacts("relu", sampleDataFile()))).toEqual({ "relu.stage1Z": "3", "relu.stage1Min": "32", "relu.stage2DrawsMin": "4.2", "relu.stage2DrawsMax": "4.2" });
    expect(text(selectionMethodFacts("linear", sampleDataFileV1()))["linear.stage1Z"]).toBe("NaN");
    expect(text(selectionFacts("relu", sampleDataFile()))).toMatchObject({ "relu.hasSelection": "yes", "relu.ties": "0.1", "relu.overturned": "0.1", "relu.hasDiagnostics": "no" });
    expect(text(selectionFacts("relu", sampleDataFileV1()))).toMatchObject({ "relu.hasSelection": "no", "relu.ties": "", "relu.overturned": "" });
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

const eightInFive = eightInFiveWithSeparator;

describe("a separator neuron (six in four, eight in five)", () => {
  it("finds the neuron that separates important from unimportant features, and the codes on either side", () => {
    const W = eightInFive();
    const a = analyse(W, null, { importance });
    expect(a.regime.id).toBe("eight-in-five");
    const g = separatorGeometry(a, W)!;
    expect(g).toMatchObject({
      neuron: 1, blockNeurons: [0, 1, 2, 3, 4], negative: [0, 1, 2, 3], positive: [4, 5, 6, 7], byImportance: true,
      negativeWeights: [-0.7, -0.7], positiveWeights: [0.67, 0.67], negativeCodeSizes: [3, 3, 3, 3],
      silencers: [0, 2, 3, 4], leaveOneOut: true, partners: [0, 2, 3, 4], pairsWithSeparator: true,
    });
  });

  it("finds it in six in four (the best-of-1000 model 390 at density 0.13, rounded)", () => {
    const W = [
      [0.01, -0.65, -0.73, -0.72, 0.81, 0.77, 0.73, 0.07, 0.07, 0.08],
      [0.02, 0.7, 0.69, -1.17, 0.79, -0.23, -0.14, 0.01, 0.02, 0.02],
      [0.01, -1.76, 0.67, 0.66, -0.21, -0.16, 0.84, 0.03, 0.04, 0.05],
      [0.01, 0.69, -1.42, 0.68, -0.26, 0.8, -0.1, 0.03, 0.02, 0.03],
      [1.01, -0.01, -0.01, -0.01, -0.01, -0.02, -0.01, 0, 0, 0],
    ];
    const a = analyse(W, null, { importance });
    expect(a.regime.id).toBe("six-in-four");
    expect(separatorGeometry(a, W)).toMatchObject({
      neuron: 0, blockNeurons: [0, 1, 2, 3], negative: [1, 2, 3], positive: [4, 5, 6], byImportance: true,
      negativeWeights: [-0.73, -0.65], positiveWeights: [0.73, 0.81],
      silencers: [2, 3, 1], leaveOneOut: true, partners: [1, 3, 2], pairsWithSeparator: true,
    });
  });

  it("measures what is there when the codes differ, and is null without a separator", () => {
    const W = eightInFive();
    W[2][4] = 0.9; // feature 4 now on neurons 1, 0 and 2: no longer separator + one
    W[0][1] = -2.4; // feature 1 silenced by two neurons
    const g = separatorGeometry(analyse(W, null, { importance }), W)!;
    expect(g.partners[0]).toBeNull();
    expect(g.pairsWithSeparator).toBe(false);
    expect(g.silencers[1]).toBeNull();
    expect(g.leaveOneOut).toBe(false);
    // Distinct silencers, but feature 0 missing from one of the neurons it should be on.
    const U = eightInFive();
    U[2][0] = 0;
    const gu = separatorGeometry(analyse(U, null, { importance }), U)!;
    expect(gu.silencers).toEqual([0, 2, 3, 4]);
    expect(gu.negativeCodeSizes).toEqual([2, 3, 3, 3]);
    expect(gu.leaveOneOut).toBe(false);
    // An unimportant feature negative on the separator and an important one positive: the neuron still
    // splits the block in two, but not by importance (as in the trained winners at 0.04–0.08).
    const V = eightInFive();
    V[1][3] = 0.67; V[1][4] = -0.7;
    expect(separatorGeometry(analyse(V, null, { importance }), V)).toMatchObject({ neuron: 1, negative: [0, 1, 2, 4], positive: [3, 5, 6, 7], byImportance: false });
    // No neuron negative on two of the block's features: no split at all.
    const X = eightInFive();
    [0, 1, 2, 3].forEach((i) => ((X[1][i] = 0), [0, 2, 3, 4].forEach((k) => X[k][i] < 0 && (X[k][i] = 0))));
    expect(separatorGeometry(analyse(X, null, { importance }), X)).toBeNull();
    // Three in two: no block of four neurons.
    expect(separatorGeometry(analyse(threeInTwo(), null, { importance }), threeInTwo())).toBeNull();
  });
});
