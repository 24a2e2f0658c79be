// Command-line parsing for `npm run train`, kept apart from the script so tests can call it directly.
// Every bad flag or value becomes a UsageError with one line naming the flag.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { availableParallelism } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { join, resolve } from "node:path";
import { validateConfig, validateDensity, type LevelSteps, type ModelKind, type TrainConfig } from "../model/config.ts";
import { declaredExperiments, findExperiment, trainDataDirectory, type ExperimentDeclaration } from "../experiments/declarations.ts";
import { experimentPlan } from "../experiments/cache.ts";
import { ENGINE_CHOICES, type EngineChoice } from "./engines.ts";
import { KERNEL_NAMES, type KernelName } from "./webgpu/layout.ts";
import { CPU_KERNEL_NAMES, type CpuKernelName } from "./cpu-kernel.ts";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Upper limits on --batch and --eval-samples: 1024 times the paper's batch and the default held-out
 *  sample. A single step or evaluation pass cannot be interrupted on the GPU, so absurd sizes (up to
 *  2^32) would make Ctrl-C wait for minutes; nothing in the experiment needs more. */
export const MAX_BATCH = 1024 * 1024;
export const MAX_EVAL_SAMPLES = 1024 * 16384;
/** Models per level, for train and bench alike (a level's K losses and best weights live in memory). */
export const MAX_MODELS = 1_000_000;
/**
 * The smallest density the data stream draws faithfully: a feature is present when a 32-bit word is at
 * most ⌊d·2^32⌋ − 1, so below 1000/2^32 ≈ 2.3e-7 the drawn density is more than 0.1% off d (and at
 * 2^-32 it is exactly 0).
 */
export const MIN_DENSITY = 1000 / 2 ** 32;

export const TRAIN_USAGE = `usage: npm run train -- [NAME] [options]

  (no NAME, no config flag)   train every declared experiment (src/experiments/declarations.ts, and
                        the JSON file $PB_EXPERIMENTS names) whose data file (in public/data, or
                        $PB_DATA_DIR) is missing or stale, one after another, and say which and why
  --check               only say which declared experiments are fresh, stale or missing (exit 1 if any
                        is not fresh); trains nothing
  NAME                  train that declared experiment into public/data/NAME.json (even if it is fresh)
  --model relu|linear   the same as NAME relu-hidden or linear-hidden

Config flags override the declaration for a quick run; the result must go elsewhere (--out):
  --models K            models per density level; the best on held-out data is kept
  --steps N             optimizer steps per model, at every density (replaces the declared per-level steps)
  --level-steps d:N,... these densities train N steps instead of --steps (none: every density --steps)
  --levels a,b,...      densities 1−S in (0, 1]
  --seed S              root seed, an integer in [0, 2^32)
  --batch B             batch size, at most ${MAX_BATCH.toLocaleString("en")}
  --eval-samples E      held-out draws per level, at most ${MAX_EVAL_SAMPLES.toLocaleString("en")}
  --out FILE            output file (default public/data/NAME.json, or $PB_DATA_DIR/NAME.json)

Run flags (any mode):
  --engine auto|cpu|webgpu   (default auto: WebGPU on a hardware adapter, else CPU)
  --threads T           CPU engine worker threads, at most the number of cores (default: all cores)
  --kernel simd|reference      CPU kernel (default simd: float32 in WebAssembly SIMD; reference: the plain
                        float64 trainer, some 50× slower); implies --engine cpu
  --kernel private|workgroup   WebGPU training kernel (default: private for models of <= 128 parameters)
  --workgroup W         WebGPU threads per workgroup, a power of two (default 64 private, 128 workgroup)
  --no-convergence      skip the convergence diagnostic (16 models per level retrained to 4× the steps, about
                        60 % more work); add it later with npm run diagnose -- FILE --convergence-only
  --no-resume           ignore a checkpoint left by an earlier run (this run's first finished level replaces it)
  --extend              keep the levels of the existing data file that this run would train the same way
                        (same model, engine, kernel, semantics, config and steps) and train only the others:
                        densities added to a declaration, or whose steps changed. Without a NAME: each
                        stale experiment's file (a missing one trains whole)
  --verbose             also print the engine's internal diagnostics (WebGPU waves, workgroup, busy chunk waits)
  -h, --help            show this help`;

/** One run: a declared experiment, with the config flags applied. */
export interface TrainRun {
  experiment: ExperimentDeclaration;
  kind: ModelKind;
  config: TrainConfig;
  densities: number[];
  out: string;
  /** The config flags whose value differs from the declaration ("--models", …). */
  overrides: string[];
}

export interface TrainOptions {
  /** "stale": every declared experiment whose data is missing or stale (the script finds which);
   *  "check": only say which those are; "one": `run`. */
  mode: "stale" | "check" | "one";
  run?: TrainRun;
  engine: EngineChoice;
  threads?: number;
  /** WebGPU kernel. */
  kernel?: KernelName;
  cpuKernel?: CpuKernelName;
  workgroupSize?: number;
  resume: boolean;
  /** Keep the data file's levels that this run would train the same way (--extend). */
  extend: boolean;
  /** Run the convergence diagnostic after training (--no-convergence: not). */
  convergence: boolean;
  verbose: boolean;
  help: boolean;
}

/**
 * One-line usage errors for a script (scripts/bench.ts, scripts/gpu-bench.ts): `fail` prints
 * "<script>: message" and exits 2; `flag` runs one of this module's parsers and turns its UsageError
 * into `fail`.
 */
export interface UsageExits {
  fail(message: string): never;
  flag<T>(parse: () => T): T;
}
export function usageExits(script: string): UsageExits {
  const fail = (message: string): never => {
    console.error(`${script}: ${message}`);
    process.exit(2);
  };
  return {
    fail,
    flag<T>(parse: () => T): T {
      try {
        return parse();
      } catch (e) {
        return fail((e as Error).message);
      }
    },
  };
}

/**
 * node:util parseArgs with the project's one-line errors, shared by the scripts: Node's own message's
 * first line (it names the flag); a flag given twice is an error (not "the last one wins"); and a
 * negative number after a flag that takes a value ("--models -1") is read as that flag's value, so the
 * flag's own check can say what is wrong with it instead of Node's "argument is ambiguous".
 */
export function parseCliArgs<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, allowPositionals = false) {
  const joined: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    if (name && options[name]?.type === "string" && k + 1 < argv.length && /^-(\d|\.\d)/.test(argv[k + 1])) joined.push(`${a}=${argv[++k]}`);
    else joined.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joined, strict: true, allowPositionals, options, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name}: given more than once`);
    seen.add(t.name);
  }
  return allowPositionals ? { ...parsed.values, _: parsed.positionals } : parsed.values;
}

/** `raw` as an integer in [min, max], or a UsageError naming --flag. Shared with scripts/bench.ts. */
export function integer(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`--${flag}: expected an integer, got '${raw}'`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${flag}: must be between ${min} and ${max}, got ${raw}`);
  return v;
}

/** `raw` as an engine choice, or a UsageError naming --engine. Shared with scripts/bench.ts. */
export function engineChoice(raw: string): EngineChoice {
  if (!(ENGINE_CHOICES as readonly string[]).includes(raw)) throw new UsageError(`--engine: expected one of ${ENGINE_CHOICES.join(", ")}, got '${raw}'`);
  return raw as EngineChoice;
}

/** `raw` as a WebGPU kernel name, or a UsageError naming --kernel. Shared with scripts/gpu-bench.ts. */
export function kernelName(raw: string, flag = "--kernel"): KernelName {
  if (!(KERNEL_NAMES as readonly string[]).includes(raw)) throw new UsageError(`${flag}: expected one of ${KERNEL_NAMES.join(", ")}, got '${raw}'`);
  return raw as KernelName;
}

/** `raw` as threads per workgroup: a power of two in [1, 1024], or a UsageError naming `flag`. */
export function workgroupSizeFlag(raw: string, flag = "--workgroup"): number {
  const v = integer(flag.replace(/^--/, ""), raw, 1, 1024);
  if ((v & (v - 1)) !== 0) throw new UsageError(`${flag}: must be a power of two, got ${raw}`);
  return v;
}

/** --level-steps: "d:N,d:N" (a density and its steps, each density once), or "none". */
export function parseLevelSteps(raw: string): LevelSteps[] {
  if (raw.trim() === "none") return [];
  const out: LevelSteps[] = [];
  for (const part of raw.split(",").map((s) => s.trim())) {
    const m = /^([^:]+):([^:]+)$/.exec(part);
    if (!m) throw new UsageError(`--level-steps: expected density:steps pairs separated by commas, got '${part}'`);
    const [density] = parseDensities(m[1], "--level-steps");
    if (out.some((l) => l.density === density)) throw new UsageError(`--level-steps: density ${m[1]} is listed twice`);
    out.push({ density, steps: integer("level-steps", m[2], 1, 2 ** 32 - 1) });
  }
  return out;
}

/** A comma-separated list of distinct densities in [MIN_DENSITY, 1]; errors name `flag` (the train CLI's --levels). */
export function parseDensities(raw: string, flag = "--levels"): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) throw new UsageError(`${flag}: expected a comma-separated list of densities, got '${raw}'`);
  const out: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (!/^[0-9.eE+-]+$/.test(p) || !Number.isFinite(v)) throw new UsageError(`${flag}: '${p}' is not a number`);
    try {
      validateDensity(v);
    } catch {
      throw new UsageError(`${flag}: density ${p} is outside (0, 1]`);
    }
    if (v < MIN_DENSITY) throw new UsageError(`${flag}: density ${p} is too small: below ${MIN_DENSITY.toPrecision(2)} the 32-bit presence test cannot draw it faithfully`);
    if (out.includes(v)) throw new UsageError(`${flag}: density ${p} is listed twice`);
    out.push(v);
  }
  return out;
}

export function parseTrainArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrainOptions {
  let experiments: readonly ExperimentDeclaration[];
  try {
    experiments = declaredExperiments(env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values: Record<string, string | boolean | string[] | undefined> = parseCliArgs(argv, {
    model: { type: "string" },
    models: { type: "string" },
    steps: { type: "string" },
    "level-steps": { type: "string" },
    levels: { type: "string" },
    engine: { type: "string" },
    seed: { type: "string" },
    batch: { type: "string" },
    "eval-samples": { type: "string" },
    threads: { type: "string" },
    kernel: { type: "string" },
    workgroup: { type: "string" },
    out: { type: "string" },
    "no-resume": { type: "boolean" },
    extend: { type: "boolean" },
    "no-convergence": { type: "boolean" },
    verbose: { type: "boolean" },
    check: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  const str = (k: string) => values[k] as string | undefined;
  const names = (values._ as string[] | undefined) ?? [];
  if (names.length > 1) throw new UsageError(`expected at most one experiment name, got ${names.join(" ")}`);
  const known = () => experiments.map((e) => e.name).join(", ");
  let experiment: ExperimentDeclaration | undefined;
  if (names.length) {
    experiment = findExperiment(names[0], experiments);
    if (!experiment) throw new UsageError(`unknown experiment '${names[0]}' (declared: ${known()})`);
    if (str("model") !== undefined) throw new UsageError(`--model: not with an experiment name (${names[0]} declares its model)`);
  }
  const modelFlag = str("model");
  if (modelFlag !== undefined) {
    if (modelFlag !== "relu" && modelFlag !== "linear") throw new UsageError(`--model: expected relu or linear, got '${modelFlag}'`);
    experiment = findExperiment(`${modelFlag}-hidden`, experiments);
    if (!experiment) throw new UsageError(`--model ${modelFlag}: no experiment ${modelFlag}-hidden is declared (declared: ${known()})`);
  }
  let engine = engineChoice(str("engine") ?? "auto");
  const overrides: Partial<TrainConfig> = {};
  if (str("models") !== undefined) overrides.modelsPerLevel = integer("models", str("models")!, 1, MAX_MODELS);
  if (str("steps") !== undefined) overrides.steps = integer("steps", str("steps")!, 1, 2 ** 32 - 1);
  if (str("seed") !== undefined) overrides.seed = integer("seed", str("seed")!, 0, 2 ** 32 - 1);
  if (str("batch") !== undefined) overrides.batchSize = integer("batch", str("batch")!, 1, MAX_BATCH);
  if (str("eval-samples") !== undefined) overrides.evalSamples = integer("eval-samples", str("eval-samples")!, 1, MAX_EVAL_SAMPLES);
  const levels = str("levels") !== undefined ? parseDensities(str("levels")!) : undefined;
  // More workers than cores only adds memory (each holds a compiled kernel) and contention.
  const threads = str("threads") !== undefined ? integer("threads", str("threads")!, 1, Math.max(1, availableParallelism())) : undefined;
  // --kernel names a CPU kernel (which picks the cpu engine) or a WebGPU one.
  const rawKernel = str("kernel");
  const cpuKernel = CPU_KERNEL_NAMES.find((k) => k === rawKernel);
  let kernel: KernelName | undefined;
  if (rawKernel !== undefined && !cpuKernel) {
    if (!(KERNEL_NAMES as readonly string[]).includes(rawKernel)) {
      throw new UsageError(`--kernel: expected one of ${CPU_KERNEL_NAMES.join(", ")} (cpu) or ${KERNEL_NAMES.join(", ")} (webgpu), got '${rawKernel}'`);
    }
    kernel = rawKernel as KernelName;
  }
  if (cpuKernel && engine === "webgpu") throw new UsageError(`--kernel ${cpuKernel}: a cpu kernel, not for --engine webgpu`);
  if (cpuKernel) engine = "cpu";
  const workgroupSize = str("workgroup") !== undefined ? workgroupSizeFlag(str("workgroup")!) : undefined;
  if (engine === "cpu" && (kernel || workgroupSize)) throw new UsageError(`--${kernel ? "kernel" : "workgroup"}: applies to the webgpu engine only, not ${cpuKernel ? `--kernel ${cpuKernel}` : "--engine cpu"}`);
  // (With --engine auto, --threads counts if it falls back to the CPU; likewise --kernel on a GPU.)
  if (engine === "webgpu" && threads !== undefined) throw new UsageError("--threads: applies to the cpu engine only, not --engine webgpu");
  const common = { engine, threads, kernel, cpuKernel, workgroupSize, resume: !values["no-resume"], extend: Boolean(values.extend), convergence: !values["no-convergence"], verbose: Boolean(values.verbose), help: Boolean(values.help) };
  const configFlags = ["models", "steps", "level-steps", "seed", "batch", "eval-samples", "levels", "out"].filter((f) => values[f] !== undefined);
  // Config flags without a name keep their old meaning: a quick run of the paper's ReLU model.
  if (!experiment && configFlags.length) {
    experiment = findExperiment("relu-hidden", experiments);
    if (!experiment) throw new UsageError(`--${configFlags[0]}: needs an experiment name (declared: ${known()})`);
  }
  if (values.check && (experiment || names.length)) throw new UsageError("--check: checks every declared experiment; give no name, --model or config flag");
  if (values.check && values.extend) throw new UsageError("--extend: trains; not with --check, which trains nothing");
  if (!experiment) return { mode: values.check ? "check" : "stale", ...common };
  let plan;
  try {
    plan = experimentPlan(experiment);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // --steps sets every level's steps, unless --level-steps names some; entries equal to steps are dropped.
  const { levelSteps: declaredLevelSteps, ...declared } = plan.config;
  const config: TrainConfig = { ...declared, ...overrides };
  // Only the densities this run trains: a file records the steps of its own levels.
  const densities = levels ?? plan.densities;
  const declaredHere = (declaredLevelSteps ?? []).filter((l) => densities.includes(l.density));
  const levelSteps = (str("level-steps") !== undefined ? parseLevelSteps(str("level-steps")!) : overrides.steps === undefined ? declaredHere : [])
    .filter((l) => l.steps !== config.steps && densities.includes(l.density));
  if (levelSteps.length) config.levelSteps = levelSteps;
  validateConfig(config);
  const differs = [
    ...(["models", "steps", "seed", "batch", "eval-samples"] as const).filter((f) => {
      const key = ({ models: "modelsPerLevel", steps: "steps", seed: "seed", batch: "batchSize", "eval-samples": "evalSamples" } as const)[f];
      return overrides[key] !== undefined && overrides[key] !== plan.config[key];
    }),
    // Per-level steps that differ, by --level-steps or by a --steps that replaced them.
    ...(!isDeepStrictEqual(config.levelSteps ?? [], declaredHere) && !(overrides.steps !== undefined && overrides.steps !== plan.config.steps)
      ? [str("level-steps") !== undefined ? "level-steps" : "steps"] : []),
    ...(levels && !isDeepStrictEqual(levels, plan.densities) ? ["levels"] : []),
  ].map((f) => `--${f}`);
  const declaredOut = join(trainDataDirectory(env), `${experiment.name}.json`);
  const out = str("out") ?? declaredOut;
  if (out.trim() === "") throw new UsageError("--out: expected a file path");
  // A run that is not the declaration must not land where the declared file lives: that file would be
  // stale the moment it is written, and the committed one lost.
  if (differs.length && resolve(out) === resolve(declaredOut)) {
    throw new UsageError(`${differs[0]}: overrides ${experiment.name}'s declaration; write the run elsewhere with --out FILE (or change the declaration in src/experiments/declarations.ts)`);
  }
  return { mode: "one", run: { experiment, kind: experiment.kind, config, densities, out, overrides: differs }, ...common };
}
