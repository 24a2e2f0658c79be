// The winners' diagnostics (src/train/diagnostics.ts) on constructed cases: a planted better model
// among a neighbour's winners must be flagged by the cross-evaluation and found by the continuation.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../src/model/config.ts";
import { SimdKernel } from "../src/train/simd/simd-kernel.ts";
import { crossEvaluate, continueWinners, diagnose, pairedOnStage2 } from "../src/train/diagnostics.ts";
import { localEvaluator } from "../src/train/evaluator.ts";
import { stage2Key, stage2Samples } from "../src/train/selection.ts";
import { dataFileSchema } from "../src/data/schema.ts";
import { sampleDataFile } from "./fixtures.ts";

const size = { minDraws: 65_536, minPresent: 10_000 };
const config = defaultConfig({ batchSize: 128, steps: 1500, evalSamples: 4096 });
const kernel = new SimdKernel("relu-hidden", config);
const ev = localEvaluator("relu-hidden", config);
// Well trained models at 0.3 and 0.05, and a barely trained one (10 steps) at 0.05.
const good03 = kernel.train(0.3, 0).params;
const good005 = kernel.train(0.05, 1).params;
const poor005 = kernel.train(0.05, 2, 10).params;

describe("cross-evaluation", () => {
  it("flags a level whose winner loses on its own data to another level's winner, and nothing else", async () => {
    // Planted: "the winner of 0.1" is the good model trained at 0.05, while 0.05's own winner is poor.
    const winners = [{ density: 0.3, params: good03 }, { density: 0.1, params: good005 }, { density: 0.05, params: poor005 }];
    const { table, failures } = await crossEvaluate(ev, config, winners, size);
    expect(table).toHaveLength(3);
    for (let a = 0; a < 3; a++) expect(table[a][a]).toMatchObject({ diff: 0, se: 0 });
    expect(failures.map((f) => [f.winnerOf, f.on])).toContainEqual([0.1, 0.05]);
    // Nothing beats the well-trained winner of 0.3 on its own data.
    expect(failures.filter((f) => f.on === 0.3)).toEqual([]);
    const f = failures.find((x) => x.winnerOf === 0.1 && x.on === 0.05)!;
    expect(f.diff).toBeLessThan(-2 * f.se);
    expect(table[1][2].diff).toBe(f.diff);
  });

  it("pairs each model with the level's own winner on the same draws: a model against itself differs by exactly 0", async () => {
    const [self, other] = await pairedOnStage2(ev, config, 0.05, good005, [good005, poor005], size);
    expect(self).toMatchObject({ diff: 0, se: 0 });
    expect(other.diff).toBeGreaterThan(0);
    expect(other.loss - self.loss).toBeCloseTo(other.diff, 12);
    expect(stage2Samples(0.05, 10, size)).toBe(65_536);
    expect(stage2Key(config.seed, 0.05)).toBeDefined();
  });
});

describe("continuation", () => {
  it("finds that fine-tuning another level's good winner beats a poor from-scratch winner", async () => {
    const winners = [{ density: 0.3, params: good03 }, { density: 0.05, params: poor005 }];
    const [at03, at005] = await continueWinners(ev, config, winners, 300, size);
    expect(at005.from).toBe(0.3);
    expect(at005.diff).toBeLessThan(-2 * at005.se);
    expect(at005.params).toHaveLength(60);
    // It was trained at 0.05: moved from the 0.3 winner, and better there than that winner as it was.
    expect(Math.max(...at005.params.map((v, i) => Math.abs(v - good03[i])))).toBeGreaterThan(1e-3);
    const [unchanged] = await pairedOnStage2(ev, config, 0.05, poor005, [good03], size);
    expect(at005.loss).toBeLessThan(unchanged.loss);
    // At 0.3, the poor model fine-tuned for 300 steps does not beat the good winner.
    expect(at03.from).toBe(0.05);
    expect(at03.diff).toBeGreaterThan(0);
  });
});

describe("diagnose", () => {
  it("gives a data file's diagnostics block, valid in the schema", async () => {
    const data = sampleDataFile();
    const d = await diagnose(localEvaluator("relu-hidden", { ...data.config, steps: 20 }), { ...data, config: { ...data.config, steps: 20 } }, () => {}, size);
    expect(d.crossEval).toHaveLength(2);
    expect(d.continuation.levels.map((l) => [l.density, l.from])).toEqual([[1, 0.1], [0.1, 1]]);
    expect(dataFileSchema.safeParse({ ...data, diagnostics: d }).success).toBe(true);
    expect(dataFileSchema.safeParse({ ...data, diagnostics: { ...d, crossEval: d.crossEval.slice(1) } }).success).toBe(false);
  });
});
