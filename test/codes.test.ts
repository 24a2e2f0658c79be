// Code sizes in general terms (src/analysis/codes.ts), on synthetic weight matrices whose codes are
// known by construction: the paper's one- and two-neuron codes, and a dense binary code of 31 features
// over five neurons (every non-empty subset once), the structure chapter 2 looks for.

import { describe, expect, it } from "vitest";
import { analyse, codeSizeSweep, codeStructure, describeCodeSizes, describeStructure, featureCodes } from "../src/analysis/index.ts";

/** W (m×n) whose feature i is stored, with weight 1, by exactly the neurons in codes[i]. */
function matrixOf(codes: number[][], m: number): number[][] {
  return Array.from({ length: m }, (_, j) => codes.map((code) => (code.includes(j) ? 1 : -0.05)));
}
/** Every non-empty subset of five neurons, as the binary digits of 1 … 31. */
const BINARY_31 = Array.from({ length: 31 }, (_, i) => [0, 1, 2, 3, 4].filter((j) => ((i + 1) >> j) & 1));

describe("codeStructure", () => {
  it("counts code sizes, distinct codes and shared codes", () => {
    const codes = [[0], [1], [0, 1], [2, 3], [2, 3], [], [0, 2, 4]];
    const s = codeStructure(codes, 5);
    expect(s).toEqual({ features: 7, neurons: 5, represented: 6, usedNeurons: 5, sizes: [1, 2, 3, 1, 0, 0], distinct: 5, sharedCodes: 2, largest: 3 });
    expect(describeCodeSizes(s)).toBe("2 features on one neuron, 3 on two neurons, 1 on three neurons");
    expect(describeStructure(s)).toBe("6 features (1 dropped) in 5 neurons: 2 features on one neuron, 3 on two neurons, 1 on three neurons; 5 distinct codes (2 features share one)");
    expect(describeCodeSizes(codeStructure([[], []], 3))).toBe("no feature represented");
    expect(() => codeStructure([[0, 1, 2]], 2)).toThrow(/a code of 3 neurons in a model of 2/);
  });

  it("reads a dense binary code off W: 31 features in 5 neurons, C(5, k) codes of each size k, all distinct", () => {
    const W = matrixOf(BINARY_31, 5);
    expect(featureCodes(W)).toEqual(BINARY_31);
    const s = codeStructure(featureCodes(W), 5);
    expect(s.sizes).toEqual([0, 5, 10, 10, 5, 1]);
    expect(s).toMatchObject({ represented: 31, distinct: 31, sharedCodes: 0, largest: 5, usedNeurons: 5 });
    // No paper regime fits: the label says what the structure is, in general terms.
    const a = analyse(W);
    expect(a.regime.id).toBe("unlabelled");
    expect(a.regime.phrase).toBe("unlabelled: 31 features in 5 neurons, no monosemantic neuron; 5 features on one neuron, 10 on two neurons, 10 on three neurons, 5 on four neurons, 1 on five neurons; 31 distinct codes");
    expect(a.regime.structure).toEqual(s);
  });

  it("keeps the paper's name where it applies (three features share two neurons), with the structure beside it", () => {
    const a = analyse(matrixOf([[0], [1], [0, 1], [2], [3], [4]], 5));
    expect(a.regime.id).toBe("three-in-two");
    expect(a.regime.structure).toMatchObject({ sizes: [0, 5, 1, 0, 0, 0], distinct: 6 });
  });
});

describe("codeSizeSweep", () => {
  const level = (density: number, codes: number[][]) => ({ density, codes: featureCodes(matrixOf(codes, 5)) });
  const mono = [[0], [1], [2], [3], [4], [], [], [], [], []];
  const pairs = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [0, 2], [1, 3], [2, 4], [3, 0], [4, 1]];
  const triples = [...pairs.slice(0, 8), [0, 1, 2], [2, 3, 4]];

  it("follows code sizes as density falls: where ≥ 3-neuron codes appear, the largest, and where the code settles", () => {
    // Given out of order: the sweep sorts densest first.
    const sweep = codeSizeSweep([level(0.01, triples), level(1, mono), level(0.1, pairs), level(0.003, triples)], 5);
    expect(sweep.rows.map((r) => r.density)).toEqual([1, 0.1, 0.01, 0.003]);
    expect(sweep.rows.map((r) => r.meanSize)).toEqual([1, 2, 2.2, 2.2]);
    expect(sweep.rows.map((r) => r.structure.distinct)).toEqual([5, 10, 10, 10]);
    expect(sweep.firstThreeNeuronDensity).toBe(0.01);
    expect(sweep.threeNeuronDensities).toEqual([0.01, 0.003]);
    expect(sweep.largest).toEqual({ size: 3, density: 0.01 });
    expect(sweep.settled).toEqual([0.01, 0.003]);
  });

  it("says null when no code uses three neurons, and settles on the sparsest level alone when the last step changes", () => {
    const sweep = codeSizeSweep([level(1, mono), level(0.1, pairs)], 5);
    expect(sweep.firstThreeNeuronDensity).toBeNull();
    expect(sweep.threeNeuronDensities).toEqual([]);
    expect(sweep.largest).toEqual({ size: 2, density: 0.1 });
    expect(sweep.settled).toEqual([0.1]);
    // A code that never changes has settled from the densest level on.
    expect(codeSizeSweep([level(1, pairs), level(0.1, pairs)], 5).settled).toEqual([1, 0.1]);
    expect(codeSizeSweep([], 5)).toMatchObject({ rows: [], settled: [], firstThreeNeuronDensity: null });
  });
});
