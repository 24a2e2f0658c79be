// The training CLI: flag errors, checkpoint/resume (in process and through a real SIGINT), divergence.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirs } from "./fixtures.ts";
import { UsageError, parseTrainArgs } from "../src/train/cli.ts";
import { findExperiment } from "../src/experiments/declarations.ts";
import { defaultConfig } from "../src/model/config.ts";
import { checkpointPath, checkpointPopulationPath, populationPath, runExperiment, selectBest } from "../src/train/best-of-k.ts";
import { modelParams, populationExpectation, readPopulationFile } from "../src/data/population.ts";
import { createCpuEngine } from "../src/train/cpu-engine.ts";
import { localEvaluator } from "../src/train/evaluator.ts";
import { createCpuKernel } from "../src/train/cpu-kernel.ts";
import type { Engine, RunKernel } from "../src/train/engine.ts";
import { readDataFile } from "../src/data/io.ts";

const root = new URL("..", import.meta.url).pathname;
const train = (args: string[]) => spawnSync(process.execPath, ["scripts/train.ts", ...args], { cwd: root, encoding: "utf8" });
const temps = tempDirs();
const tmp = () => temps.make("pb-cli-");
afterAll(temps.cleanup);

describe("parseTrainArgs", () => {
  it("without a name or config flag trains what is stale; a name or --model is its declaration, the paper's defaults for relu-hidden", () => {
    expect(parseTrainArgs([])).toMatchObject({ mode: "stale", engine: "auto" });
    expect(parseTrainArgs([]).run).toBeUndefined();
    expect(parseTrainArgs(["--engine", "cpu", "--threads", "1"])).toMatchObject({ mode: "stale", engine: "cpu", threads: 1 });
    expect(parseTrainArgs(["--check"])).toMatchObject({ mode: "check" });
    expect(parseTrainArgs([]).convergence).toBe(true);
    expect(parseTrainArgs(["--no-convergence"])).toMatchObject({ mode: "stale", convergence: false });
    for (const args of [["relu-hidden"], ["--model", "relu"]]) {
      const o = parseTrainArgs(args);
      expect(o.mode).toBe("one");
      expect(o.run!.kind).toBe("relu-hidden");
      expect(o.run!.config.modelsPerLevel).toBe(1000);
      expect(o.run!.config.steps).toBe(10_000);
      expect(o.run!.densities).toHaveLength(21);
      expect(o.run!.out).toBe("public/data/relu-hidden.json");
      expect(o.run!.overrides).toEqual([]);
    }
    // --model linear is linear-hidden's declaration, with its five levels.
    expect(parseTrainArgs(["--model", "linear"]).run).toMatchObject({ kind: "linear-hidden", densities: [1, 0.5, 0.3, 0.1, 0.03], out: "public/data/linear-hidden.json" });
    expect(parseTrainArgs(["relu-n32"]).run!.config).toMatchObject({ features: 32, neurons: 5, modelsPerLevel: 100 });
    // A flag equal to the declaration overrides nothing, so it may write the declared file.
    expect(parseTrainArgs(["linear-hidden", "--levels", "1,0.5,0.3,0.1,0.03", "--models", "1000"]).run!.overrides).toEqual([]);
  });

  it("reads every flag", () => {
    const o = parseTrainArgs(["--model", "linear", "--models", "7", "--steps", "99", "--levels", "1,0.5,0.01", "--engine", "cpu", "--seed", "42", "--batch", "32", "--eval-samples", "100", "--threads", "1", "--out", "x.json", "--no-resume", "--verbose"]);
    expect(o).toMatchObject({ mode: "one", engine: "cpu", threads: 1, resume: false, extend: false, verbose: true });
    expect(parseTrainArgs(["relu-n32", "--extend"])).toMatchObject({ mode: "one", extend: true, resume: true });
    expect(parseTrainArgs(["--extend"])).toMatchObject({ mode: "stale", extend: true });
    expect(o.run).toMatchObject({ kind: "linear-hidden", densities: [1, 0.5, 0.01], out: "x.json", overrides: ["--models", "--steps", "--seed", "--batch", "--eval-samples", "--levels"] });
    expect(o.run!.config).toMatchObject({ modelsPerLevel: 7, steps: 99, seed: 42, batchSize: 32, evalSamples: 100 });
    // Config flags without a name are a quick run of relu-hidden.
    expect(parseTrainArgs(["--models", "4", "--out", "q.json"]).run).toMatchObject({ kind: "relu-hidden", out: "q.json", overrides: ["--models"] });
    expect(parseTrainArgs(["--engine", "webgpu", "--kernel", "workgroup", "--workgroup", "32"])).toMatchObject({ kernel: "workgroup", workgroupSize: 32 });
    expect(parseTrainArgs([])).toMatchObject({ kernel: undefined, cpuKernel: undefined, workgroupSize: undefined, verbose: false });
    // A CPU kernel picks the cpu engine (under auto, or with --engine cpu).
    expect(parseTrainArgs(["--kernel", "simd"])).toMatchObject({ engine: "cpu", cpuKernel: "simd", kernel: undefined });
    expect(parseTrainArgs(["--engine", "cpu", "--kernel", "reference"])).toMatchObject({ engine: "cpu", cpuKernel: "reference" });
  });

  it("takes the declaration's per-level steps; --steps replaces them, --level-steps names its own (none: none)", () => {
    const declared = parseTrainArgs(["relu-n20"]).run!;
    expect(declared.config.levelSteps).toEqual(findExperiment("relu-n20")!.levelSteps);
    expect(declared.config.levelSteps!.slice(0, 3)).toEqual([{ density: 0.01, steps: 20_000 }, { density: 0.005, steps: 40_000 }, { density: 0.003, steps: 67_000 }]);
    expect(declared.overrides).toEqual([]);
    const steps = parseTrainArgs(["relu-n20", "--steps", "500", "--out", "x.json"]).run!;
    expect(steps.config).toMatchObject({ steps: 500 });
    expect(steps.config).not.toHaveProperty("levelSteps");
    expect(steps.overrides).toEqual(["--steps"]);
    const own = parseTrainArgs(["relu-n20", "--steps", "500", "--level-steps", "0.01:2000,0.003:500", "--out", "x.json"]).run!;
    // An entry equal to --steps is no exception: dropped.
    expect(own.config).toMatchObject({ steps: 500, levelSteps: [{ density: 0.01, steps: 2000 }] });
    expect(parseTrainArgs(["relu-n20", "--level-steps", "none", "--out", "x.json"]).run).toMatchObject({ overrides: ["--level-steps"] });
    expect(parseTrainArgs(["relu-n20", "--level-steps", "none", "--out", "x.json"]).run!.config).not.toHaveProperty("levelSteps");
    // --steps equal to the declared steps still drops the per-level steps: a run that is not the declaration.
    expect(parseTrainArgs(["relu-n20", "--steps", "10000", "--out", "x.json"]).run).toMatchObject({ overrides: ["--steps"] });
    expect(() => parseTrainArgs(["relu-n20", "--steps", "10000"])).toThrow(/^--steps: overrides relu-n20's declaration/);
    // A run of some densities records the per-level steps of those only.
    expect(parseTrainArgs(["relu-n20", "--levels", "0.1,0.005", "--out", "x.json"]).run!.config.levelSteps).toEqual([{ density: 0.005, steps: 40_000 }]);
    expect(parseTrainArgs(["relu-n20", "--levels", "0.1", "--out", "x.json"]).run).toMatchObject({ overrides: ["--levels"] });
    expect(parseTrainArgs(["relu-n20", "--levels", "0.1", "--out", "x.json"]).run!.config).not.toHaveProperty("levelSteps");
  });

  const bad: [string[], RegExp][] = [
    [["--bogus"], /--bogus/],
    [["--levels", "0.5,0"], /--levels: density 0 is outside \(0, 1\]/],
    [["--levels", "1.5"], /--levels: density 1\.5 is outside/],
    [["--levels", "0.5,abc"], /--levels: 'abc' is not a number/],
    [["--levels", "0.5,0.5"], /listed twice/],
    [["--models", "0"], /--models: must be between 1/],
    [["--models", "2.5"], /--models: expected an integer/],
    [["--steps", "ten"], /--steps: expected an integer, got 'ten'/],
    [["--engine", "tpu"], /--engine: expected one of auto, cpu, webgpu, got 'tpu'/],
    [["--model", "gelu"], /--model: expected relu or linear/],
    [["--seed", "-1"], /--seed/],
    [["--models"], /--models/],
    [["--kernel", "shared"], /--kernel: expected one of simd, reference \(cpu\) or private, workgroup \(webgpu\), got 'shared'/],
    [["--engine", "webgpu", "--kernel", "simd"], /--kernel simd: a cpu kernel, not for --engine webgpu/],
    [["--kernel", "reference", "--workgroup", "32"], /--workgroup: applies to the webgpu engine only, not --kernel reference/],
    [["--workgroup", "48"], /--workgroup: must be a power of two, got 48/],
    [["--workgroup", "2048"], /--workgroup: must be between 1 and 1024/],
    [["--engine", "cpu", "--kernel", "private"], /--kernel: applies to the webgpu engine only/],
    [["--engine", "webgpu", "--threads", "1"], /--threads: applies to the cpu engine only/],
    // A negative number is the flag's value, judged by the flag's own check (not Node's "ambiguous").
    [["--models", "-1"], /^--models: expected an integer, got '-1'$/],
    [["--levels", "-0.1"], /^--levels: density -0\.1 is outside \(0, 1\]$/],
    [["--levels", "1e-9"], /--levels: density 1e-9 is too small/],
    [["--models", "2", "--models", "3"], /^--models: given more than once$/],
    [["--batch", String(2 ** 20 + 1)], /--batch: must be between 1 and 1048576/],
    [["--eval-samples", String(2 ** 32 - 1)], /--eval-samples: must be between 1 and 16777216/],
    [["--threads", String(availableParallelism() + 1)], new RegExp(`--threads: must be between 1 and ${availableParallelism()}`)],
    // Declared experiments: an unknown name, two names, a name with --model, and an override that
    // would land on the declared file.
    [["relu-n99"], /^unknown experiment 'relu-n99' \(declared: relu-hidden, linear-hidden, relu-n20, relu-n32\)$/],
    [["relu-n20", "relu-n32"], /expected at most one experiment name/],
    [["relu-n20", "--model", "relu"], /--model: not with an experiment name/],
    [["relu-n20", "--steps", "10"], /^--steps: overrides relu-n20's declaration; write the run elsewhere with --out FILE/],
    [["--model", "relu", "--models", "64"], /^--models: overrides relu-hidden's declaration/],
    [["--models", "64", "--out", "public/data/relu-hidden.json"], /^--models: overrides relu-hidden's declaration/],
    [["--check", "relu-n20"], /--check: checks every declared experiment/],
    [["--check", "--extend"], /^--extend: trains; not with --check/],
    [["--level-steps", "0.01"], /^--level-steps: expected density:steps pairs separated by commas, got '0\.01'$/],
    [["--level-steps", "0.01:0"], /^--level-steps: must be between 1/],
    [["--level-steps", "2:100"], /^--level-steps: density 2 is outside \(0, 1\]$/],
    [["--level-steps", "0.1:5,0.1:6"], /^--level-steps: density 0\.1 is listed twice$/],
    [["--level-steps", ""], /--level-steps: expected density:steps pairs/],
    [["relu-hidden", "--level-steps", "0.01:40000"], /^--level-steps: overrides relu-hidden's declaration/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(" ")}`, () => {
      expect(() => parseTrainArgs(args)).toThrow(UsageError);
      expect(() => parseTrainArgs(args)).toThrow(message);
    });
  }
});

describe("npm run train", () => {
  it("exits 2 with one line naming the flag on bad input, writing nothing", () => {
    const dir = tmp();
    for (const [args, flag] of [[["--levels", "2"], "--levels"], [["--nope"], "--nope"], [["--models", "0"], "--models"]] as const) {
      const r = train([...args, "--out", join(dir, "out.json")]);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(flag);
    }
    expect(existsSync(join(dir, "out.json"))).toBe(false);
  });

  it("checks --out before training: one line naming it, exit 2, nothing touched", () => {
    const dir = tmp();
    mkdirSync(join(dir, "adir"));
    writeFileSync(join(dir, "afile"), "keep");
    const cases: [string, RegExp][] = [
      [join(dir, "adir"), /is a directory/],
      [join(dir, "adir") + "/", /names a directory/],
      [join(dir, "afile", "x.json"), /'.*afile' is not a directory/],
      ["/dev/null", /not a regular file; refusing to replace it/],
      [join(dir, "n".repeat(245) + ".json"), /ENAMETOOLONG/],
    ];
    for (const [out, message] of cases) {
      const r = train(["--engine", "cpu", "--models", "1", "--steps", "1", "--levels", "0.5", "--out", out]);
      expect(r.status, out).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines, out).toHaveLength(1);
      expect(lines[0]).toMatch(/^train: --out: /);
      expect(lines[0]).toMatch(message);
    }
    expect(readFileSync(join(dir, "afile"), "utf8")).toBe("keep");
    expect(readFileSync("/dev/null", "utf8")).toBe("");
  });

  it("reports every model finished on its last progress line", () => {
    const r = train(["--engine", "cpu", "--threads", "1", "--models", "2", "--steps", "20", "--batch", "16", "--eval-samples", "64", "--levels", "0.5,0.1", "--out", join(tmp(), "o.json")]);
    expect(r.status, r.stderr).toBe(0);
    const progress = r.stderr.split("\n").filter((l) => l.includes("model-steps"));
    expect(progress.at(-1)).toContain("models 4/4");
    expect(r.stderr).toContain("(2 levels)");
  });

  it("prints help", () => {
    const r = train(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--levels");
    expect(r.stdout).toContain("--verbose");
  });

  it("survives SIGINT: exits 130 keeping finished levels, and a re-run resumes", async () => {
    const dir = tmp();
    const out = join(dir, "relu-hidden.json");
    // Level 1 is quick; level 0.5 is slow enough to be interrupted.
    const args = ["scripts/train.ts", "--engine", "cpu", "--threads", "1", "--models", "1", "--batch", "64", "--eval-samples", "256", "--out", out];
    const child = spawn(process.execPath, [...args, "--steps", "600000", "--levels", "1,0.5"], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (stderr.includes("density 1: model 0 wins")) (clearInterval(poll), child.kill("SIGINT"), resolve());
      }, 50);
      child.on("exit", () => (clearInterval(poll), reject(new Error(`exited early: ${stderr}`))));
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain(`finished levels are kept in ${checkpointPath(out)}: re-run the same command to resume`);
    expect(existsSync(out)).toBe(false);
    const ckpt = JSON.parse(readFileSync(checkpointPath(out), "utf8"));
    expect(ckpt.levels.map((l: { density: number }) => l.density)).toEqual([1]);
    // The re-run must use the same config to resume; with a shorter --steps it would start afresh.
    const again = spawnSync(process.execPath, [...args, "--steps", "600000", "--levels", "1"], { cwd: root, encoding: "utf8" });
    expect(again.stderr).toContain("resuming from");
    expect(again.stderr).toContain("1 of 1 level already trained");
    expect(again.status).toBe(0);
    expect(readDataFile(out).levels[0].best).toEqual(ckpt.levels[0].best);
    expect(existsSync(checkpointPath(out))).toBe(false);
  });
});

describe("npm run train, interrupted before any level finished", () => {
  /** Starts a long run, interrupts it once training has started, returns its exit code and stderr. */
  async function interrupted(out: string, extra: string[] = []) {
    const child = spawn(process.execPath, ["scripts/train.ts", "--engine", "cpu", "--threads", "1", "--models", "1", "--steps", "2000000", "--levels", "0.5", "--out", out, ...extra], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const poll = setInterval(() => stderr.includes("engine cpu on") && (clearInterval(poll), child.kill("SIGINT")), 50);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => (clearInterval(poll), resolve(c))));
    return { code, stderr };
  }

  it("says that nothing was saved", async () => {
    const out = join(tmp(), "relu-hidden.json");
    const { code, stderr } = await interrupted(out);
    expect(code).toBe(130);
    expect(stderr).toContain("train: interrupted before any level finished; nothing was saved");
    expect(stderr).not.toContain("re-run the same command");
    expect(existsSync(checkpointPath(out))).toBe(false);
  });

  it("with --no-resume, says that the earlier checkpoint is untouched (not that it holds this run's levels)", async () => {
    const out = join(tmp(), "relu-hidden.json");
    writeFileSync(checkpointPath(out), "an earlier run's checkpoint");
    const { code, stderr } = await interrupted(out, ["--no-resume"]);
    expect(code).toBe(130);
    expect(stderr).toContain(`nothing was saved (the earlier ${checkpointPath(out)} is untouched)`);
    expect(stderr).not.toContain("re-run the same command");
    expect(readFileSync(checkpointPath(out), "utf8")).toBe("an earlier run's checkpoint");
  });
});

/** Stage-2 samples of 16,384 draws instead of ≥ 4·10⁶: the selection's logic, not its precision, is under
 *  test here (test/selection.test.ts has the statistics). */
const SMALL_STAGE2 = { minDraws: 16_384, minPresent: 1000 };

describe("runExperiment", () => {
  const config = defaultConfig({ modelsPerLevel: 2, steps: 30, batchSize: 32, evalSamples: 512 });
  const densities = [1, 0.3, 0.05];

  /** Wraps the CPU engine, recording which levels it trains and optionally crashing once some are
   *  finished (selected and checkpointed); with `kernel`, it reports that kernel as a GPU engine would.
   *  Finished levels are handed on one at a time (the engine may finish the next level while a winner is
   *  being selected), so that a crash after N levels leaves exactly N in the checkpoint. */
  function instrumented(crashAfter = Infinity, kernel?: RunKernel) {
    const inner = createCpuEngine({ threads: 1 });
    const trained: number[] = [];
    let chain = Promise.resolve();
    const engine: Engine = {
      name: inner.name,
      device: inner.device,
      kernel: (kind, config) => kernel ?? inner.kernel(kind, config),
      close: () => inner.close(),
      train: (req) => inner.train({
        ...req,
        onLevel: (l) =>
          (chain = chain.then(async () => {
            trained.push(l.density);
            await req.onLevel(l);
            if (trained.length >= crashAfter) throw new Error("simulated crash");
          })),
      }),
    };
    return { engine, trained };
  }

  /** A run that crashes after `levels` finished levels, leaving its checkpoint beside `out` (in a fresh
   *  directory); returns the paths and the densities it trained. */
  async function crashedRun(levels: number, kernel?: RunKernel) {
    const dir = tmp();
    const out = join(dir, "relu-hidden.json");
    const crashing = instrumented(levels, kernel);
    await expect(runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: crashing.engine, out })).rejects.toThrow("simulated crash");
    await crashing.engine.close();
    return { dir, out, trained: crashing.trained };
  }

  it("loses at most the level in progress on a crash, and resumes to the same result", async () => {
    const { dir, out, trained: crashed } = await crashedRun(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(checkpointPath(out))).toBe(true);

    const logs: string[] = [];
    const resumed = instrumented();
    const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: resumed.engine, out, log: (l) => logs.push(l) });
    await resumed.engine.close();
    expect(resumed.trained).toHaveLength(2); // only the two levels not checkpointed
    expect(resumed.trained).not.toContain(crashed[0]);
    expect(logs.join("\n")).toContain("resuming");
    expect(data.levels.map((l) => l.density)).toEqual(densities);
    expect(existsSync(checkpointPath(out))).toBe(false);

    const fresh = instrumented();
    const whole = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: fresh.engine, out: join(dir, "fresh.json") });
    await fresh.engine.close();
    expect(whole.levels).toEqual(data.levels);
    // The whole population beside the data file, named with its size and hash; the resumed run's (its
    // first level from the checkpoint's population) has the fresh run's bits.
    expect(existsSync(checkpointPopulationPath(out))).toBe(false);
    const bytes = readFileSync(populationPath(out));
    expect(data.population).toEqual({ file: "relu-hidden.population.bin", bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(bytes.equals(readFileSync(populationPath(join(dir, "fresh.json"))))).toBe(true);
    const pop = readPopulationFile(populationPath(out), populationExpectation(data));
    expect(pop.data).toHaveLength(3 * config.modelsPerLevel * 60);
    expect(data.run.engine).toBe("cpu");
    expect(data.run.kernel).toEqual({ name: "simd" });
    expect(data.run.trainSeconds).toBeGreaterThan(0);
  });

  it("records each level's winner, and that model retrained alone gives the written W, b and loss", async () => {
    const many = defaultConfig({ modelsPerLevel: 6, steps: 40, batchSize: 32, evalSamples: 512 });
    const { engine } = instrumented();
    const out = join(tmp(), "winners.json");
    const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config: many, densities, engine, out });
    await engine.close();
    const kernel = createCpuKernel("relu-hidden", many);
    const pop = readPopulationFile(populationPath(out), populationExpectation(data));
    for (const [li, level] of data.levels.entries()) {
      // The population holds the winner, as float32.
      expect(Array.from(modelParams(pop, li, level.best.model!))).toEqual(Array.from(Float32Array.from([...level.best.W.flat(), ...level.best.b])));
      const winner = level.best.model!;
      expect(winner).toBeGreaterThanOrEqual(0);
      expect(winner).toBeLessThan(many.modelsPerLevel);
      const { params } = kernel.train(level.density, winner);
      expect(Array.from(params.subarray(0, 50))).toEqual(level.best.W.flat());
      expect(Array.from(params.subarray(50))).toEqual(level.best.b);
      expect(kernel.evalLoss(level.density, params)).toBe(level.best.loss);
    }
    // With this seed the winners are not all model 0, so a constant index would fail above.
    expect(data.levels.map((l) => l.best.model).some((k) => k !== 0)).toBe(true);
  });

  it("trains each level for its own steps (one engine call per step count), checkpointing its convergence entry with it", async () => {
    const own = { ...config, levelSteps: [{ density: 0.05, steps: 45 }] };
    const calls: [number, number[]][] = [];
    const inner = createCpuEngine({ threads: 1 });
    const engine: Engine = { ...inner, name: inner.name, device: inner.device, kernel: inner.kernel, close: inner.close, train: (req) => (calls.push([req.config.steps, req.densities]), inner.train(req)) };
    const out = join(tmp(), "steps.json");
    const progress: number[][] = [];
    const data = await runExperiment({
      stage2: SMALL_STAGE2, kind: "relu-hidden", config: own, densities, engine, out,
      onProgress: (p) => progress.push([p.modelStepsDone, p.modelStepsTotal, p.modelsDone, p.modelsTotal]),
    });
    await engine.close();
    expect(calls).toEqual([[30, [1, 0.3]], [45, [0.05]]]);
    // Progress runs over both calls: 2 models × (30 + 30 + 45) steps, 6 models.
    expect(progress.at(-1)).toEqual([210, 210, 6, 6]);
    expect(progress.every((p, k) => k === 0 || p[0] >= progress[k - 1][0])).toBe(true);
    expect(data.config.levelSteps).toEqual([{ density: 0.05, steps: 45 }]);
    // Every model of 0.05 is the kernel's 45-step model (not its 30-step one).
    const kernel = createCpuKernel("relu-hidden", own);
    const pop = readPopulationFile(populationPath(out), populationExpectation(data));
    for (let k = 0; k < own.modelsPerLevel; k++) {
      expect(Array.from(modelParams(pop, 2, k))).toEqual(Array.from(Float32Array.from(kernel.train(0.05, k, 45).params)));
      expect(Array.from(modelParams(pop, 2, k))).not.toEqual(Array.from(Float32Array.from(kernel.train(0.05, k, 30).params)));
      expect(Array.from(modelParams(pop, 1, k))).toEqual(Array.from(Float32Array.from(kernel.train(0.3, k, 30).params)));
    }
    // The diagnostics read each level at its own steps; the data file is valid (its schema checks them).
    const cv = data.diagnostics!.convergence!;
    expect(cv.levels.map((c) => c.steps ?? cv.steps)).toEqual([[30, 60, 120], [30, 60, 120], [45, 90, 180]]);
    expect(cv.levels.every((c) => c.reproduction === 0)).toBe(true);
    expect(data.diagnostics!.continuation.levels.map((c) => c.steps)).toEqual([undefined, undefined, 45]);
    expect(readDataFile(out)).toEqual(data);
  });

  it("resumes the convergence entries a checkpoint holds instead of computing them again", async () => {
    const { out } = await crashedRun(2);
    const ckpt = JSON.parse(readFileSync(checkpointPath(out), "utf8"));
    expect(ckpt.convergence.levels.map((c: { density: number }) => c.density).sort()).toEqual(ckpt.levels.map((l: { density: number }) => l.density).sort());
    // Plant a recognisable (but valid) entry: if the resumed run kept it, the file holds it.
    ckpt.convergence.levels[0].reproduction = 1e-3;
    writeFileSync(checkpointPath(out), JSON.stringify(ckpt));
    const resumed = instrumented();
    const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: resumed.engine, out });
    await resumed.engine.close();
    const kept = data.diagnostics!.convergence!.levels.find((c) => c.density === ckpt.convergence.levels[0].density)!;
    expect(kept.reproduction).toBe(1e-3);
    expect(data.diagnostics!.convergence!.levels.filter((c) => c.reproduction === 0)).toHaveLength(2);
  });

  it("--extend trains only the densities the file lacks and those whose steps changed, keeping the others as trained", async () => {
    const dir = tmp();
    const out = join(dir, "relu-hidden.json");
    const first = instrumented();
    await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities: [1, 0.3], engine: first.engine, out });
    await first.engine.close();
    const before = readDataFile(out);
    const beforePop = readPopulationFile(populationPath(out), populationExpectation(before));
    // Plant a recognisable (but valid) convergence entry: if the run kept density 1's, the file holds it.
    const planted = JSON.parse(readFileSync(out, "utf8"));
    planted.diagnostics.convergence.levels[0].reproduction = 1e-3;
    writeFileSync(out, JSON.stringify(planted));

    const logs: string[] = [];
    const more = instrumented();
    const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: more.engine, out, extend: true, log: (l) => logs.push(l) });
    await more.engine.close();
    expect(more.trained).toEqual([0.05]);
    expect(logs.join("\n")).toContain(`extending ${out}: 2 of 3 levels already trained`);
    expect(data.levels.slice(0, 2)).toEqual(before.levels);
    expect(data.diagnostics!.convergence!.levels[0].reproduction).toBe(1e-3);
    expect(data.diagnostics!.convergence!.levels.slice(1).map((c) => c.reproduction)).toEqual([0, 0]);
    // The kept levels' models are the file's, bit for bit; the whole is what one run of all three gives.
    const pop = readPopulationFile(populationPath(out), populationExpectation(data));
    expect(Array.from(pop.data.subarray(0, beforePop.data.length))).toEqual(Array.from(beforePop.data));
    const fresh = instrumented();
    const whole = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: fresh.engine, out: join(dir, "fresh.json") });
    await fresh.engine.close();
    expect(data.levels).toEqual(whole.levels);
    expect(readFileSync(populationPath(out)).equals(readFileSync(populationPath(join(dir, "fresh.json"))))).toBe(true);
    expect(data.run.trainSeconds).toBeGreaterThan(before.run.trainSeconds);

    // New steps at 0.3: that level trains again, density 1 and 0.05 are kept.
    const longer = instrumented();
    const own = { ...config, levelSteps: [{ density: 0.3, steps: 45 }] };
    const again = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config: own, densities, engine: longer.engine, out, extend: true });
    await longer.engine.close();
    expect(longer.trained).toEqual([0.3]);
    expect(again.levels[0]).toEqual(data.levels[0]);
    expect(again.levels[2]).toEqual(data.levels[2]);
    expect(again.config.levelSteps).toEqual([{ density: 0.3, steps: 45 }]);
  });

  it("--extend refuses a file trained otherwise or missing, in one line naming it, and trains nothing", async () => {
    const dir = tmp();
    const out = join(dir, "relu-hidden.json");
    const other = instrumented();
    await expect(runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: other.engine, out, extend: true })).rejects.toThrow(
      `--extend: ${out} does not exist (train the experiment without --extend first)`,
    );
    await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities: [1], engine: other.engine, out });
    const saved = readFileSync(out, "utf8");
    other.trained.length = 0;
    await expect(runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config: { ...config, seed: 1, batchSize: 64 }, densities, engine: other.engine, out, extend: true })).rejects.toThrow(
      new RegExp(`^--extend: ${out.replace(/[.]/g, "\\.")} was trained otherwise \\(batchSize 32, this run 64; seed 0, this run 1\\): train it without --extend$`),
    );
    await expect(runExperiment({ stage2: SMALL_STAGE2, kind: "linear-hidden", config, densities, engine: other.engine, out, extend: true })).rejects.toThrow(/model relu-hidden, this run linear-hidden/);
    await other.engine.close();
    expect(other.trained).toEqual([]);
    expect(readFileSync(out, "utf8")).toBe(saved);
    expect(existsSync(checkpointPath(out))).toBe(false);
  });

  it("refuses to overwrite the checkpoint of another config, naming the difference, unless told not to resume", async () => {
    const { out } = await crashedRun(1);
    const saved = readFileSync(checkpointPath(out), "utf8");
    const other = instrumented();
    await expect(runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config: { ...config, seed: 1 }, densities, engine: other.engine, out })).rejects.toThrow(
      /relu-hidden\.json\.checkpoint\.json holds trained levels \(1\) of another run \(seed 0, this run 1\): .*--no-resume/,
    );
    expect(other.trained).toHaveLength(0);
    expect(readFileSync(checkpointPath(out), "utf8")).toBe(saved);
    await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config: { ...config, seed: 1 }, densities, engine: other.engine, out, resume: false });
    await other.engine.close();
    expect(other.trained).toHaveLength(3);
    expect(readDataFile(out).config.seed).toBe(1);
  });

  it("ignores a checkpoint whose levels would not make a valid data file", async () => {
    const { out } = await crashedRun(1);
    const ckpt = JSON.parse(readFileSync(checkpointPath(out), "utf8"));
    const corruptions: [string, (c: any) => void][] = [
      ["a W of the wrong shape", (c) => c.levels[0].best.W.pop()],
      ["losses out of order", (c) => (c.levels[0].losses = [...c.levels[0].losses].reverse(), c.levels[0].losses[0] === c.levels[0].losses[1] && (c.levels[0].losses[0] += 1))],
      ["K losses missing", (c) => c.levels[0].losses.pop()],
      ["no trainSeconds", (c) => delete c.trainSeconds],
      // Its population (the checkpointed levels' models): missing, truncated, or of another level.
      ["its population missing", () => rmSync(checkpointPopulationPath(out))],
      ["its population truncated", () => writeFileSync(checkpointPopulationPath(out), goodPopulation.subarray(0, goodPopulation.length - 4))],
      ["its population of another level", (c) => (c.levels[0].density = 0.3)],
    ];
    const goodPopulation = readFileSync(checkpointPopulationPath(out));
    for (const [what, corrupt] of corruptions) {
      const bad = structuredClone(ckpt);
      writeFileSync(checkpointPopulationPath(out), goodPopulation);
      corrupt(bad);
      writeFileSync(checkpointPath(out), JSON.stringify(bad));
      const logs: string[] = [];
      const fresh = instrumented();
      const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: fresh.engine, out, log: (l) => logs.push(l) });
      await fresh.engine.close();
      expect(fresh.trained, what).toHaveLength(3);
      expect(logs.join("\n"), what).toContain(`ignoring unreadable checkpoint ${checkpointPath(out)}`);
      expect(data.levels, what).toHaveLength(3);
    }
  });

  it("keeps the checkpoint's levels that a run with other --levels does not train", async () => {
    const { out, trained: crashed } = await crashedRun(2);
    const [first, second] = crashed;
    const logs: string[] = [];
    const one = instrumented();
    const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities: [first], engine: one.engine, out, log: (l) => logs.push(l) });
    await one.engine.close();
    expect(one.trained).toHaveLength(0);
    expect(data.levels.map((l) => l.density)).toEqual([first]);
    // The other trained level is still in the checkpoint, and a run that wants it resumes it.
    expect(logs.join("\n")).toContain(`kept ${checkpointPath(out)}: it holds 1 trained level not in ${out} (${second})`);
    expect(JSON.parse(readFileSync(checkpointPath(out), "utf8")).levels.map((l: { density: number }) => l.density)).toEqual([second]);
    const rest = instrumented();
    await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: rest.engine, out });
    await rest.engine.close();
    expect(rest.trained).toEqual(densities.filter((d) => d !== second));
    expect(existsSync(checkpointPath(out))).toBe(false);
  });

  it("records the engine's kernel, and resumes a checkpoint made with another kernel only when told to discard it", async () => {
    const { out } = await crashedRun(1, { name: "private", workgroupSize: 64 });
    expect(JSON.parse(readFileSync(checkpointPath(out), "utf8")).kernel).toEqual({ name: "private", workgroupSize: 64 });
    const other = instrumented(Infinity, { name: "private", workgroupSize: 128 });
    await expect(runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: other.engine, out })).rejects.toThrow(
      /another run \(kernel \{"name":"private","workgroupSize":64\}, this run \{"name":"private","workgroupSize":128\}\)/,
    );
    const data = await runExperiment({ stage2: SMALL_STAGE2, kind: "relu-hidden", config, densities, engine: other.engine, out, resume: false });
    await other.engine.close();
    expect(other.trained).toHaveLength(3);
    expect(data.run.kernel).toEqual({ name: "private", workgroupSize: 128 });
    expect(readDataFile(out).run.kernel).toEqual({ name: "private", workgroupSize: 128 });
  });
});

describe("gitCommit", () => {
  it("names the commit a bundled trainer was built with, else the checkout's commit, else unknown", () => {
    const script = `import { gitCommit } from ${JSON.stringify(join(root, "src/train/best-of-k.ts"))}; console.log(gitCommit());`;
    const run = (cwd: string, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8", env: { ...process.env, ...env } }).stdout.trim();
    const outside = tmp();
    expect(run(outside, { PB_TRAINER_COMMIT: "0123456789ab" })).toBe("0123456789ab");
    expect(run(outside, { PB_TRAINER_COMMIT: "" })).toBe("unknown");
    expect(run(root, { PB_TRAINER_COMMIT: "0123456789ab" })).toBe("0123456789ab"); // the bundle's code trains
    expect(run(root, { PB_TRAINER_COMMIT: "" })).toMatch(/^[0-9a-f]{12}(-dirty)?$/);
  });

  it("is read once per process: a commit made while it runs does not change what it records", () => {
    const repo = tmp();
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, encoding: "utf8" }).stdout.trim();
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "first");
    const first = git("rev-parse", "--short=12", "HEAD");
    const script = `import { execFileSync } from "node:child_process";
import { gitCommit } from ${JSON.stringify(join(root, "src/train/best-of-k.ts"))};
const before = gitCommit();
execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "second"]);
console.log(before, gitCommit());`;
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repo, encoding: "utf8", env: { ...process.env, PB_TRAINER_COMMIT: "" } });
    expect(out.stdout.trim()).toBe(`${first} ${first}`);
    expect(git("rev-parse", "--short=12", "HEAD")).not.toBe(first);
  });
});

describe("selectBest", () => {
  it("reports diverged models and never writes them out; records every loss by model index and the winner's W, b", async () => {
    const config = defaultConfig({ evalSamples: 256 });
    const good = (v: number) => Float64Array.from({ length: 60 }, (_, i) => (v + i) / 100);
    const nan = good(0);
    nan[7] = NaN;
    const logs: string[] = [];
    const level = await selectBest(localEvaluator("relu-hidden", config), config, { density: 0.1, params: [good(1), nan, good(2)], evalLosses: Float64Array.of(0.3, 0.1, 0.2), seconds: 1 }, (l) => logs.push(l));
    expect(level.diverged).toBe(1);
    expect(level.losses).toEqual([0.2, 0.3]);
    expect(level.modelLosses).toEqual([0.3, null, 0.2]);
    // Both finished models are stage-2 candidates (fewer than MIN_CANDIDATES); the diverged one is not.
    expect(level.selection!.candidates.map((c) => c.model)).toEqual([2, 0]);
    expect(level.selection!.stage1.best).toBe(2);
    const winner = level.best.model!;
    expect(winner).toBe(level.selection!.winner);
    expect(level.best.loss).toBe(level.modelLosses![winner]);
    // W is row-major in the parameters: W[j][i] = params[j·n + i], then b; the winner's own.
    expect(level.best.W).toEqual(Array.from({ length: 5 }, (_, j) => Array.from(good(winner === 0 ? 1 : 2).subarray(j * 10, j * 10 + 10))));
    expect(level.best.b).toEqual(Array.from(good(winner === 0 ? 1 : 2).subarray(50)));
    expect(logs).toEqual([expect.stringContaining("model 1 diverged")]);
    await expect(selectBest(localEvaluator("relu-hidden", config), config, { density: 0.1, params: [nan], evalLosses: Float64Array.of(NaN), seconds: 1 })).rejects.toThrow(/every model diverged/);
  });
});

describe("engine selection (npm run train --engine …)", () => {
  // A machine without a GPU: Dawn sees SwiftShader (from Debian's chromium) or, with a bogus ICD, nothing.
  const tiny = (batch = 16) => ["--models", "1", "--steps", "5", "--batch", String(batch), "--eval-samples", "64", "--levels", "0.5"];
  // Pinned to SwiftShader unless a test names another ICD, so a GPU machine's own driver settings
  // (VK_DRIVER_FILES) cannot change what these tests see.
  const run = (args: string[], env: NodeJS.ProcessEnv = {}, base = tiny()) => {
    const full: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: "/usr/lib/chromium/vk_swiftshader_icd.json", XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? "/tmp", ...env };
    delete full.VK_DRIVER_FILES;
    return spawnSync(process.execPath, ["scripts/train.ts", ...base, ...args, "--out", join(tmp(), "out.json")], { cwd: root, encoding: "utf8", env: full, timeout: 120_000 });
  };

  it("auto falls back to the CPU, with a notice, when the only adapter is software (SwiftShader)", () => {
    const r = run(["--engine", "auto"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/notice: the only WebGPU adapter is a software one \(SwiftShader/);
    expect(r.stderr).toContain("engine cpu on");
  });

  it("auto falls back to the CPU, with a notice, when Dawn finds no adapter", () => {
    const r = run(["--engine", "auto", "--kernel", "private"], { VK_ICD_FILENAMES: "/nonexistent/icd.json" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/notice: no WebGPU adapter \(Dawn found no WebGPU adapter.*; training on the CPU instead \(--kernel and --workgroup apply to WebGPU only\)/);
    expect(r.stderr).toContain("engine cpu on");
  });

  it("--engine webgpu without an adapter is an error that says why", () => {
    const r = run(["--engine", "webgpu"], { VK_ICD_FILENAMES: "/nonexistent/icd.json" });
    expect(r.status).toBe(1);
    // The Vulkan loader prints its own warnings first; ours is one line, last, with no stack trace.
    const lines = r.stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^train: Dawn found no WebGPU adapter \(VK_ICD_FILENAMES=\/nonexistent\/icd\.json/);
    expect(r.stderr).not.toMatch(/^\s+at .*train\.ts/m);
  });

  it("--engine webgpu takes the software adapter when asked to", () => {
    const r = run(["--engine", "webgpu"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/engine webgpu on SwiftShader/);
    expect(r.stderr).toContain(`webgpu: software adapter SwiftShader driver`);
  });

  // Without a GPU's device node (NVIDIA's or a DRM render node) the system has no hardware adapter; on a
  // GPU machine this one is skipped (test/webgpu.test.ts checks the choice there).
  const gpuNode = readdirSync("/dev").some((f) => /^nvidia\d/.test(f)) || (existsSync("/dev/dri") && readdirSync("/dev/dri").some((f) => f.startsWith("render")));
  it.skipIf(gpuNode)("auto with no driver named looks at the system's drivers first; here SwiftShader follows and is declined", () => {
    const r = run(["--engine", "auto"], { VK_ICD_FILENAMES: undefined });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^webgpu: software adapter SwiftShader.* from SwiftShader \(VK_ICD_FILENAMES=.*\), as the system's Vulkan drivers gave no hardware adapter/m);
    expect(r.stderr).toMatch(/notice: the only WebGPU adapter is a software one \(SwiftShader/);
    expect(r.stderr).toContain("engine cpu on");
  });

  // The engine's internal lines: waves and workgroup, and the busy chunk waits.
  const internal = /wave\(s\)|chunk waits|workgroup \d+ threads/;
  const lowered = (stderr: string) => stderr.split("\n").filter((l) => l.includes("workgroup of 1024 threads asked for"));

  it("prints no internal lines without --verbose, but says in one line that --workgroup was lowered", () => {
    const r = run(["--engine", "webgpu", "--workgroup", "1024"], {}, tiny(1024));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(internal);
    // SwiftShader has 32 KiB of workgroup memory: 1024 threads of the private kernel need 246 KiB.
    expect(lowered(r.stderr)).toEqual(["webgpu: workgroup of 1024 threads asked for, 128 used: the private kernel's workgroup memory must fit the adapter's maxComputeWorkgroupStorageSize (32768 bytes)"]);
  });

  it("--verbose prints the engine's internal lines", () => {
    const r = run(["--engine", "webgpu", "--workgroup", "1024", "--verbose"], {}, tiny(1024));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^webgpu: relu-hidden 5×10, 1 levels × 1 models in 1 wave\(s\); private kernel, workgroup 128 threads, /m);
    expect(r.stderr).toMatch(/^webgpu: \d+ of \d+ chunk waits found the GPU still busy after the sleep/m);
    expect(lowered(r.stderr)).toHaveLength(1);
  });
});
