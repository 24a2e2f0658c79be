import { describe, expect, it } from "vitest";
import {
  DEFAULT_DROP_THRESHOLD,
  DEFAULT_STORE_THRESHOLD,
  REGIME_PHRASES,
  analyse,
  applyOrder,
  canonicalNeuronOrder,
  classifyRegime,
  droppedFeatures,
  featureCodes,
  featureNorms,
  featureSuperposition,
  neuronFeatures,
  neuronRoles,
  permute,
  polysemanticBlocks,
  representedFeatures,
} from "../src/analysis/index.ts";
import type { Analysis, RegimeId } from "../src/analysis/index.ts";

/** An m×n W, zero except the listed cells [neuron j, feature i, weight]. */
function build(m: number, n: number, cells: [number, number, number][]): number[][] {
  const W = Array.from({ length: m }, () => new Array<number>(n).fill(0));
  for (const [j, i, w] of cells) W[j][i] = w;
  return W;
}

/** Every permutation of 0…k−1. */
function permutations(k: number): number[][] {
  if (k === 0) return [[]];
  return permutations(k - 1).flatMap((p) => Array.from({ length: k }, (_, pos) => [...p.slice(0, pos), k - 1, ...p.slice(pos)]));
}

/** W shown in canonical order. */
function canonical(W: number[][], importance?: number[]): number[][] {
  return applyOrder(W, analyse(W, null, { importance }).order);
}

// ---------------------------------------------------------------------------------------------
// Fixtures: one hand-made W (5 neurons × 10 features) per regime shape, with the kind of clutter a
// trained model has (negative weights that suppress interference, small stray weights, tiny norms
// for dropped features), and the rows deliberately NOT in canonical order.

// Features 0–4 each on a neuron of their own (neuron = 4 − feature); 5–9 dropped with tiny norms.
const ALL_MONO = build(5, 10, [
  [4, 0, 1.0], [3, 1, 0.98], [2, 2, 0.95], [1, 3, 0.9], [0, 4, 0.85],
  [0, 1, -0.3], [2, 4, -0.25], [1, 0, 0.1], // clutter: negatives and a weight below τ·max
  [0, 5, 0.01], [3, 7, -0.02], [4, 9, 0.015],
]);

// Neurons 1,0,2 own features 0,1,2; neurons 3,4 code features 3,4,5 as a "triangle" with positive
// weights, as (neuron 3, neuron 4): feature 3 → (−0.5, 1), 4 → (1, −0.5), 5 → (0.7, 0.7).
const THREE_IN_TWO = build(5, 10, [
  [1, 0, 1.0], [0, 1, 1.0], [2, 2, 1.0],
  [4, 3, 1.0], [3, 3, -0.5],
  [4, 4, -0.5], [3, 4, 1.0],
  [4, 5, 0.7], [3, 5, 0.7],
]);

// Neurons 0,1 own features 0,1; neurons 2,3,4 code features 2–6: 2{2}, 3{3}, 4{4}, 5{2,3}, 6{3,4}.
const FIVE_IN_THREE = build(5, 10, [
  [0, 0, 1.0], [1, 1, 1.0],
  [2, 2, 1.0], [3, 3, 1.0], [4, 4, 1.0],
  [2, 5, 0.6], [3, 5, 0.6], [4, 5, -0.4],
  [3, 6, 0.6], [4, 6, 0.6], [2, 6, -0.4],
]);

// Neuron 0 owns feature 0; neurons 1–4 code features 1–6: 5{1,2}, 6{2,3,4}.
const SIX_IN_FOUR = build(5, 10, [
  [0, 0, 1.0],
  [1, 1, 1.0], [2, 2, 1.0], [3, 3, 1.0], [4, 4, 1.0],
  [1, 5, 0.6], [2, 5, 0.6],
  [2, 6, 0.5], [3, 6, 0.5], [4, 6, 0.5],
]);

// No monosemantic neuron; features 0–7 in neurons 0–4: 5{0,1}, 6{1,2}, 7{2,3,4}.
const EIGHT_IN_FIVE = build(5, 10, [
  [0, 0, 1.0], [1, 1, 1.0], [2, 2, 1.0], [3, 3, 1.0], [4, 4, 1.0],
  [0, 5, 0.6], [1, 5, 0.6],
  [1, 6, 0.6], [2, 6, 0.6],
  [2, 7, 0.5], [3, 7, 0.5], [4, 7, 0.5],
  [3, 8, 0.05], [0, 9, -0.03],
]);

// Features 0–9 on the 10 pairs of 5 neurons (+0.7 on each of the pair, −0.2 on the other three).
const PAIRS: [number, number][] = [];
for (let a = 0; a < 5; a++) for (let c = a + 1; c < 5; c++) PAIRS.push([a, c]);
const FEATURE_PAIRS = build(
  5,
  10,
  PAIRS.flatMap(([a, c], i) => [0, 1, 2, 3, 4].map((j): [number, number, number] => [j, i, j === a || j === c ? 0.7 : -0.2])),
);

// Neuron 2 owns feature 0; neurons 0,1 and neurons 3,4 are two separate three-in-two triangles
// (features 1,2,3 and 4,5,6).
const TWO_TRIANGLES = build(5, 10, [
  [2, 0, 1.0],
  [0, 1, 1.0], [1, 2, 1.0], [0, 3, 0.7], [1, 3, 0.7],
  [3, 4, 1.0], [4, 5, 1.0], [3, 6, 0.7], [4, 6, 0.7],
]);

const FIXTURES: { name: string; W: number[][]; id: RegimeId }[] = [
  { name: "all-monosemantic", W: ALL_MONO, id: "all-monosemantic" },
  { name: "three-in-two", W: THREE_IN_TWO, id: "three-in-two" },
  { name: "five-in-three", W: FIVE_IN_THREE, id: "five-in-three" },
  { name: "six-in-four", W: SIX_IN_FOUR, id: "six-in-four" },
  { name: "eight-in-five", W: EIGHT_IN_FIVE, id: "eight-in-five" },
  { name: "feature-pairs", W: FEATURE_PAIRS, id: "feature-pairs" },
  { name: "two separate triangles", W: TWO_TRIANGLES, id: "unlabelled" },
];

function countsOf(a: Analysis) {
  const c = a.counts;
  return {
    represented: c.represented,
    dropped: c.dropped,
    monosemantic: c.monosemantic,
    polysemantic: c.polysemantic,
    dead: c.dead,
    blockFeatures: c.blockFeatures,
    blockNeurons: c.blockNeurons,
    blocks: c.blocks,
  };
}

describe("feature norms and superposition", () => {
  it("matches a hand calculation", () => {
    // Columns: W_0 = (1, 0), W_1 = (0.6, 0.8), W_2 = (0, 2), W_3 = 0.
    const W = [
      [1, 0.6, 0, 0],
      [0, 0.8, 2, 0],
    ];
    const norms = featureNorms(W);
    [1, 1, 2, 0].forEach((v, i) => expect(norms[i]).toBeCloseTo(v, 12));
    const s = featureSuperposition(W);
    // Ŵ_0 = (1,0): (0.6)² + 0² = 0.36.  Ŵ_1 = (0.6,0.8): (0.6)² + (1.6)² = 2.92.
    // Ŵ_2 = (0,1): 0² + (0.8)² = 0.64.   W_3 = 0: no direction → 0.
    [0.36, 2.92, 0.64, 0].forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
  });

  it("is 0 for orthogonal features and 1 each for two identical unit features", () => {
    expect(featureSuperposition([[1, 0], [0, 1]])).toEqual([0, 0]);
    const s = featureSuperposition([[0.6, 0.6, 0], [0.8, 0.8, 0]]);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(1, 12);
    expect(s[2]).toBe(0);
  });

  it("is 0 for every feature with a neuron of its own and > 0 inside a polysemantic block", () => {
    const s = featureSuperposition(THREE_IN_TWO);
    for (const i of [0, 1, 2]) expect(s[i]).toBe(0);
    for (const i of [3, 4, 5]) expect(s[i]).toBeGreaterThan(0.2);
    // Hand calculation for feature 5: Ŵ_5 = (1,1)/√2 over neurons 3,4; W_3 = (−0.5, 1), W_4 = (1, −0.5).
    expect(s[5]).toBeCloseTo(2 * (0.5 / Math.SQRT2) ** 2, 12);
  });
});

describe("thresholds: storage, codes, dropped features", () => {
  it("uses the documented defaults", () => {
    expect(DEFAULT_STORE_THRESHOLD).toBe(0.3);
    expect(DEFAULT_DROP_THRESHOLD).toBe(0.2);
    const a = analyse(ALL_MONO);
    expect(a.thresholds.store).toBe(0.3);
    expect(a.thresholds.storeWeight).toBeCloseTo(0.3, 12); // τ · max⁺W = 0.3 · 1.0
  });

  it("counts only weights strictly above τ·max⁺W, and only positive ones", () => {
    // max|W| = 1, so τ·max = 0.25 with τ = 0.25 (exact in binary): 0.25 does not count, 0.26 does, −0.9 never.
    const W = build(3, 3, [[0, 0, 1], [1, 0, 0.25], [2, 0, 0.26], [1, 1, 0.8], [2, 1, -0.9], [2, 2, 0.5]]);
    const codes = featureCodes(W, { storeThreshold: 0.25 });
    expect(codes).toEqual([[0, 2], [1], [2]]);
    expect(neuronFeatures(W, { storeThreshold: 0.25 })).toEqual([[0], [1], [0, 2]]);
    expect(neuronRoles(W, { storeThreshold: 0.25 })).toEqual(["monosemantic", "monosemantic", "polysemantic"]);
  });

  it("the options override the store threshold", () => {
    // The stray 0.1 weight of neuron 1 on feature 0 counts once τ < 0.1.
    expect(neuronRoles(ALL_MONO)).toEqual(Array(5).fill("monosemantic"));
    expect(neuronRoles(ALL_MONO, { storeThreshold: 0.05 })[1]).toBe("polysemantic");
    expect(analyse(ALL_MONO, null, { storeThreshold: 0.05 }).regime.id).not.toBe("all-monosemantic");
  });

  it("drops zero columns, short columns and columns with no clearly positive weight", () => {
    const W = build(3, 5, [
      [0, 0, 1.0],
      [1, 1, 0.15], // norm 0.15 < 0.2 · 1.0: small-norm
      // positive part long enough (‖(0.25, 0.25)‖ = 0.35), but no weight above τ·max = 0.3: no-positive-weight
      [2, 2, -0.9], [1, 2, 0.25], [0, 2, 0.25],
      [2, 3, 0.5],
      // feature 4: zero column
    ]);
    const a = analyse(W);
    expect(a.dropped).toEqual([1, 2, 4]);
    expect(a.represented).toEqual([0, 3]);
    expect(a.dropReasons).toEqual([null, "small-norm", "no-positive-weight", null, "small-norm"]);
    expect(a.codes).toEqual([[0], [], [], [2], []]);
    expect(a.superposition[4]).toBe(0);
    expect(droppedFeatures(W)).toEqual([1, 2, 4]);
    expect(representedFeatures(W)).toEqual([0, 3]);
    // Lower thresholds keep features 1 and 2 (their weights 0.15 and 0.25 clear τ·max = 0.1).
    expect(droppedFeatures(W, { dropThreshold: 0.1, storeThreshold: 0.1 })).toEqual([4]);
  });

  it("a short feature's stray weight above τ does not make its neuron store it", () => {
    const W = [
      [1.0, 0.25, 0],
      [1.0, 0, 0],
      [1.0, 0, 1.0],
    ];
    // max|W| = 1 → weight threshold 0.2 (0.25 clears it); max norm = √3 → norm threshold 0.346 (0.25 misses it).
    const a = analyse(W);
    expect(a.dropReasons[1]).toBe("small-norm");
    expect(a.neuronFeatures[0]).toEqual([0]);
    expect(a.codes).toEqual([[0, 1, 2], [], [2]]);
    expect(a.roles).toEqual(["monosemantic", "monosemantic", "polysemantic"]);
  });

  it("rejects bad input", () => {
    expect(() => analyse([])).toThrow(/at least one row/);
    expect(() => analyse([[1, 2], [3]])).toThrow(/row 1/);
    expect(() => analyse([[1, Number.NaN]])).toThrow(/not finite/);
    expect(() => analyse([[1, 2]], [0])).toThrow(/b has 1/);
    expect(() => analyse([[1, 2]], null, { storeThreshold: 1 })).toThrow(/storeThreshold/);
    expect(() => analyse([[1, 2]], null, { dropThreshold: -0.1 })).toThrow(/dropThreshold/);
    expect(() => analyse([[1, 2]], null, { importance: [1] })).toThrow(/importance/);
  });
});

describe("regime labels on hand-made W", () => {
  it("all-monosemantic: five features with a neuron each, five dropped", () => {
    const a = analyse(ALL_MONO);
    expect(a.regime.id).toBe("all-monosemantic");
    expect(a.regime.phrase).toBe("all neurons monosemantic");
    expect(countsOf(a)).toEqual({ represented: 5, dropped: 5, monosemantic: 5, polysemantic: 0, dead: 0, blockFeatures: 0, blockNeurons: 0, blocks: 0 });
    expect(a.dropped).toEqual([5, 6, 7, 8, 9]);
    expect(a.codes.slice(0, 5)).toEqual([[4], [3], [2], [1], [0]]);
    expect(a.featureKinds.slice(0, 5)).toEqual(Array(5).fill("own-neuron"));
  });

  it("three-in-two: three monosemantic neurons and a pair coding three features", () => {
    const a = analyse(THREE_IN_TWO);
    expect(a.regime.id).toBe("three-in-two");
    expect(a.regime.phrase).toBe("three features share two neurons");
    expect(countsOf(a)).toEqual({ represented: 6, dropped: 4, monosemantic: 3, polysemantic: 2, dead: 0, blockFeatures: 3, blockNeurons: 2, blocks: 1 });
    expect(a.codes.slice(0, 6)).toEqual([[1], [0], [2], [4], [3], [3, 4]]);
    expect(a.blocks).toEqual([{ neurons: [3, 4], features: [3, 4, 5] }]);
  });

  it("five-in-three", () => {
    const a = analyse(FIVE_IN_THREE);
    expect(a.regime.id).toBe("five-in-three");
    expect(a.regime.phrase).toBe("five features in three neurons");
    expect(countsOf(a)).toEqual({ represented: 7, dropped: 3, monosemantic: 2, polysemantic: 3, dead: 0, blockFeatures: 5, blockNeurons: 3, blocks: 1 });
  });

  it("six-in-four", () => {
    const a = analyse(SIX_IN_FOUR);
    expect(a.regime.id).toBe("six-in-four");
    expect(a.regime.phrase).toBe("six features in four neurons");
    expect(countsOf(a)).toEqual({ represented: 7, dropped: 3, monosemantic: 1, polysemantic: 4, dead: 0, blockFeatures: 6, blockNeurons: 4, blocks: 1 });
  });

  it("eight-in-five: eight features, every neuron polysemantic", () => {
    const a = analyse(EIGHT_IN_FIVE);
    expect(a.regime.id).toBe("eight-in-five");
    expect(a.regime.phrase).toBe("eight features in five neurons, all polysemantic");
    expect(countsOf(a)).toEqual({ represented: 8, dropped: 2, monosemantic: 0, polysemantic: 5, dead: 0, blockFeatures: 8, blockNeurons: 5, blocks: 1 });
  });

  it("feature-pairs: every feature coded by exactly two neurons", () => {
    const a = analyse(FEATURE_PAIRS);
    expect(a.regime.id).toBe("feature-pairs");
    expect(a.regime.phrase).toBe("features are pairs of neurons");
    expect(a.codes).toEqual(PAIRS);
    expect(a.counts.pairCodedFeatures).toBe(10);
    expect(countsOf(a)).toEqual({ represented: 10, dropped: 0, monosemantic: 0, polysemantic: 5, dead: 0, blockFeatures: 10, blockNeurons: 5, blocks: 1 });
  });

  it("feature-pairs also with only some features kept", () => {
    // Features 0–5 on pairs (0,1),(0,2),(1,2),(2,3),(3,4),(1,4); 6–9 dropped.
    const pairs = [[0, 1], [0, 2], [1, 2], [2, 3], [3, 4], [1, 4]];
    const W = build(5, 10, pairs.flatMap(([a, c], i): [number, number, number][] => [[a, i, 0.7], [c, i, 0.7]]));
    const a = analyse(W);
    expect(a.regime.id).toBe("feature-pairs");
    expect(a.counts.represented).toBe(6);
    expect(a.counts.dropped).toBe(4);
  });

  it("a feature spread over two dedicated neurons is neither all-monosemantic nor feature-pairs", () => {
    // Feature 0 on neurons 0 and 1, nothing else on them; features 1–3 on neurons 2–4.
    const W = build(5, 4, [[0, 0, 0.7], [1, 0, 0.7], [2, 1, 1], [3, 2, 1], [4, 3, 1]]);
    const r = analyse(W).regime;
    expect(r.id).toBe("unlabelled");
    expect(r.phrase).toBe("unlabelled: 4 features in 5 neurons, 5 monosemantic neurons; 3 features on one neuron, 1 on two neurons; 4 distinct codes");
    expect(r.reason).toMatch(/feature 0 is coded by several neurons including a monosemantic one/);
    expect(r.counts.irregularFeatures).toBe(1);
  });

  it("pairs of dedicated neurons (no polysemantic neuron) are not feature-pairs", () => {
    // Feature 0 on neurons 0,1 and feature 1 on neurons 2,3, nothing else: every code has 2 neurons,
    // but no neuron is shared, so there is no superposition to speak of.
    const W = build(5, 4, [[0, 0, 0.7], [1, 0, 0.7], [2, 1, 0.7], [3, 1, 0.7]]);
    const a = analyse(W);
    expect(a.counts.pairCodedFeatures).toBe(2);
    expect(a.counts.polysemantic).toBe(0);
    expect(a.regime.id).toBe("unlabelled");
    expect(a.regime.phrase).toBe("unlabelled: 2 features in 5 neurons, 4 monosemantic neurons, 1 dead neuron; 2 features on two neurons; 2 distinct codes");
  });

  it("unlabelled: two separate three-in-two blocks are not 'six features in four neurons'", () => {
    const a = analyse(TWO_TRIANGLES);
    expect(a.regime.id).toBe("unlabelled");
    expect(a.regime.phrase).toBe("unlabelled: 7 features in 5 neurons, 1 monosemantic neuron; 5 features on one neuron, 2 on two neurons; 7 distinct codes");
    expect(a.regime.reason).toMatch(/2 separate blocks/);
    expect(countsOf(a)).toEqual({ represented: 7, dropped: 3, monosemantic: 1, polysemantic: 4, dead: 0, blockFeatures: 6, blockNeurons: 4, blocks: 2 });
    expect(a.blocks).toEqual([
      { neurons: [0, 1], features: [1, 2, 3] },
      { neurons: [3, 4], features: [4, 5, 6] },
    ]);
  });

  it("unlabelled: a block shape the paper does not name", () => {
    // Neurons 0,1 own features 0,1; neurons 2,3,4 code four features: 2,3,4 and 5{2,3,4}.
    const W = build(5, 10, [[0, 0, 1], [1, 1, 1], [2, 2, 1], [3, 3, 1], [4, 4, 1], [2, 5, 0.6], [3, 5, 0.6], [4, 5, 0.6]]);
    const r = analyse(W).regime;
    expect(r.id).toBe("unlabelled");
    expect(r.phrase).toBe("unlabelled: 6 features in 5 neurons, 2 monosemantic neurons; 5 features on one neuron, 1 on three neurons; 6 distinct codes");
    expect(r.reason).toMatch(/4 features in 3 neurons/);
    expect(r.counts.blockFeatures).toBe(4);
    expect(r.counts.blockNeurons).toBe(3);
  });

  it("unlabelled: a feature on both a monosemantic and a polysemantic neuron", () => {
    // Neuron 0 stores only feature 1; give polysemantic neuron 3 a clear weight on feature 1 too.
    const W = structuredClone(THREE_IN_TWO);
    W[3][1] = 0.6;
    const a = analyse(W);
    expect(a.codes[1]).toEqual([0, 3]);
    expect(a.featureKinds[1]).toBe("irregular");
    expect(a.regime.id).toBe("unlabelled");
    expect(a.regime.reason).toMatch(/feature 1 /);
  });

  it("unlabelled: eight-in-five needs every neuron polysemantic", () => {
    // The EIGHT_IN_FIVE block plus a sixth neuron owning feature 8.
    const W = [...structuredClone(EIGHT_IN_FIVE), build(1, 10, [[0, 8, 1]])[0]];
    W[3][8] = 0; // drop the stray weight so neuron 5 owns feature 8 alone
    const a = analyse(W);
    expect(a.counts.blockFeatures).toBe(8);
    expect(a.counts.blockNeurons).toBe(5);
    expect(a.counts.monosemantic).toBe(1);
    expect(a.regime.id).toBe("unlabelled");
    expect(a.regime.phrase).toBe("unlabelled: 9 features in 6 neurons, 1 monosemantic neuron; 6 features on one neuron, 2 on two neurons, 1 on three neurons; 9 distinct codes");
  });

  it("dead neurons: allowed in all-monosemantic, not in a k-in-j shape", () => {
    const mono = build(5, 10, [[0, 0, 1], [1, 1, 1], [2, 2, 1], [3, 3, 1], [4, 0, -0.5]]);
    const a = analyse(mono);
    expect(a.roles[4]).toBe("dead");
    expect(a.regime.id).toBe("all-monosemantic");
    expect(a.counts.dead).toBe(1);

    const W = structuredClone(THREE_IN_TWO);
    W[2] = new Array(10).fill(0); // neuron 2 (owner of feature 2) dies
    const r = analyse(W).regime;
    expect(r.id).toBe("unlabelled");
    expect(r.phrase).toBe("unlabelled: 5 features in 5 neurons, 2 monosemantic neurons, 1 dead neuron; 4 features on one neuron, 1 on two neurons; 5 distinct codes");
    expect(r.reason).toMatch(/1 neuron is dead/);
  });

  it("an all-zero W represents nothing", () => {
    const a = analyse(build(5, 10, []));
    expect(a.regime.id).toBe("unlabelled");
    expect(a.regime.phrase).toBe("unlabelled: 0 features in 5 neurons, no monosemantic neuron, 5 dead neurons; no feature represented; 0 distinct codes");
    expect(a.dropped).toHaveLength(10);
    expect(a.roles).toEqual(Array(5).fill("dead"));
    expect(a.superposition).toEqual(Array(10).fill(0));
  });

  it("classifyRegime works from codes alone, and every named id has the paper's phrase", () => {
    expect(classifyRegime([[0], [1], [1, 0]], 2).id).toBe("three-in-two");
    expect(classifyRegime([[0, 1], [1, 2], [0, 2]], 3).id).toBe("feature-pairs");
    expect(polysemanticBlocks([[0], [1], [1, 0]], 2)).toEqual([{ neurons: [0, 1], features: [0, 1, 2] }]);
    for (const f of FIXTURES) {
      const r = analyse(f.W).regime;
      expect(r.id, f.name).toBe(f.id);
      if (r.id !== "unlabelled") expect(r.phrase).toBe(REGIME_PHRASES[r.id]);
    }
  });

  it("calls features pairs only when polysemantic neurons outnumber monosemantic ones", () => {
    // Two features share neurons 0 and 1; feature 2 is coded by two neurons of its own (2 and 3, each
    // monosemantic): 2 polysemantic = 2 monosemantic, so not the paper's pairs.
    expect(classifyRegime([[0, 1], [0, 1], [2, 3]], 4).id).not.toBe("feature-pairs");
    // One more polysemantic neuron than monosemantic ones: pairs.
    expect(classifyRegime([[0, 1], [0, 2], [1, 2], [3, 4]], 5).id).toBe("feature-pairs");
  });

  it("drops a feature whose positive weights are short even when a large negative weight makes its norm long", () => {
    // Feature 2: −3 on neuron 0 (silences it) and 0.32 on neuron 1, just above τ·max⁺W = 0.3, so neuron 1
    // stores it; but ‖W₂⁺‖ = 0.32 < δ·max‖Wₖ⁺‖ = 0.2·√3 ≈ 0.346, while its whole norm ≈ 3.02 is the largest.
    const W = [
      [1, 0, -3],
      [1, 0, 0.32],
      [1, 0, 0],
      [0, 1, 0],
    ];
    const a = analyse(W);
    expect(a.dropped).toContain(2);
    expect(a.codes[2]).toEqual([]); // a dropped feature has no code
    expect(a.dropped).not.toContain(0);
  });

  it("the label does not depend on the feature scale", () => {
    for (const f of FIXTURES) {
      const scaled = f.W.map((row) => row.map((w) => 3.7 * w));
      expect(analyse(scaled).regime.id, f.name).toBe(f.id);
    }
  });
});

describe("canonical neuron order", () => {
  it("puts monosemantic neurons first by feature importance, then polysemantic by their features", () => {
    expect(canonicalNeuronOrder(ALL_MONO)).toEqual([4, 3, 2, 1, 0]);
    // Mono: neuron 1 (f0), 0 (f1), 2 (f2); poly: neuron 4 {3,5} before neuron 3 {4,5}.
    expect(canonicalNeuronOrder(THREE_IN_TWO)).toEqual([1, 0, 2, 4, 3]);
    // Two triangles: mono neuron 2 (f0); blocks {1,3} (neuron 0), {2,3} (neuron 1), {4,6}, {5,6}.
    expect(canonicalNeuronOrder(TWO_TRIANGLES)).toEqual([2, 0, 1, 3, 4]);
    // Pairs: neuron 0 {0,1,2,3}, 1 {0,4,5,6}, 2 {1,4,7,8}, 3 {2,5,7,9}, 4 {3,6,8,9}.
    expect(canonicalNeuronOrder(FEATURE_PAIRS)).toEqual([0, 1, 2, 3, 4]);
  });

  it("a prefix list comes before its extension; dead neurons come last", () => {
    const W = build(4, 4, [[0, 0, 1], [0, 1, 1], [0, 2, 1], [2, 0, 1], [2, 1, 1], [3, 3, 1]]);
    // neuron 0 {0,1,2}, neuron 1 dead, neuron 2 {0,1}, neuron 3 {3} (monosemantic)
    expect(canonicalNeuronOrder(W)).toEqual([3, 2, 0, 1]);
  });

  it("follows the given importance instead of the index", () => {
    // Reversed importance: of the represented features 0–4, feature 4 is now the most important,
    // so ALL_MONO's neuron 0 (owner of feature 4) comes first.
    const importance = Array.from({ length: 10 }, (_, i) => i);
    expect(canonicalNeuronOrder(ALL_MONO, { importance })).toEqual([0, 1, 2, 3, 4]);
    const paper = Array.from({ length: 10 }, (_, i) => 0.75 ** i);
    expect(canonicalNeuronOrder(THREE_IN_TWO, { importance: paper })).toEqual(canonicalNeuronOrder(THREE_IN_TWO));
  });

  it("breaks ties by the row's weights, then deterministically for identical rows", () => {
    // Neurons 0 and 2 both store features 0 and 1 with equal weights (a tie inside each neuron);
    // neuron 2's weights are larger, so it comes first. Neurons 1 and 3 are identical rows.
    const W = [
      [0.5, 0.5, 0, 0],
      [0, 0, 0.7, 0.7],
      [0.9, 0.9, 0, 0],
      [0, 0, 0.7, 0.7],
    ];
    const a = analyse(W);
    expect(a.neuronFeatures).toEqual([[0, 1], [2, 3], [0, 1], [2, 3]]);
    expect(a.codes).toEqual([[0, 2], [0, 2], [1, 3], [1, 3]]);
    expect(a.order).toEqual([2, 0, 1, 3]);
    expect(analyse(W).order).toEqual(a.order); // same input, same answer
    // Identical rows keep their relative order, whichever comes first in the input.
    const swapped = [W[0], W[3], W[2], W[1]];
    expect(analyse(swapped).order).toEqual([2, 0, 1, 3]);
    expect(applyOrder(swapped, analyse(swapped).order)).toEqual(applyOrder(W, a.order));
  });

  it("two monosemantic neurons on the same feature: the stronger first", () => {
    const W = build(3, 2, [[0, 0, 0.6], [1, 1, 1], [2, 0, 0.8]]);
    expect(canonicalNeuronOrder(W)).toEqual([2, 0, 1]);
  });

  it("shuffling the neuron rows gives the same ordered W (all 120 shuffles of every fixture)", () => {
    for (const f of FIXTURES) {
      const expected = canonical(f.W);
      const id = analyse(f.W).regime.id;
      for (const p of permutations(5)) {
        const shuffled = permute(f.W, p);
        expect(canonical(shuffled), `${f.name} shuffled ${p}`).toEqual(expected);
        expect(analyse(shuffled).regime.id).toBe(id);
      }
    }
  });

  it("applyOrder reorders rows into a fresh copy and rejects a non-permutation", () => {
    const W = [[1], [2], [3]];
    const out = applyOrder(W, [2, 0, 1]);
    expect(out).toEqual([[3], [1], [2]]);
    out[0][0] = 99;
    expect(W[2][0]).toBe(3);
    expect(() => applyOrder(W, [0, 0, 1])).toThrow(/permutation/);
    expect(() => applyOrder(W, [0, 1])).toThrow(/entries/);
  });
});

describe("analyse", () => {
  it("returns everything in one object, consistent with the single functions", () => {
    const b = Array.from({ length: 10 }, (_, i) => -0.01 * i);
    const a = analyse(THREE_IN_TWO, b);
    expect(a.features).toBe(10);
    expect(a.neurons).toBe(5);
    expect(a.b).toEqual(b);
    expect(a.b).not.toBe(b);
    expect(a.norms).toEqual(featureNorms(THREE_IN_TWO));
    expect(a.superposition).toEqual(featureSuperposition(THREE_IN_TWO));
    expect(a.codes).toEqual(featureCodes(THREE_IN_TWO));
    expect(a.neuronFeatures).toEqual(neuronFeatures(THREE_IN_TWO));
    expect(a.roles).toEqual(neuronRoles(THREE_IN_TWO));
    expect(a.roles).toEqual(["monosemantic", "monosemantic", "monosemantic", "polysemantic", "polysemantic"]);
    expect(a.order).toEqual(canonicalNeuronOrder(THREE_IN_TWO));
    expect(a.counts).toBe(a.regime.counts);
    expect(a.blocks).toEqual(a.regime.blocks);
    expect(analyse(THREE_IN_TWO).b).toBeNull();
  });
});

describe("large negative weights (a trained model at density 0.1, rounded)", () => {
  // Features 0–3 sit at ≈ 0.55 on three neurons each and ≈ −2.4 on the fourth (interference
  // cancellation); features 4–7 at ≈ 0.9 on one neuron and ≈ 0.67 on neuron 4; 8 and 9 are dropped.
  // The storage bar scales with the largest positive weight, so the −2.5s must not hide the 0.55s.
  const W = [
    [-2.24, 0.56, 0.55, 0.56, -0.14, -0.12, 0.88, -0.12, 0.03, 0.02],
    [0.52, 0.51, -2.53, 0.49, 0.91, -0.14, -0.11, -0.13, 0.03, 0.03],
    [0.55, -2.41, 0.52, 0.53, -0.15, 0.9, -0.1, -0.12, 0.03, 0.03],
    [0.56, 0.55, 0.53, -2.54, -0.2, -0.16, -0.13, 0.86, 0.02, 0.03],
    [-0.73, -0.7, -0.69, -0.69, 0.66, 0.67, 0.68, 0.69, 0.05, 0.06],
  ];
  it("is eight features in five neurons, all polysemantic", () => {
    const a = analyse(W);
    expect(a.regime.id).toBe("eight-in-five");
    expect(a.codes[0]).toEqual([1, 2, 3]);
    expect(a.codes[4]).toEqual([1, 4]);
    expect(a.dropped).toEqual([8, 9]);
  });
});

describe("a trained model at density 0.02 (rounded)", () => {
  // Nine features are cleanly pair-coded; feature 8 also has a 0.27 weight on neuron 4, below
  // τ = 0.3 of the largest positive weight (0.93): every represented feature is a pair of neurons.
  const W = [
    [0.7, -1.38, -1.26, -0.65, 0.67, -0.56, 0.7, 0.93, 0.01, -0.14],
    [0.71, 0.63, 0.64, -0.69, -1.11, -0.63, -0.7, -0.17, -0.06, 0.91],
    [-1.55, -0.49, 0.78, 0.61, 0.75, -0.82, -0.43, -0.14, 0.93, -0.1],
    [-1.45, 0.77, -0.55, -0.86, -0.55, 0.66, 0.76, -0.12, 0.92, -0.06],
    [-0.76, -0.92, -0.74, 0.78, -0.7, 0.76, -0.59, 0.83, 0.27, 0.85],
  ];
  it("is labelled 'features are pairs of neurons' at the default τ, not at τ = 0.2", () => {
    expect(analyse(W).regime.id).toBe("feature-pairs");
    expect(analyse(W).codes[8]).toEqual([2, 3]);
    expect(analyse(W, null, { storeThreshold: 0.2 }).regime.id).toBe("unlabelled");
  });
});

describe("one very large negative weight (best-of-1000 CPU models at densities 0.13 and 0.12, rounded)", () => {
  // A feature with a weight of ≈ −5.4 has the largest norm in W. Measured by whole norms, the drop bar
  // (δ = 0.2 of the largest) rose to ≈ 1.1 and "dropped" the features of the clean 1.01-weight
  // monosemantic neurons, leaving both models unlabelled with "dead" neurons. Only positive weights
  // carry a feature through the ReLU, so the drop rule measures positive parts.
  const W013 = [
    [1.01, 0, -0.01, 0, -0.01, -0.02, 0.01, 0, 0, 0],
    [0.01, 0.02, 0.93, -0.95, -0.23, 0.82, 0.51, 0.04, 0.05, 0.05],
    [0.02, 0.02, 0.08, 0.09, 1.01, 0.51, -5.37, 0.02, 0.03, 0.03],
    [0, 1.01, -0.01, 0, -0.01, -0.03, 0.02, 0.02, 0, 0.01],
    [0.01, 0.01, -0.84, 0.9, -0.26, 0.89, 0.55, 0.04, 0.05, 0.06],
  ];
  const W012 = [
    [0.02, 0.55, 0.56, 0.97, -0.18, -0.86, -0.21, 0, 0.04, 0.06],
    [0.02, 0.58, 0.6, -0.87, -0.2, 0.92, -0.23, -0.01, 0.05, 0.04],
    [0.01, 0.5, -5.45, 0.1, 0.08, 0.11, 1.02, 0.2, 0.01, 0.01],
    [0.01, -4.63, 0.41, 0.12, 1.06, 0.12, 0.1, 0.02, 0.01, 0.01],
    [1.01, -0.01, -0.01, -0.01, 0, -0.01, 0, 0, 0, 0],
  ];
  it("keeps the monosemantic neurons' features: five in three at 0.13, six in four at 0.12", () => {
    const a = analyse(W013);
    expect(a.codes.slice(0, 2)).toEqual([[0], [3]]);
    expect(a.positiveNorms[6]).toBeCloseTo(Math.hypot(0.01, 0.51, 0.02, 0.55), 12);
    expect(a.norms[6]).toBeGreaterThan(5);
    expect(a.dropped).toEqual([7, 8, 9]);
    expect(a.regime.id).toBe("five-in-three");
    const b = analyse(W012);
    expect(b.codes[0]).toEqual([4]);
    expect(b.dropped).toEqual([7, 8, 9]);
    expect(b.regime.id).toBe("six-in-four");
  });
});
