// The in-page trainer's pure parts (src/trainer/limits.ts, src/article-components/trainer/result.ts) and its benchmark's command line;
// its runs in chromium: test/trainer-browser.test.ts and test/trainer-page.test.ts.

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyse } from "../src/analysis/index.ts";
import { dataFileSchema, type DataFile } from "../src/data/schema.ts";
import { ENGINE_LIMITS, MAX_STEPS, limitsFor, settingsProblem, type TrainerSettings } from "../src/trainer/limits.ts";
import { committedData, dataFileText, marginSentence, parseCommittedData, runResult } from "../src/article-components/trainer/result.ts";
import { levelSummary } from "../src/article-components/explorer/explorer-data.ts";
import { explorerLegends, explorerScales, explorerSpecs } from "../src/article-components/explorer/explorer-specs.ts";
import { analysedExperiment } from "../src/site/experiment.ts";

const root = new URL("..", import.meta.url).pathname;
const relu = dataFileSchema.parse(JSON.parse(readFileSync(join(root, "public/data/relu-hidden.json"), "utf8")));

describe("limits", () => {
  const ok: TrainerSettings = { kind: "relu-hidden", density: 0.3, models: 4, steps: 20, seed: 0 };
  it("accepts the defaults of every engine", () => {
    for (const l of Object.values(ENGINE_LIMITS)) expect(settingsProblem({ ...ok, ...l.defaults }, l)).toBeNull();
  });
  it("names the culprit in one line", () => {
    const cpu = limitsFor("cpu", false);
    expect(settingsProblem({ ...ok, density: 0 }, cpu)).toBe("Density must be a number in (0, 1]; got 0.");
    expect(settingsProblem({ ...ok, density: 1.5 }, cpu)).toMatch(/^Density/);
    expect(settingsProblem({ ...ok, models: 0 }, cpu)).toBe("K must be a whole number from 1 to 256 on this engine; got 0.");
    expect(settingsProblem({ ...ok, models: 2.5 }, cpu)).toMatch(/^K must/);
    expect(settingsProblem({ ...ok, steps: MAX_STEPS + 1 }, cpu)).toBe("Steps must be a whole number from 1 to 10,000; got 10001.");
    expect(settingsProblem({ ...ok, seed: -1 }, cpu)).toMatch(/^The seed/);
    expect(settingsProblem({ ...ok, models: 256, steps: 10_000 }, cpu)).toBe("K × steps = 2,560,000 model-steps is more than this engine's 2,000,000: lower K or the steps.");
  });
  it("bounds an emulated GPU tighter than a real one", () => {
    expect(limitsFor("webgpu", true)).toBe(ENGINE_LIMITS["webgpu-software"]);
    expect(limitsFor("webgpu", false).maxModelSteps).toBe(1000 * MAX_STEPS);
    expect(settingsProblem({ ...ok, models: 1000, steps: 10_000 }, limitsFor("webgpu", false))).toBeNull();
    expect(settingsProblem({ ...ok, models: 64, steps: 1000 }, limitsFor("webgpu", true))).toMatch(/more than this engine's 20,000/);
  });
});

/** A browser run's file: the committed level at `density`, as if the reader had trained it. */
function runAt(density: number): DataFile {
  const level = relu.levels.find((l) => l.density === density)!;
  return { ...relu, population: undefined, diagnostics: undefined, levels: [level] };
}
const committed = committedData([relu]);

describe("result", () => {
  it("analyses the run's winner and the committed one with the article's analysis, on one scale", () => {
    const r = runResult(runAt(0.3), committed);
    expect(r.models.map((m) => m.key)).toEqual(["run", "committed"]);
    const level = relu.levels.find((l) => l.density === 0.3)!;
    const want = analyse(level.best.W, level.best.b, { importance: relu.config.importance });
    for (const m of r.models) {
      expect(m.analysis.regime).toEqual(want.regime);
      expect(m.summary.regimeLabel).toBe(want.regime.phrase);
      expect(m.matrix.color).toEqual(r.models[0].matrix.color);
    }
    expect(r.noCommitted).toBeUndefined();
    expect(r.margin).toBe(marginSentence(level));
    expect(r.margin).toMatch(new RegExp(`^Model ${level.selection!.winner} won among ${level.selection!.candidates.length} candidates, with a loss of `));
  });
  it("draws as the article's explorer draws: the same specs, blocks coloured by superposition, the legends", () => {
    const r = runResult(runAt(0.3), committed);
    const a = analysedExperiment(relu).levels.find((l) => l.level.density === 0.3)!;
    // Run and committed winner are the same model here, so the shared scales are the level's own.
    const drawn = { model: relu.model, levels: [a] };
    const want = explorerSpecs(drawn, a, explorerScales(drawn));
    expect(r.models[1].stack.marks?.length).toBe(want.stack.marks?.length);
    expect(r.models[1].stack.color).toEqual(want.stack.color);
    expect(r.models[1].matrix.color).toEqual(want.matrix.color);
    expect(r.models[1].stack.ariaLabel).toBe(`The article's winner (relu-hidden.json): ${want.stack.ariaLabel}`);
    expect(r.legends.map((l) => l.ariaLabel)).toEqual(explorerLegends(drawn, explorerScales(drawn)).map((l) => l.ariaLabel));
    expect(r.legends).toHaveLength(3);
    expect(r.models[0].summary).toEqual(levelSummary(a, relu.config.modelsPerLevel));
  });
  it("shows a linear run without a privileged basis: no roles, no regime label, no role legend", () => {
    const linear = dataFileSchema.parse(JSON.parse(readFileSync(join(root, "public/data/linear-hidden.json"), "utf8")));
    const file: DataFile = { ...linear, population: undefined, diagnostics: undefined, levels: [linear.levels[0]] };
    const r = runResult(file, committedData([relu, linear]));
    expect(r.models.map((m) => m.key)).toEqual(["run", "committed"]);
    for (const m of r.models) expect(m.summary.regimeLabel).toBe("none: no privileged basis");
    expect(r.legends).toHaveLength(2);
    expect(JSON.stringify(r.models[0].stack)).not.toContain("neuron-role");
  });
  it("says so when the article has no level at the run's density", () => {
    const file = runAt(0.3);
    const r = runResult({ ...file, levels: [{ ...file.levels[0], density: 0.33 }] }, committed);
    expect(r.models.map((m) => m.key)).toEqual(["run"]);
    expect(r.noCommitted).toMatch(/^The article's data \(relu-hidden\.json\) has no level at density 0\.33; its densities are 1, 0\.75, /);
  });
  it("takes the article's winners from each file, and checks them when fetched", () => {
    expect(committed["relu-hidden"]!.levels.map((l) => [l.density, l.winner, l.loss])).toEqual(relu.levels.map((l) => [l.density, l.best.model, l.best.loss]));
    expect(committed["relu-hidden"]!.file).toBe("relu-hidden.json");
    expect(parseCommittedData(JSON.parse(JSON.stringify(committed)))).toEqual(committed);
    expect(() => parseCommittedData({ "relu-hidden": { levels: [{ density: 1 }] } })).toThrow("the article's winners of relu-hidden are malformed");
  });
  it("writes the data file as the trainer does, and it validates", () => {
    const text = dataFileText(runAt(0.1));
    expect(text.endsWith("}\n")).toBe(true);
    expect(dataFileSchema.safeParse(JSON.parse(text)).success).toBe(true);
  });
});

describe("npm run browser-bench", () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, [join(root, "scripts/browser-bench.ts"), ...args], { encoding: "utf8" });
  it("refuses a bad flag in one line, with status 2", () => {
    const r = bench("--engine", "gpu");
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("browser-bench: --engine must be webgpu or cpu, got gpu");
    expect(bench("--models", "0").stderr.split("\n")[0]).toBe("browser-bench: --models must be a positive integer, got 0");
  });
  it("times a run in chromium", () => {
    const out = execFileSync(process.execPath, [join(root, "scripts/browser-bench.ts"), "--engine", "cpu", "--models", "2", "--steps", "50", "--json"], { encoding: "utf8" });
    const r = JSON.parse(out);
    expect(r).toMatchObject({ engine: "browser-cpu", models: 2, steps: 50, density: 0.1, workers: 2, kernel: { name: "simd" } });
    expect(r.modelStepsPerSecond).toBeGreaterThan(0);
  }, 60_000);
});
