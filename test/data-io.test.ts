// The data file format: round trip, rejection of corrupt files, atomic writes.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sampleDataFile, sampleDataFileV1, tempDirs } from "./fixtures.ts";
import { SCHEMA_V2, type DataFile } from "../src/data/schema.ts";
import { experimentPlan, reproduceCommand } from "../src/experiments/cache.ts";
import { findExperiment } from "../src/experiments/declarations.ts";
import { DEFAULT_DENSITIES, defaultConfig } from "../src/model/config.ts";
import { parseTrainArgs } from "../src/train/cli.ts";
import { DataFileError, parseDataFile, readDataFile, writeDataFile, writeFileAtomic } from "../src/data/io.ts";

const temps = tempDirs();
const tmp = () => temps.make("pb-io-");
afterAll(temps.cleanup);

describe("data files", () => {
  it("round-trip through write and read unchanged (schema 3; schema 2 and 1 files are still read)", () => {
    const dir = tmp();
    const perLevel = { ...sampleDataFile(), config: { ...sampleDataFile().config, levelSteps: [{ density: 0.1, steps: 40 }] } };
    for (const data of [sampleDataFile(), perLevel, { ...sampleDataFile(), schema: SCHEMA_V2 } as DataFile, sampleDataFileV1()]) {
      writeDataFile(join(dir, "relu-hidden.json"), data);
      expect(readDataFile(join(dir, "relu-hidden.json"))).toEqual(data);
      expect(readdirSync(dir)).toEqual(["relu-hidden.json"]); // no temp file left behind
    }
  });

  // Schema 2's selection must agree with the losses it was made from.
  const selectionCorruptions: [string, (d: any) => void, RegExp][] = [
    ["modelLosses of the wrong length", (d) => d.levels[0].modelLosses.pop(), /levels\.0\.modelLosses: 2 entries, not modelsPerLevel 3/],
    ["modelLosses that are not the losses", (d) => (d.levels[0].modelLosses[0] = 0.0031), /the finite modelLosses, sorted, must be `losses`/],
    ["a null loss that is not a diverged model", (d) => ((d.levels[1].modelLosses = [0.0005, 0.0006, 0.0004]), (d.levels[1].losses = [0.0004, 0.0005, 0.0006])), /diverged/],
    ["a level without its selection", (d) => delete d.levels[1].selection, /schema 2 levels record modelLosses and selection/],
    ["a winner that is not the stage-2 best", (d) => (d.levels[0].selection.winner = 1), /winner must be the candidate with the smallest stage-2 loss/],
    ["best.model other than the winner", (d) => (d.levels[1].best.model = 2), /best\.model must be the selection's winner/],
    ["best.loss other than the winner's held-out loss", (d) => (d.levels[1].best.loss = 0.0004), /best\.loss must be the winner's held-out loss/],
    ["a diverged model as a candidate", (d) => d.levels[1].selection.candidates.push({ model: 1, loss: 0.1, se: 0.01 }), /candidate 1 is not a finished model/],
    ["candidates out of stage-1 order", (d) => d.levels[0].selection.candidates.reverse(), /stage-1 order/],
    ["a wrong stage-1 best", (d) => (d.levels[0].selection.stage1.best = 1), /stage1\.best must be the model with the smallest loss/],
    ["a tie flag that contradicts the runner-up's difference", (d) => (d.levels[1].selection.tie = false), /tie must say whether the runner-up is within tieSE/],
    ["no paired difference for the runner-up", (d) => (d.levels[0].selection.paired = []), /runner-up's paired difference is missing/],
    ["a negative standard error", (d) => (d.levels[0].selection.candidates[0].se = -1), /se/],
    ["selection in a schema-1 file", (d) => (d.schema = "privileged-basis/1"), /modelLosses and selection need schema privileged-basis\/2/],
    ["per-level steps in a schema-2 file", (d) => ((d.schema = "privileged-basis/2"), (d.config.levelSteps = [{ density: 0.1, steps: 40 }])), /config\.levelSteps: per-level steps need schema privileged-basis\/3/],
    ["a density listed twice in levelSteps", (d) => (d.config.levelSteps = [{ density: 0.1, steps: 40 }, { density: 0.1, steps: 50 }]), /config\.levelSteps\.1: density 0\.1 is listed twice/],
    ["a levelSteps entry equal to config.steps", (d) => (d.config.levelSteps = [{ density: 0.1, steps: 10 }]), /density 0\.1: 10 steps is config\.steps; list only densities that differ/],
    ["a levelSteps entry of 0 steps", (d) => (d.config.levelSteps = [{ density: 0.1, steps: 0 }]), /config\.levelSteps\.0\.steps/],
  ];
  for (const [what, corrupt, message] of selectionCorruptions) {
    it(`rejects a schema-2 file with ${what}`, () => {
      const d = structuredClone(sampleDataFile()) as any;
      corrupt(d);
      expect(() => parseDataFile("public/data/relu-hidden.json", JSON.stringify(d))).toThrow(message);
    });
  }

  const corruptions: [string, (d: any) => void, RegExp][] = [
    ["wrong schema id", (d) => (d.schema = "privileged-basis/0"), /schema/],
    ["losses not ascending", (d) => (d.levels[0].losses = [0.001, 0.003, 0.002]), /ascending/],
    ["losses + diverged ≠ K", (d) => d.levels[0].losses.pop(), /modelsPerLevel/],
    ["W of the wrong shape", (d) => d.levels[0].best.W.pop(), /W must be 5×10/],
    // One row short or long, in the second level only (the fixture's levels share one W array: replace it).
    ["a W row with fewer than n entries", (d) => (d.levels[1].best.W = d.levels[1].best.W.map((r: number[], j: number) => (j === 2 ? r.slice(0, 9) : r))), /levels\.1\.best\.W: W must be 5×10/],
    ["a W row with more than n entries", (d) => (d.levels[1].best.W = d.levels[1].best.W.map((r: number[], j: number) => (j === 4 ? [...r, 0] : r))), /levels\.1\.best\.W: W must be 5×10/],
    ["an empty W row", (d) => (d.levels[0].best.W = d.levels[0].best.W.map((r: number[], j: number) => (j === 0 ? [] : r))), /levels\.0\.best\.W: W must be 5×10/],
    ["a W row holding a non-number", (d) => (d.levels[1].best.W = d.levels[1].best.W.map((r: number[], j: number) => (j === 1 ? [...r.slice(0, 9), "0.5"] : r))), /levels\.1\.best\.W\.1\.9/],
    ["b of the wrong length", (d) => d.levels[1].best.b.push(0), /b must have 10/],
    ["best.model not one of the K models", (d) => (d.levels[0].best.model = 3), /model 3 is not one of the 3 models \(0 … 2\)/],
    ["best.model not an integer", (d) => (d.levels[0].best.model = 1.5), /model/],

    ["density outside (0, 1]", (d) => (d.levels[0].density = 1.5), /density/],
    ["duplicate density", (d) => (d.levels[1].density = 1), /duplicate density/],
    ["unknown model", (d) => (d.model = "gelu-hidden"), /model/],
    ["missing run block", (d) => delete d.run, /run/],
    ["importance of the wrong length", (d) => d.config.importance.pop(), /importance/],
  ];
  for (const [what, corrupt, message] of corruptions) {
    it(`rejects a file with ${what}, naming the file`, () => {
      const d = structuredClone(sampleDataFile());
      corrupt(d);
      const err = (() => {
        try {
          parseDataFile("public/data/relu-hidden.json", JSON.stringify(d));
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(DataFileError);
      expect(err!.message).toMatch(/^public\/data\/relu-hidden\.json: /);
      expect(err!.message).toMatch(message);
      expect(err!.message).not.toContain("\n");
    });
  }

  it("rejects a schema-1 file whose best.loss is not the minimum", () => {
    const d = sampleDataFileV1();
    d.levels[0].best.loss = 0.002;
    expect(() => parseDataFile("x.json", JSON.stringify(d))).toThrow(/^x\.json: .*levels\.0\.best\.loss: best\.loss must equal the smallest loss/);
  });

  it("names only the level whose W has a short row", () => {
    const d = structuredClone(sampleDataFile());
    d.levels[1].best.W = d.levels[1].best.W.map((r, j) => (j === 2 ? r.slice(0, 9) : r));
    expect(d.levels[0].best.W[2]).toHaveLength(10);
    expect(() => parseDataFile("x.json", JSON.stringify(d))).toThrow(/^x\.json: does not match schema privileged-basis\/3 or privileged-basis\/2 or privileged-basis\/1: levels\.1\.best\.W: W must be 5×10$/);
  });

  it("rejects invalid JSON and missing files with the file's name", () => {
    expect(() => parseDataFile("x.json", "{ not json")).toThrow(/^x\.json: not valid JSON/);
    expect(() => readDataFile("/nonexistent/y.json")).toThrow(/^\/nonexistent\/y\.json: file not found$/);
  });

  it("refuses to write an invalid file and leaves the existing one intact", () => {
    const dir = tmp();
    const path = join(dir, "relu-hidden.json");
    writeDataFile(path, sampleDataFile());
    const before = readFileSync(path, "utf8");
    const bad = sampleDataFile();
    bad.levels[0].best.W[0][0] = NaN;
    expect(() => writeDataFile(path, bad)).toThrow(/refusing to write/);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["relu-hidden.json"]);
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file in one step and cleans up when the write fails", () => {
    const dir = tmp();
    const path = join(dir, "a.json");
    writeFileAtomic(path, "one");
    writeFileAtomic(path, "two");
    expect(readFileSync(path, "utf8")).toBe("two");
    // A destination that is a directory makes the rename fail: the old content and no temp file remain.
    const blocked = join(dir, "blocked");
    mkdirSync(blocked);
    writeFileSync(join(blocked, "keep"), "x");
    expect(() => writeFileAtomic(blocked, "three")).toThrow();
    expect(readdirSync(dir).sort()).toEqual(["a.json", "blocked"]);
  });

  it("creates missing directories", () => {
    const dir = tmp();
    writeFileAtomic(join(dir, "a", "b", "c.json"), "{}");
    expect(readFileSync(join(dir, "a", "b", "c.json"), "utf8")).toBe("{}");
  });
});

describe("reproduceCommand", () => {
  const relu = findExperiment("relu-hidden")!, linear = findExperiment("linear-hidden")!;
  it("names the experiment, the engine and every config value that differs from the declaration, and only those", () => {
    const d = sampleDataFile();
    expect(reproduceCommand(d, relu)).toBe("npm run train -- relu-hidden --models 3 --steps 10 --levels 1,0.1 --out relu-hidden-run.json --engine cpu --kernel simd");
    const full = { ...d, config: defaultConfig({ seed: 7 }), levels: DEFAULT_DENSITIES.map((density) => ({ ...d.levels[0], density })) };
    const declared = { ...d, config: experimentPlan(relu).config, levels: DEFAULT_DENSITIES.map((density) => ({ ...d.levels[0], density })) };
    expect(reproduceCommand(declared, relu)).toBe("npm run train -- relu-hidden --engine cpu --kernel simd");
    // Per-level steps other than the declaration's: named, and parsed back.
    const longer = { ...declared, config: { ...declared.config, levelSteps: [{ density: 0.02, steps: 30_000 }, { density: 0.01, steps: 50_000 }] } };
    expect(reproduceCommand(longer, relu)).toBe("npm run train -- relu-hidden --level-steps 0.02:30000,0.01:50000 --out relu-hidden-run.json --engine cpu --kernel simd");
    expect(parseTrainArgs(reproduceCommand(longer, relu).replace("npm run train -- ", "").split(" ")).run!.config).toEqual(longer.config);
    const none = { ...declared, config: defaultConfig() };
    expect(reproduceCommand(none, relu)).toBe("npm run train -- relu-hidden --level-steps none --out relu-hidden-run.json --engine cpu --kernel simd");
    expect(parseTrainArgs(reproduceCommand(none, relu).replace("npm run train -- ", "").split(" ")).run!.config).toEqual(none.config);
    // A file of densities without per-level steps (the in-page trainer's, one density) needs no flag.
    const one = { ...d, config: defaultConfig(), levels: [{ ...d.levels[0], density: 0.3 }] };
    expect(reproduceCommand(one, relu)).toBe("npm run train -- relu-hidden --levels 0.3 --out relu-hidden-run.json --engine cpu --kernel simd");
    expect(parseTrainArgs(reproduceCommand(one, relu).replace("npm run train -- ", "").split(" ")).run!.config).toEqual(one.config);
    const linearLevels = linear.densities.map((density) => ({ ...d.levels[0], density }));
    expect(reproduceCommand({ ...full, levels: linearLevels, run: { ...d.run, engine: "webgpu", kernel: undefined } }, linear)).toBe("npm run train -- linear-hidden --seed 7 --out linear-hidden-run.json --engine webgpu");
    // A CPU file names its kernel, which the CLI reads back (it implies the cpu engine).
    expect(parseTrainArgs(reproduceCommand(d, relu).replace("npm run train -- ", "").split(" "))).toMatchObject({ engine: "cpu", cpuKernel: "simd" });
    const gpuRun = { ...d.run, engine: "webgpu", kernel: { name: "private", workgroupSize: 64 } };
    expect(reproduceCommand({ ...declared, run: gpuRun }, relu)).toBe("npm run train -- relu-hidden --engine webgpu --kernel private --workgroup 64");
    expect(parseTrainArgs(reproduceCommand({ ...full, run: gpuRun }, relu).replace("npm run train -- ", "").split(" "))).toMatchObject({ engine: "webgpu", kernel: "private", workgroupSize: 64 });
  });

  it("gives a command the CLI parses back to the same config and levels", () => {
    const d = sampleDataFile();
    const o = parseTrainArgs(reproduceCommand(d, relu).replace("npm run train -- ", "").split(" "));
    expect(o.run!.config).toEqual(d.config);
    expect(o.run!.densities).toEqual(d.levels.map((l) => l.density));
    expect(o.run!.kind).toBe(d.model);
  });
});
