// Experiments as declarations: the declared list, the cache key of a data file (its recorded config,
// densities and training semantics, never its text), which committed files are fresh, and, end to end, a
// temporary experiment declared through $PB_EXPERIMENTS: `npm run train` trains exactly it, the build
// accepts it while fresh and names it stale once its declaration changes.

import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JSDOM } from "jsdom";
import { tempDirs, sampleDataFile, sampleDataFileV1 } from "./fixtures.ts";
import { ROOT, runAstroBuild } from "./helpers/site-build.ts";
import { EXPERIMENTS, declaredExperiments, findExperiment, inverseDensitySteps, type ExperimentDeclaration } from "../src/experiments/declarations.ts";
import { experimentPlan, experimentStatus, fileKey, keyDifferences, planKey, trainCommand } from "../src/experiments/cache.ts";
import { readDataFile, writeDataFile } from "../src/data/io.ts";
import { geometricImportance } from "../src/model/config.ts";
import { TRAINING_SEMANTICS } from "../src/train/semantics.ts";

const temps = tempDirs();
afterAll(temps.cleanup);
const DATA = join(ROOT, "public", "data");

describe("declarations", () => {
  it("declare each experiment once, each a valid run", () => {
    expect(new Set(EXPERIMENTS.map((e) => e.name)).size).toBe(EXPERIMENTS.length);
    for (const e of EXPERIMENTS) expect(() => experimentPlan(e), e.name).not.toThrow();
    expect(EXPERIMENTS.map((e) => e.name)).toEqual(expect.arrayContaining(["relu-hidden", "linear-hidden", "relu-n20", "relu-n32"]));
  });

  it("give the run a declaration asks for: importance decay^i, the declared densities, stage 2 recorded only when not the default", () => {
    const n32 = experimentPlan(findExperiment("relu-n32")!);
    expect(n32.config).toMatchObject({ features: 32, neurons: 5, modelsPerLevel: 100, steps: 10_000, batchSize: 1024, seed: 0, evalSamples: 32_768 });
    expect(n32.config.importance).toEqual(geometricImportance(32, 0.9));
    expect(n32.config.stage2).toBeUndefined();
    const tiny: ExperimentDeclaration = { ...findExperiment("relu-n20")!, name: "tiny", stage2: { minDraws: 8192, minPresent: 1000 } };
    expect(experimentPlan(tiny).config.stage2).toEqual({ minDraws: 8192, minPresent: 1000 });
    expect(experimentPlan({ ...tiny, stage2: { minDraws: 2 ** 22, minPresent: 4e6 } }).config.stage2).toBeUndefined();
  });

  it("reject a bad declaration with one line naming the experiment and the field", () => {
    const relu = findExperiment("relu-hidden")!;
    expect(() => experimentPlan({ ...relu, name: "Bad Name" })).toThrow(/experiment name 'Bad Name' must be lowercase/);
    expect(() => experimentPlan({ ...relu, densities: [0.5, 0.5] })).toThrow(/^experiment relu-hidden: densities lists a density twice$/);
    expect(() => experimentPlan({ ...relu, densities: [1.5] })).toThrow(/^experiment relu-hidden: density must be in \(0, 1\], got 1.5$/);
    // Per-level steps: recorded in the densities' order, only where they differ from `steps`; a density
    // that is not declared is an error (a typo would otherwise train the declared one for `steps`).
    expect(experimentPlan({ ...relu, densities: [1, 0.1, 0.01], levelSteps: [{ density: 0.01, steps: 40_000 }, { density: 0.1, steps: 10_000 }, { density: 1, steps: 5000 }] }).config.levelSteps)
      .toEqual([{ density: 1, steps: 5000 }, { density: 0.01, steps: 40_000 }]);
    expect(experimentPlan({ ...relu, densities: [1, 0.1], levelSteps: [{ density: 0.1, steps: 10_000 }] }).config).not.toHaveProperty("levelSteps");
    expect(() => experimentPlan({ ...relu, densities: [1, 0.1], levelSteps: [{ density: 0.001, steps: 40_000 }] })).toThrow(/^experiment relu-hidden: levelSteps names density 0.001, which is not one of its densities$/);
    // The declared rule: below 0.02, steps × 0.02/density, rounded up to a thousand, at most 200,000.
    expect(inverseDensitySteps([1, 0.03, 0.02, 0.01, 0.005, 0.003, 0.001, 0.0001], 10_000, 0.02)).toEqual([
      { density: 0.01, steps: 20_000 }, { density: 0.005, steps: 40_000 }, { density: 0.003, steps: 67_000 }, { density: 0.001, steps: 200_000 }, { density: 0.0001, steps: 200_000 },
    ]);
    expect(relu.levelSteps).toEqual([{ density: 0.01, steps: 20_000 }]);
    expect(() => experimentPlan({ ...relu, levelSteps: [{ density: 0.01, steps: 0 }] })).toThrow(/^experiment relu-hidden: config.levelSteps \(density 0.01\) must be an integer/);
    expect(() => experimentPlan({ ...relu, steps: 0 })).toThrow(/^experiment relu-hidden: config.steps must be an integer/);
    expect(() => experimentPlan({ ...relu, importanceDecay: 0 })).toThrow(/^experiment relu-hidden: importanceDecay must be a positive number/);
  });

  it("add the declarations of $PB_EXPERIMENTS, and refuse a bad file or a name declared twice with one line", () => {
    const dir = temps.make("pb-decl-");
    const file = join(dir, "more.json");
    const tiny = { ...findExperiment("relu-n20")!, name: "tiny", densities: [1] };
    writeFileSync(file, JSON.stringify([tiny]));
    expect(declaredExperiments({ PB_EXPERIMENTS: file }).map((e) => e.name)).toEqual([...EXPERIMENTS.map((e) => e.name), "tiny"]);
    expect(declaredExperiments({})).toBe(EXPERIMENTS);
    writeFileSync(file, JSON.stringify([{ ...tiny, name: "relu-n20" }]));
    expect(() => declaredExperiments({ PB_EXPERIMENTS: file })).toThrow(`PB_EXPERIMENTS=${file}: experiment relu-n20 is declared twice`);
    writeFileSync(file, JSON.stringify([{ ...tiny, steps: "many" }]));
    expect(() => declaredExperiments({ PB_EXPERIMENTS: file })).toThrow(new RegExp(`^PB_EXPERIMENTS=${file}: 0\\.steps: `));
    writeFileSync(file, JSON.stringify([{ ...tiny, colour: "red" }]));
    expect(() => declaredExperiments({ PB_EXPERIMENTS: file })).toThrow(/colour/);
    expect(() => declaredExperiments({ PB_EXPERIMENTS: join(dir, "none.json") })).toThrow(/ENOENT/);
  });
});

describe("the cache key", () => {
  const relu = findExperiment("relu-hidden")!;
  const declared = () => {
    const d = sampleDataFile();
    const plan = experimentPlan(relu);
    return { ...d, config: plan.config, levels: plan.densities.map((density) => ({ ...d.levels[0], density })) };
  };

  it("is the file's recorded config, densities and semantics: equal to the declaration's for a file of it", () => {
    const file = declared();
    expect(fileKey(file)).toBe(planKey(experimentPlan(relu)));
    expect(keyDifferences(experimentPlan(relu), file)).toEqual([]);
    // What the key leaves out: the run block (engine, device, times) and the results.
    const other = { ...file, run: { ...file.run, engine: "webgpu", device: "a GPU", trainSeconds: 9 }, levels: file.levels.map((l) => ({ ...l, losses: [...l.losses].map((x) => x / 2) })) };
    expect(fileKey(other)).toBe(fileKey(file));
  });

  it("changes with every declared field and with the semantics, and says what differs", () => {
    const plan = experimentPlan(relu);
    const file = declared();
    const cases: [Partial<ExperimentDeclaration>, string][] = [
      [{ steps: 500 }, "steps: file 10000, declared 500"],
      [{ modelsPerLevel: 10 }, "modelsPerLevel: file 1000, declared 10"],
      [{ features: 11 }, "features: file 10, declared 11"],
      [{ neurons: 4 }, "neurons: file 5, declared 4"],
      [{ importanceDecay: 0.9 }, "importance: file [1, 0.75, 0.5625, … 10 entries], declared [1, 0.9, 0.81, … 10 entries]"],
      [{ batchSize: 64 }, "batchSize: file 1024, declared 64"],
      [{ seed: 3 }, "seed: file 0, declared 3"],
      [{ evalSamples: 1024 }, "evalSamples: file 32768, declared 1024"],
      [{ stage2: { minDraws: 8192, minPresent: 1000 } }, "stage-2 sample (min draws, min present): file [4194304, 4000000], declared [8192, 1000]"],
      [{ densities: [1, 0.5], levelSteps: [] }, "densities: file [1, 0.75, 0.5, … 21 entries], declared [1, 0.5]"],
      [{ levelSteps: [{ density: 0.01, steps: 30_000 }] }, "per-level steps: file [0.01: 20000], declared [0.01: 30000]"],
      [{ levelSteps: [] }, "per-level steps: file [0.01: 20000], declared []"],
      [{ kind: "linear-hidden" }, "model: file relu-hidden, declared linear-hidden"],
    ];
    for (const [change, difference] of cases) {
      const changed = experimentPlan({ ...relu, ...change });
      expect(planKey(changed), difference).not.toBe(planKey(plan));
      expect(keyDifferences(changed, file)).toContain(difference);
    }
    // A file written under other training semantics is stale whatever its config.
    expect(keyDifferences(plan, { ...file, semantics: TRAINING_SEMANTICS - 1 })).toEqual([`training semantics: file ${TRAINING_SEMANTICS - 1}, declared ${TRAINING_SEMANTICS}`]);
    expect(keyDifferences(plan, { ...file, semantics: TRAINING_SEMANTICS })).toEqual([]);
  });

  it("treats a schema-1 file as semantics 1 (winner by one 32,768-draw sample), so stale; schema 2 without the field as 2", () => {
    const v1 = { ...sampleDataFileV1(), config: experimentPlan(relu).config, levels: relu.densities.map((density) => ({ ...sampleDataFileV1().levels[0], density })) };
    expect(keyDifferences(experimentPlan(relu), v1)).toEqual([`training semantics: file 1, declared ${TRAINING_SEMANTICS}`]);
    expect(declared().semantics).toBeUndefined();
    expect(keyDifferences(experimentPlan(relu), declared())).toEqual([]);
  });
});

describe("the committed data files", () => {
  it("are each declared experiment's, and fresh without retraining", () => {
    for (const e of EXPERIMENTS) {
      const s = experimentStatus(e, DATA);
      expect({ name: e.name, state: s.state, reasons: s.reasons }).toEqual({ name: e.name, state: "fresh", reasons: [] });
    }
  });

  it("are the only files in public/data besides their populations", () => {
    const names = readdirSync(DATA).filter((f) => !f.includes(".checkpoint."));
    const expected = EXPERIMENTS.flatMap((e) => {
      const file = readDataFile(join(DATA, `${e.name}.json`));
      return [`${e.name}.json`, ...(file.population ? [file.population.file] : [])];
    });
    expect(names.sort()).toEqual(expected.sort());
  });
});

describe("experimentStatus", () => {
  it("says missing, invalid, stale or fresh", () => {
    const dir = temps.make("pb-status-");
    const e = findExperiment("relu-hidden")!;
    expect(experimentStatus(e, dir)).toMatchObject({ state: "missing", reasons: ["file not found"] });
    writeFileSync(join(dir, "relu-hidden.json"), "{");
    expect(experimentStatus(e, dir)).toMatchObject({ state: "invalid", reasons: [expect.stringContaining("not valid JSON")] });
    const d = sampleDataFile();
    writeDataFile(join(dir, "relu-hidden.json"), d);
    expect(experimentStatus(e, dir)).toMatchObject({ state: "stale", reasons: expect.arrayContaining(["modelsPerLevel: file 3, declared 1000", "steps: file 10, declared 10000"]) });
    expect(experimentStatus(e, dir).extendable).toBe(false);
    const same = { ...e, modelsPerLevel: 3, steps: 10, densities: [1, 0.1], levelSteps: [] };
    expect(experimentStatus(same, dir)).toMatchObject({ state: "fresh", reasons: [], extendable: false });
    // Stale only in its densities or per-level steps: --extend can keep its other levels.
    expect(experimentStatus({ ...same, densities: [1, 0.1, 0.05] }, dir)).toMatchObject({ state: "stale", extendable: true });
    expect(experimentStatus({ ...same, levelSteps: [{ density: 0.1, steps: 20 }] }, dir)).toMatchObject({ state: "stale", extendable: true });
    expect(experimentStatus({ ...same, densities: [1, 0.1, 0.05], seed: 1 }, dir)).toMatchObject({ state: "stale", extendable: false });
  });
});

describe("a temporary experiment, end to end (train on the CPU, build, change the declaration)", () => {
  // Tiny: 2 levels × 2 models × 30 steps (45 at density 0.2) of n = 6, m = 3, with small selection samples.
  const tiny: ExperimentDeclaration = {
    name: "tiny-test", kind: "relu-hidden", features: 6, neurons: 3, importanceDecay: 0.8, densities: [1, 0.2],
    modelsPerLevel: 2, steps: 30, levelSteps: [{ density: 0.2, steps: 45 }], batchSize: 16, seed: 5, evalSamples: 256, stage2: { minDraws: 8192, minPresent: 1000 },
  };
  const dir = temps.make("pb-tiny-data-");
  const declarations = join(temps.make("pb-tiny-decl-"), "experiments.json");
  // The article as committed, plus a page of the author's own on the new experiment, written with the
  // article's components and props only (README, "Extend the write-up").
  const content = temps.make("pb-tiny-content-");
  cpSync(join(ROOT, "content"), content, { recursive: true });
  mkdirSync(join(content, "tiny"));
  writeFileSync(
    join(content, "tiny", "01-tiny.mdx"),
    `---
title: A tiny experiment
description: The test's own chapter.
order: 1
page: tiny
---

## Tiny

Best of <Value name="tiny-test.K" /> models with n = <Value name="tiny-test.n" />; see <FigRef id="fig-tiny-codes" />.

<WeightFigure id="fig-tiny" experiment="tiny-test" density={0.2} views={["matrix", "stack"]}>
**The tiny winner.**
</WeightFigure>

<CodeSizesFigure id="fig-tiny-codes" experiment="tiny-test">
**Its code sizes.**
</CodeSizesFigure>

<CodeStructureTable experiment="tiny-test" />
`,
  );
  const env = { PB_EXPERIMENTS: declarations, PB_DATA_DIR: dir, PB_CONTENT_DIR: content };
  const train = (args: string[]) =>
    spawnSync(process.execPath, ["scripts/train.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  const declare = (e: ExperimentDeclaration) => writeFileSync(declarations, JSON.stringify([e]));
  const bannerOf = (outDir: string) => new JSDOM(readFileSync(join(outDir, "index.html"), "utf8")).window.document.querySelector(".stale-banner")?.textContent?.replace(/\s+/g, " ");

  it("npm run train trains exactly it; the build takes it while fresh and names it stale after its declaration changes", async () => {
    for (const f of readdirSync(DATA)) if (!f.includes(".checkpoint.")) copyFileSync(join(DATA, f), join(dir, f));
    declare(tiny);
    let r = train(["--check"]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("tiny-test: missing: file not found");
    expect(r.stderr).toContain("1 experiment to train (tiny-test): npm run train");
    for (const e of EXPERIMENTS) expect(r.stderr).toContain(`${e.name}: fresh`);

    r = train(["--engine", "cpu", "--threads", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("tiny-test: missing: file not found → training");
    expect(r.stderr).toContain("training 1 experiment: tiny-test");
    expect(r.stderr).toContain(`wrote ${join(dir, "tiny-test.json")} (2 levels)`);
    const file = readDataFile(join(dir, "tiny-test.json"));
    expect(file).toMatchObject({ semantics: TRAINING_SEMANTICS, config: { features: 6, neurons: 3, steps: 30, levelSteps: [{ density: 0.2, steps: 45 }], stage2: { minDraws: 8192, minPresent: 1000 } } });
    // Each level trained its own steps: the convergence diagnostic, retraining each winner from its seed
    // to that level's steps, reproduces it bit for bit (30 steps at density 0.2 would not), and reads it
    // on at the same multiples; the continuation fine-tunes for the level's steps.
    const cv = file.diagnostics!.convergence!;
    expect(cv.steps).toEqual([30, 60, 120]);
    expect(cv.levels.map((c) => [c.density, c.steps, c.reproduction])).toEqual([[1, undefined, 0], [0.2, [45, 90, 180], 0]]);
    expect(file.diagnostics!.continuation.levels.map((c) => c.steps)).toEqual([undefined, 45]);
    expect(r.stderr).toContain("2 models × 30 steps (45 at density 0.2)");
    expect(train(["--check"])).toMatchObject({ status: 0, stderr: expect.stringContaining("all 5 declared experiments are fresh: nothing to train") });

    // Fresh: the build takes it, without a banner, and serves its files.
    const fresh = temps.make("pb-tiny-out-");
    let b = await runAstroBuild(fresh, env);
    expect(b.status, b.output.slice(-3000)).toBe(0);
    expect(bannerOf(fresh)).toBeUndefined();
    expect(readFileSync(join(fresh, "data", "tiny-test.json"), "utf8")).toBe(readFileSync(join(dir, "tiny-test.json"), "utf8"));
    // The author's page: its own numbering, the experiment's facts, figures and table.
    const page = new JSDOM(readFileSync(join(fresh, "tiny", "index.html"), "utf8")).window.document;
    expect([...page.querySelectorAll("figure.figure")].map((f) => [f.id, f.querySelector(".figure-number")?.textContent])).toEqual([["fig-tiny", "Figure 1."], ["fig-tiny-codes", "Figure 2."]]);
    expect(page.querySelector('a.xref[href="#fig-tiny-codes"]')?.textContent).toBe("Figure 2");
    expect(page.querySelector('[data-fact="tiny-test.K"]')?.textContent).toBe("2");
    expect(page.querySelector('[data-fact="tiny-test.n"]')?.textContent).toBe("6");
    expect(page.querySelector("#fig-tiny .panel-group-sub")?.textContent).toContain("tiny-test: n\u00a0=\u00a06, m\u00a0=\u00a03");
    expect(page.querySelectorAll("table.code-table tbody tr")).toHaveLength(2);
    expect(page.body.textContent).not.toMatch(/\bNaN\b|\bundefined\b/);

    // The declaration changes: its file is stale, and the build stops saying why and how to refresh it.
    declare({ ...tiny, steps: 40 });
    b = await runAstroBuild(temps.make("pb-tiny-out-"), env);
    expect(b.status).not.toBe(0);
    expect(b.output).toContain(`Data file ${join(dir, "tiny-test.json")} is stale: steps: file 30, declared 40.`);
    expect(b.output).toContain(`Retrain it with: ${trainCommand(tiny)} --out ${join(dir, "tiny-test.json")}`);
    expect(b.output).not.toContain("--extend"); // new steps everywhere: nothing to keep
    expect(b.output).toContain('Or build from them anyway, under a "stale data" banner: PB_ALLOW_STALE=1 npm run build');
    // …unless asked to build anyway: then the page says so.
    const stale = temps.make("pb-tiny-out-");
    b = await runAstroBuild(stale, { ...env, PB_ALLOW_STALE: "1" });
    expect(b.status, b.output.slice(-3000)).toBe(0);
    expect(bannerOf(stale)).toContain("tiny-test: stale (steps: file 30, declared 40); refresh with npm run train -- tiny-test");
    r = train(["--check"]);
    expect(r).toMatchObject({ status: 1, stderr: expect.stringContaining("tiny-test: stale: steps: file 30, declared 40\n") });

    // A density added to the declaration: `--extend` trains only it and keeps the file's two levels.
    declare({ ...tiny, densities: [1, 0.2, 0.1] });
    expect(train(["--check"]).stderr).toContain("tiny-test: stale: densities: file [1, 0.2], declared [1, 0.2, 0.1] (--extend would train only the changed densities)");
    b = await runAstroBuild(temps.make("pb-tiny-out-"), env);
    expect(b.status).not.toBe(0);
    expect(b.output).toContain(`Or train only the changed densities, keeping its other levels: ${trainCommand(tiny)} --out ${join(dir, "tiny-test.json")} --extend`);
    r = train(["--extend", "--engine", "cpu", "--threads", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`extending ${join(dir, "tiny-test.json")}: 2 of 3 levels already trained`);
    const extended = readDataFile(join(dir, "tiny-test.json"));
    expect(extended.levels.map((l) => l.density)).toEqual([1, 0.2, 0.1]);
    expect(extended.levels.slice(0, 2)).toEqual(file.levels);
    expect(train(["--check"])).toMatchObject({ status: 0, stderr: expect.stringContaining("all 5 declared experiments are fresh: nothing to train") });
  }, 300_000);
});
