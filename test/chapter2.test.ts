// Chapter 2's measurements as the MDX quotes them (experimentFacts in src/site/facts.ts) and draws them
// (codeSizesPlot in src/figures/code-sizes.ts), on synthetic files whose codes are known by construction:
// one density with monosemantic neurons, one with feature pairs, one with a dense binary code (every
// code of three or more of five neurons, 16 features on 16 distinct codes).

import { describe, expect, it } from "vitest";
import type { DataFile } from "../src/data/schema.ts";
import { geometricImportance } from "../src/model/config.ts";
import { experimentFacts, formatFact } from "../src/site/facts.ts";
import { codeSizeShift, type PopulationCodeLevel } from "../src/site/code-sizes.ts";
import { codeSizeLegendPlot, codeSizesPlot, type CodeSizeBar } from "../src/figures/code-sizes.ts";
import { renderFigure } from "../src/figures/render.ts";
import { sampleDataFile } from "./fixtures.ts";
import { stepsText } from "../src/text/steps.ts";

const n = 20, m = 5;
/** W (m×n) whose feature i is stored, with weight 1, by exactly the neurons in codes[i]; the rest off. */
function matrixOf(codes: number[][]): number[][] {
  return Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => (codes[i]?.includes(j) ? 1 : -0.05)));
}
const subsets = Array.from({ length: 31 }, (_, i) => [0, 1, 2, 3, 4].filter((j) => ((i + 1) >> j) & 1));
const MONO = [[0], [1], [2], [3], [4]];
const PAIRS = subsets.filter((s) => s.length === 2);
const DENSE = subsets.filter((s) => s.length >= 3); // 10 + 5 + 1 = 16 codes

function file(levels: { density: number; codes: number[][] }[]): DataFile {
  const base = sampleDataFile();
  const config = { ...base.config, features: n, neurons: m, importance: geometricImportance(n, 0.9), modelsPerLevel: 3 };
  return {
    ...base,
    config,
    levels: levels.map(({ density, codes }) => ({ density, losses: [0.001], diverged: 0, best: { model: 0, loss: 0.001, W: matrixOf(codes), b: new Array(n).fill(0) } })),
  } as DataFile;
}
const text = (f: ReturnType<typeof experimentFacts>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k.replace(/^x\./, ""), formatFact(v)]));
const pop = (density: number, shares: number[], withThree: number, largest: number): PopulationCodeLevel => ({ density, models: 3, represented: 30, withThreeNeuronCode: withThree, meanDistinct: 5, sizeShares: shares, largest });

describe("experimentFacts", () => {
  it("say where codes of three or more neurons appear, the largest, and where a dense binary code forms", () => {
    const t = text(experimentFacts("x", file([{ density: 1, codes: MONO }, { density: 0.03, codes: PAIRS }, { density: 0.003, codes: DENSE }])));
    expect(t).toMatchObject({
      n: "20", m: "5", levels: "3",
      "codes.possible": "31", "codes.pairsAndSingles": "15",
      "codes.threeNeuronAt": "0.003", "codes.largest": "5", "codes.largestAt": "0.003",
      "codes.mostRepresented": "16", "codes.mostRepresentedAt": "0.003", "codes.mostDistinct": "16",
      "codes.pairsAt": "0.03", "codes.denseAt": "0.003", "codes.settled": "0.003", "codes.sharedAt": "",
      "population.hasData": "no",
    });
    expect(t.regimes).toBe("“all neurons monosemantic” at density 1 and “features are pairs of neurons” at density 0.03");
    // The experiment's selection and convergence facts come under its name too (empty without them).
    expect(t).toMatchObject({ "convergence.recorded": "no", "convergence.beatsAt": "", hasSelection: "no", ties: "" });
  });

  it("say which densities train their own steps, densest first, as the run table and footer word them", () => {
    const levels = [{ density: 1, codes: MONO }, { density: 0.03, codes: PAIRS }, { density: 0.003, codes: DENSE }];
    const f = file(levels);
    f.config.levelSteps = [{ density: 0.003, steps: 67_000 }, { density: 0.03, steps: 20_000 }];
    expect(text(experimentFacts("x", f))).toMatchObject({ steps: "10", levelSteps: "20,000 steps at density 0.03 and 67,000 at 0.003", stepsMax: "67,000", levelStepsFrom: "60" });
    expect(stepsText(f.config)).toBe("10 steps (20,000 at density 0.03, 67,000 at 0.003)");
    // inverseDensitySteps' rule read back from the data: 0.01 → 20,000 of 10,000 steps starts at 0.02.
    f.config.steps = 10_000;
    f.config.levelSteps = [{ density: 0.003, steps: 67_000 }, { density: 0.01, steps: 20_000 }];
    expect(text(experimentFacts("x", f))).toMatchObject({ levelStepsFrom: "0.02", levelStepsShortAt: "" });
    // Fewer steps than the rule gives: a cap at 0.001 (rule 200,000), the rule's own steps at 0.0005
    // (400,000) are not short.
    f.config.levelSteps = [{ density: 0.01, steps: 20_000 }, { density: 0.001, steps: 150_000 }, { density: 0.0005, steps: 400_000 }];
    expect(text(experimentFacts("x", f))).toMatchObject({ levelStepsFrom: "0.02", levelStepsShortAt: "0.001", stepsMax: "400,000" });
    expect(text(experimentFacts("x", file(levels)))).toMatchObject({ levelSteps: "", stepsMax: "10", levelStepsFrom: "NaN", levelStepsShortAt: "" });
    expect(stepsText(file(levels).config)).toBe("10 steps");
  });

  it("call a mixture of small and large codes, or too few codes, no dense binary code", () => {
    // Ten triples and two pairs: most features on three neurons, but 12 distinct codes, no more than
    // codes of one or two neurons could give.
    const few = [...DENSE.slice(0, 10), ...PAIRS.slice(0, 2)];
    // Sixteen distinct codes but most features on one or two neurons.
    const mixed = [...MONO, ...PAIRS, ...DENSE.slice(0, 4)];
    const t = text(experimentFacts("x", file([{ density: 0.01, codes: few }, { density: 0.005, codes: mixed }, { density: 0.003, codes: mixed }])));
    expect(t["codes.denseAt"]).toBe("");
    expect(t["codes.threeNeuronAt"]).toBe("0.01, 0.005 and 0.003");
    expect(t["codes.settled"]).toBe("0.005 and 0.003");
  });

  it("say where another density's winner beats a level's own, and by how much at most, relative to the own winner's loss", () => {
    const f = sampleDataFile();
    const none = text(experimentFacts("x", f));
    expect(none).toMatchObject({ beatenOn: "", beatenByMax: "NaN%", beatenByMaxAt: "NaN" });
    // The winner of density 1 beats density 0.1's own winner (model 0, stage-2 loss 0.00045) by 9e-6
    // (2.0%) and density 0.1's beats density 1's (model 2, 0.00101) by 5e-5 (5.0%): the largest is 5.0% at 1.
    f.diagnostics = {
      crossEval: [], continuation: { steps: 10, levels: [] }, seconds: 1,
      failures: [{ winnerOf: 1, on: 0.1, diff: -9e-6, se: 1e-7 }, { winnerOf: 0.1, on: 1, diff: -5.05e-5, se: 1e-7 }],
    };
    expect(text(experimentFacts("x", f))).toMatchObject({ beatenOn: "1 and 0.1", beatenByMax: "5.0%", beatenByMaxAt: "1" });
    f.diagnostics.failures[0].diff = -9e-5; // now 20% at 0.1
    expect(text(experimentFacts("x", f))).toMatchObject({ beatenByMax: "20.0%", beatenByMaxAt: "0.1" });
  });

  it("give two features on the same neurons as a shared code", () => {
    const t = text(experimentFacts("x", file([{ density: 0.01, codes: [[0], [0], [1, 2]] }])));
    expect(t["codes.sharedAt"]).toBe("0.01");
  });

  it("sum the population's shares of codes of three or more neurons, and find their largest", () => {
    const f = file([{ density: 0.1, codes: PAIRS }, { density: 0.01, codes: PAIRS }]);
    const t = text(experimentFacts("x", f, [pop(0.01, [0, 0.5, 0.3, 0.15, 0.05, 0], 2, 4), pop(0.1, [0, 0.2, 0.4, 0.3, 0.1, 0], 3, 4)]));
    expect(t).toMatchObject({
      "population.hasData": "yes",
      "population.threeNeuronShareMax": "40%", "population.threeNeuronShareMaxAt": "0.1",
      "population.threeNeuronShareSparsest": "20%", "population.oneNeuronShareSparsest": "50%", "population.modelsWithThreeSparsest": "2", "population.modelsSparsest": "3",
      "population.threeNeuronMinority": "yes", "population.largest": "4",
    });
    const majority = text(experimentFacts("x", f, [pop(0.1, [0, 0.1, 0.3, 0.6, 0, 0], 3, 3)]));
    expect(majority["population.threeNeuronMinority"]).toBe("no");
  });

  it("find the sparsest densities over which the population's code sizes have stopped moving", () => {
    const f = file([{ density: 0.1, codes: PAIRS }, { density: 0.01, codes: PAIRS }, { density: 0.005, codes: PAIRS }]);
    // 0.1 → 0.01 moves 30% of the features from one neuron to two; 0.01 → 0.005 moves 4%.
    const levels = [pop(0.1, [0, 0.6, 0.4, 0, 0, 0], 0, 2), pop(0.01, [0, 0.3, 0.7, 0, 0, 0], 0, 2), pop(0.005, [0, 0.28, 0.7, 0.02, 0, 0], 1, 3)];
    let t = text(experimentFacts("x", f, levels));
    expect(t).toMatchObject({ "population.settledAt": "0.01 and 0.005", "population.lastShift": "2%", "population.previousShift": "30%", "population.settledShift": "5%" });
    // Without the models' own code sizes there is no permutation test; with them, its p for each move.
    expect(t).toMatchObject({ "population.lastShiftP": "NaN", "population.previousShiftP": "NaN" });
    const sizes = (ones: number, twos: number, n: number) => Array.from({ length: n }, (_, k) => (k < ones ? [1, 0, 0, 0, 0] : k < ones + twos ? [0, 1, 0, 0, 0] : [0, 0, 1, 0, 0]));
    const tested = [{ ...levels[0], modelSizes: sizes(60, 40, 100) }, { ...levels[1], modelSizes: sizes(30, 70, 100) }, { ...levels[2], modelSizes: sizes(28, 70, 100) }];
    t = text(experimentFacts("x", f, tested));
    expect(t).toMatchObject({ "population.lastShiftP": expect.stringMatching(/^0\.[5-9]\d$|^1\.00$/), "population.previousShiftP": "0.0005" });
    // A move of 6% between the two sparsest: nothing has settled but the sparsest itself.
    levels[2] = pop(0.005, [0, 0.24, 0.7, 0.06, 0, 0], 1, 3);
    t = text(experimentFacts("x", f, levels));
    expect(t).toMatchObject({ "population.settledAt": "0.005", "population.lastShift": "6%" });
  });
});

describe("codeSizeShift", () => {
  const models = (n: number, sizes: number[]) => Array.from({ length: n }, () => sizes);
  it("is the share of features whose code size would change, and a permutation test's p over the models", () => {
    // Identical populations: no distance, and every shuffle is at least as far (p = 1).
    expect(codeSizeShift(models(20, [2, 1, 0]), models(30, [2, 1, 0]))).toEqual({ shift: 0, p: 1 });
    // All one-neuron against all two-neuron codes: every feature moves; no shuffle is as far but the
    // observed split itself, so p is its least, 1 / (rounds + 1).
    expect(codeSizeShift(models(40, [3, 0, 0]), models(40, [0, 3, 0]), 999)).toEqual({ shift: 100, p: 1 / 1000 });
    // A real but small difference on few models is not told apart from chance; on many, it is.
    const mixed = (n: number, twos: number) => [...models(twos, [0, 3, 0]), ...models(n - twos, [3, 0, 0])];
    const few = codeSizeShift(mixed(10, 5), mixed(10, 6));
    expect(few.shift).toBeCloseTo(10, 9);
    expect(few.p).toBeGreaterThan(0.5);
    const many = codeSizeShift(mixed(1000, 500), mixed(1000, 600));
    expect(many.shift).toBeCloseTo(10, 9);
    expect(many.p).toBeLessThan(0.01);
    // Deterministic, and a group without represented features has no distance.
    expect(codeSizeShift(mixed(10, 5), mixed(10, 6))).toEqual(few);
    expect(codeSizeShift(models(3, [0, 0, 0]), models(3, [1, 0, 0]))).toEqual({ shift: NaN, p: NaN });
  });
});

describe("codeSizesPlot", () => {
  const bars: CodeSizeBar[] = [
    { density: 0.01, models: "winner", represented: 10, shares: [0, 0.1, 0.6, 0.3, 0, 0] },
    { density: 1, models: "winner", represented: 5, shares: [0, 1, 0, 0, 0, 0] },
    { density: 1, models: "population", represented: 300, shares: [0, 0.9, 0.1, 0, 0, 0] },
    { density: 0.01, models: "population", represented: 3000, shares: [0, 0.2, 0.5, 0.2, 0.1, 0] },
  ];
  it("draws one segment per non-zero share, densest first, a row each for the winner and all models", () => {
    const svg = renderFigure(codeSizesPlot(bars, { neurons: 5 }), { idPrefix: "t" });
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((x) => x[1]).filter((t) => t.startsWith("density"));
    expect(titles).toHaveLength(3 + 1 + 2 + 4);
    expect(titles).toContain("density 0.01, winner: 60.0% of 10 represented features coded with 2 neurons");
    expect(titles).toContain("density 0.01, all K models: 10.0% of 3,000 represented features coded with 4 neurons");
    const ticks = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((x) => x[1]);
    expect(ticks.indexOf("1")).toBeLessThan(ticks.indexOf("0.01"));
    expect(ticks).toEqual(expect.arrayContaining(["winner", "all K models"]));
    expect(() => codeSizesPlot([])).toThrow(/no bars/);
  });
  it("has a legend swatch per code size, the last one standing for larger codes beyond the palette", () => {
    const texts = (spec: ReturnType<typeof codeSizeLegendPlot>) => [...renderFigure(spec, { idPrefix: "l" }).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((x) => x[1]);
    expect(texts(codeSizeLegendPlot(5))).toEqual(["neurons per code:", "1", "2", "3", "4", "5"]);
    expect(texts(codeSizeLegendPlot(7)).at(-1)).toBe("5+");
  });
});
