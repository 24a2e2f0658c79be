// How sure each winner is (src/site/certainty.ts), the separator claim about six in four and eight in
// five measured on winners and on a population (separatorSentence in src/site/facts.ts,
// separatorCounts in src/site/population.ts), on constructed data whose answers are known.
import { describe, expect, it } from "vitest";
import type { DataFile, Diagnostics } from "../src/data/schema.ts";
import { dataFileSchema } from "../src/data/schema.ts";
import { POPULATION_SCHEMA, type Population } from "../src/data/population.ts";
import { betterModels, certaintyNote, certaintyNoteAt, winnerCertainty } from "../src/site/certainty.ts";
import { betterModelFacts, convergenceFacts, formatFact, separatorSentence } from "../src/site/facts.ts";
import { analysePopulation, separatorCounts, summarisePopulation } from "../src/site/population.ts";
import { eightInFiveWithSeparator, sampleDataFile } from "./fixtures.ts";

const m = 5, n = 10;
const zeros = () => Array.from({ length: m }, () => new Array(n).fill(0));
const paperEight = eightInFiveWithSeparator;
/** The same with features 3 and 4 swapped on the separator: it splits the block, but not by importance. */
function splitEight(): number[][] {
  const W = paperEight();
  W[1][3] = 0.67; W[1][4] = -0.7;
  return W;
}

/** The fixture file (densities 1 and 0.1, winners 2 and 0; 0.1 a tie of models 0 and 2) with planted
 *  diagnostics: at 0.1 the winner of 1 fine-tuned there is better by 3% (±0.5%), and a sampled model
 *  trained 4× longer by 1% (±0.2%); at 1 nothing beats the winner. */
function planted(): DataFile {
  const f = sampleDataFile();
  f.levels[0].best.W = paperEight();
  f.levels[1].best.W = splitEight();
  const own = [0.00101, 0.00045];
  const cell = (loss: number, diff: number, se: number) => ({ loss, diff, se });
  const d: Diagnostics = {
    crossEval: [[cell(own[0], 0, 0), cell(own[1] + 1e-4, 1e-4, 1e-6)], [cell(own[0] + 1e-4, 1e-4, 1e-6), cell(own[1], 0, 0)]],
    failures: [],
    continuation: {
      steps: 10,
      levels: [
        { ...cell(own[0] + 1e-5, 1e-5, 1e-6), density: 1, from: 0.1, W: splitEight(), b: new Array(n).fill(0) },
        { ...cell(own[1] * 0.97, -0.03 * own[1], 0.005 * own[1]), density: 0.1, from: 1, W: paperEight(), b: new Array(n).fill(0) },
      ],
    },
    convergence: {
      steps: [10, 40],
      levels: [
        { density: 1, models: [2, 1], leading: 2, reproduction: 0, losses: [[cell(own[0], 0, 0), cell(own[0], 0, 1e-7)], [cell(own[0] + 1e-5, 1e-5, 1e-6), cell(own[0] + 1e-5, 1e-5, 1e-6)]], best: { model: 2, W: paperEight(), b: new Array(n).fill(0) } },
        { density: 0.1, models: [0, 2], leading: 2, reproduction: 0, losses: [[cell(own[1], 0, 0), cell(own[1] * 0.99, -0.01 * own[1], 0.002 * own[1])], [cell(own[1], 2e-6, 3e-6), cell(own[1], 1e-6, 3e-6)]], best: { model: 0, W: splitEight(), b: new Array(n).fill(0) } },
      ],
      seconds: 1,
    },
    seconds: 2,
  };
  f.diagnostics = d;
  f.levels[0].selection!.candidates[0].loss = own[0];
  f.levels[1].selection!.candidates.find((c) => c.model === 0)!.loss = own[1];
  return f;
}

describe("per-level steps (schema 3)", () => {
  /** The planted file with density 0.1 trained 40 steps: its diagnostics record that level's steps. */
  function perLevel(): DataFile {
    const f = planted();
    f.config.levelSteps = [{ density: 0.1, steps: 40 }];
    f.diagnostics!.continuation.levels[1].steps = 40;
    f.diagnostics!.convergence!.levels[1].steps = [40, 160];
    return f;
  }

  it("is a valid file, whose longer-trained model at 0.1 is read at that level's last step count", () => {
    const f = perLevel();
    expect(dataFileSchema.safeParse(f).success).toBe(true);
    const longer = betterModels(f, winnerCertainty(f)).find((r) => r.density === 0.1)!.better.find((b) => b.how === "longer")!;
    expect(longer.steps).toBe(160);
    expect(formatFact(betterModelFacts(f)["relu.better.longerSteps"])).toBe("160");
    // Without per-level steps, the block's: 40.
    expect(betterModels(planted(), winnerCertainty(planted())).find((r) => r.density === 0.1)!.better.find((b) => b.how === "longer")!.steps).toBe(40);
  });

  const broken: [string, (f: DataFile) => void, RegExp][] = [
    ["a continuation at config.steps where the level trains 40", (f) => delete f.diagnostics!.continuation.levels[1].steps, /continuation\.levels\.1\.steps: steps must be the level's 40/],
    ["a continuation that records config.steps", (f) => (f.diagnostics!.continuation.levels[0].steps = 10), /continuation\.levels\.0\.steps: steps must be the level's 10, recorded only where/],
    ["convergence steps of another factor", (f) => (f.diagnostics!.convergence!.levels[1].steps = [40, 80]), /convergence\.levels\.1\.steps: steps must be the level's 40 × the same factors/],
    ["convergence without the level's own steps", (f) => delete f.diagnostics!.convergence!.levels[1].steps, /convergence\.levels\.1\.steps: the level trains 40 steps: its steps must be recorded/],
    ["convergence steps on a level that trains config.steps", (f) => (f.diagnostics!.convergence!.levels[0].steps = [10, 40]), /convergence\.levels\.0\.steps: steps must be/],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`rejects ${what}`, () => {
      const f = perLevel();
      breakIt(f);
      const r = dataFileSchema.safeParse(f);
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")).toMatch(message);
    });
  }
});

describe("winnerCertainty", () => {
  const file = planted();
  it("is a valid data file (the planted diagnostics pass the schema)", () => {
    expect(dataFileSchema.safeParse(file).success).toBe(true);
  });

  it("gives each winner's margin or tie and the better models, best first", () => {
    const [c1, c01] = winnerCertainty(file, [{ density: 0.1, tied: { count: 2, sameRegime: 1 } }] as never);
    // Density 1: runner-up model 1 at +0.001 ± 1e-5 → 100 SE; nothing better.
    expect(c1).toMatchObject({ density: 1, tie: false, tied: 1, tiedSameRegime: null, better: [] });
    expect(c1!.marginSE).toBeCloseTo(100, 9);
    expect(certaintyNote(c1!)).toBe("clear: runner-up +100.0 SE");
    expect(certaintyNoteAt([c1, c01], 1)).toBe("clear: runner-up +100.0 SE");
    expect(certaintyNoteAt([c1, null], 0.1)).toBeNull();
    // Density 0.1: a tie of two models, one of them in the winner's regime; fine-tuned −3%, longer −1%.
    expect(c01).toMatchObject({ tie: true, tied: 2, tiedSameRegime: 1 });
    expect(c01!.better.map((b) => [b.how, b.source, b.steps])).toEqual([["continued", 1, undefined], ["longer", 0, 40]]);
    expect(c01!.better[0].rel).toBeCloseTo(-0.03, 12);
    expect(c01!.better[0].relSE).toBeCloseTo(0.005, 12);
    expect(certaintyNote(c01!)).toBe("tie: 2 models, 1 in this regime; the winner of 1 fine-tuned here (−3.0%) is better");
    // Lowest loss first, whatever the kind: trained longer to −5%, it leads.
    const f = planted();
    f.diagnostics!.convergence!.levels[1].losses[0][1].diff = -0.05 * 0.00045;
    expect(winnerCertainty(f)[1]!.better.map((b) => b.how)).toEqual(["longer", "continued"]);
  });

  it("counts a better model only beyond the tie rule, and a cross-evaluation failure as one", () => {
    const f = planted();
    f.diagnostics!.continuation.levels[1].se = 0.02 * f.levels[1].selection!.candidates[1].loss; // −3% ± 2%: not beyond 2 SE
    f.diagnostics!.crossEval[0][1] = { loss: 0.0004, diff: -0.00005, se: 1e-6 };
    const [, c] = winnerCertainty(f);
    expect(c!.better.map((b) => b.how)).toEqual(["cross", "longer"]);
    expect(certaintyNote(c!)).toMatch(/^tie: 2 models; the winner of 1 \(−11%\) is better$/);
  });

  it("is null for a level without a recorded selection", () => {
    const f = planted();
    delete f.levels[1].selection;
    expect(winnerCertainty(f)[1]).toBeNull();
  });

  it("draws the better models' own weights", () => {
    const rows = betterModels(file, winnerCertainty(file));
    expect(rows.map((r) => r.density)).toEqual([0.1]);
    expect(rows[0].better.map((b) => [b.how, b.analysis.regime.id])).toEqual([["continued", "eight-in-five"], ["longer", "eight-in-five"]]);
    // The facts the article words this with: where, whether the structure changed, how long.
    const facts = betterModelFacts(file);
    expect(Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, formatFact(v)]))).toEqual({
      "relu.better.densities": "0.1",
      "relu.better.changed": "", // the winner and both better models are eight in five
      "relu.better.longer": "yes",
      "relu.better.longerSteps": "40",
    });
    // A fine-tuned model of another structure (every neuron monosemantic) changes the label.
    const g = planted();
    g.diagnostics!.continuation.levels[1].W = Array.from({ length: 5 }, (_, j) => Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)));
    expect(formatFact(betterModelFacts(g)["relu.better.changed"])).toBe("0.1");
    expect(rows[0].better[0].W).toEqual(paperEight());
    expect(rows[0].better[1].W).toEqual(splitEight());
  });
});

describe("the separator claim", () => {
  it("says which winners have the paper's separating neuron, which only split the block, and whether the better fine-tuned model is the paper's picture", () => {
    const s = separatorSentence(planted());
    expect(s).toContain("In one of our two winners labelled eight features in five neurons, all polysemantic (density 1), one neuron separates the important features from the unimportant ones: it has negative weights (−0.70 to −0.70) on features 0–3 and stores features 4–7 (0.67 to 0.67)");
    expect(s).toContain("each important feature is stored by three of the other four neurons and silenced by the remaining one, a different one for each");
    expect(s).toContain("In the other one (density 0.1), one neuron also splits the block in two, negative on one group and storing the other, but not by importance: features 0, 1, 2 and 4 against features 3, 5, 6 and 7.");
    expect(s).toContain("At density 0.1, the other density's winner fine-tuned there beats the winner and has exactly the paper's separating neuron");
    // Without the better fine-tuned model, no such claim.
    const f = planted();
    f.diagnostics!.continuation.levels[1].diff = 0;
    expect(separatorSentence(f)).not.toContain("fine-tuned");
  });

  it("counts, over a population, the models with a separator by importance, with both codes, and with any split", () => {
    const P = m * n + n, K = 4;
    const flat = (W: number[][]) => [...W.flat(), ...new Array(n).fill(0)];
    const broken = paperEight();
    broken[0][0] = 0; broken[2][0] = 0; // feature 0 on only one other neuron: no leave-one-out code
    const models = [paperEight(), splitEight(), broken, zeros().map((r, j) => r.map((_, i) => (i === j ? 1 : 0)))];
    const config = { ...sampleDataFile().config, modelsPerLevel: K };
    const pop: Population = { header: { schema: POPULATION_SCHEMA, model: "relu-hidden", config, densities: [0.1], params: P, diverged: [[]] }, data: Float32Array.from(models.flatMap(flat)) };
    const data = { config, levels: [{ density: 0.1, modelLosses: [1, 2, 3, 4], best: { model: 0 }, selection: { candidates: [], tied: [0] } }] } as never;
    const analyses = analysePopulation(data, pop);
    expect(analyses[0].map((a) => a!.regime.id)).toEqual(["eight-in-five", "eight-in-five", "eight-in-five", "all-monosemantic"]);
    expect(separatorCounts(data, pop, analyses)).toEqual([[{ regime: "eight-in-five", models: 3, split: 3, separated: 2, leaveOneOut: 1, pairsWithSeparator: 2 }]]);
    const levels = summarisePopulation(data, analyses).map((l) => ({ ...l, separators: separatorCounts(data, pop, analyses)[0] }));
    expect(separatorSentence(planted(), levels)).toContain("Across the whole population (every density), of the 3 eight-in-five models, 2 have a neuron that separates the important from the unimportant features (1 with both codes as described) and 3 one that splits the block in two in any way.");
  });
});

describe("the convergence facts", () => {
  const text = (f: DataFile) => Object.fromEntries(Object.entries(convergenceFacts(f)).map(([k, v]) => [k.replace("relu.convergence.", ""), formatFact(v)]));
  it("give the densities where a model trained longer beats the winner, and where its label changes", () => {
    const t = text(planted());
    expect(t).toMatchObject({ recorded: "yes", models: "2", exact: "yes", beatsAt: "0.1", levels: "2", largestGain: "1.00%", largestGainAt: "0.1", changedAt: "" });
    expect(t).toMatchObject({ steps: "40", factors: "4", factor: "4" });
    // A gain of 1% (the planted one, up to rounding) is at the edge of "substantial"; 3% is past it.
    const big = planted();
    const row = big.diagnostics!.convergence!.levels[1].losses[0];
    row[row.length - 1].diff *= 3;
    expect(text(big)).toMatchObject({ substantialAt: "0.1", substantialGain: "1%", largestGain: "3.00%", sparsestImproving: "yes" });
    // …and 0.1 is the sparsest density; with a sparser level beside it, the sparsest is not improving.
    expect(text({ ...big, levels: [...big.levels, { ...big.levels[1], density: 0.01 }] })).toMatchObject({ substantialAt: "0.1", sparsestImproving: "no" });
    row[row.length - 1].diff /= 6;
    expect(text(big)).toMatchObject({ beatsAt: "0.1", substantialAt: "", largestGain: "0.50%", sparsestImproving: "no" });
    const f = planted();
    f.diagnostics!.convergence!.levels[1].best.W = paperEight().map((r, j) => r.map((v, i) => (j === i ? 1 : 0) * (i < 5 ? 1 : 0)));
    expect(text(f).changedAt).toBe("“all neurons monosemantic” at density 0.1");
    f.diagnostics!.convergence!.levels[1].losses[0][1].diff = 0;
    expect(text(f)).toMatchObject({ beatsAt: "", changedAt: "" });
    delete f.diagnostics!.convergence;
    expect(text(f)).toMatchObject({ recorded: "no", beatsAt: "" });
  });
});
