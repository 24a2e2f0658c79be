// Every experiment of the write-up, declared once. An experiment's data file, public/data/<name>.json
// (with <name>.population.bin beside it), is a cache of its declaration: `npm run train` with no
// arguments retrains exactly the experiments whose file is missing or no longer matches (src/experiments/
// cache.ts), `npm run train -- <name>` retrains one, and `npm run build` stops, naming each, until they
// are fresh. To add an experiment, add a declaration here and run `npm run train`.

import { readFileSync } from "node:fs";
import { z } from "zod";
import type { LevelSteps, ModelKind, Stage2Size } from "../model/config.ts";
import { DEFAULT_DENSITIES } from "../model/config.ts";
import { MODEL_KINDS } from "../data/schema.ts";

export interface ExperimentDeclaration {
  /** File name stem: public/data/<name>.json; also the argument of `npm run train -- <name>`. */
  name: string;
  /** The hidden layer: h = ReLU(Wx) or h = Wx. */
  kind: ModelKind;
  /** n: input features. */
  features: number;
  /** m: hidden neurons. */
  neurons: number;
  /** Importance of feature i is importanceDecay^i (i = 0 … n − 1). */
  importanceDecay: number;
  /** Feature densities 1 − S, densest first. */
  densities: readonly number[];
  /** K: models trained per density; the best of them is the level's winner. */
  modelsPerLevel: number;
  /** Optimizer steps per model, at every density but those of `levelSteps`. */
  steps: number;
  /** Densities that train another number of steps (sparse ones, which need more); each must be one of
   *  `densities`. */
  levelSteps?: readonly LevelSteps[];
  batchSize: number;
  /** Root of every random stream. */
  seed: number;
  /** Held-out draws per level (stage 1 of the selection: every model on the same sample). */
  evalSamples: number;
  /** Stage-2 selection sample size; absent: the default (2^22 draws, 4·10⁶ present features). */
  stage2?: Stage2Size;
}

/**
 * Steps for the sparse end: below density `from`, a model trains `steps` × from / density steps
 * (rounded up to a thousand, at most `max`), so that each feature is present in as many training draws
 * as at `from` (10,000 steps × 1,024 draws × 0.02 ≈ 205,000). Why: the convergence diagnostic (16 models
 * per density trained 4× longer) found 10,000 steps short only at the sparse end — by 1.9% of the loss at
 * 0.01 for n = 10, by 1.4–9% from 0.02 down for n = 20 and 2–14% from 0.01 down for n = 32 — while
 * at 0.03 and denser the gain was under 0.7% everywhere.
 */
export function inverseDensitySteps(densities: readonly number[], steps: number, from: number, max = 200_000): LevelSteps[] {
  return densities.filter((d) => d < from).map((density) => ({ density, steps: Math.min(max, inverseDensityRule(steps, from, density)) }));
}

/** The rule's steps at `density` before any cap: steps × from / density, rounded up to a thousand. */
export function inverseDensityRule(steps: number, from: number, density: number): number {
  return Math.ceil((steps * from) / density / 1000 - 1e-9) * 1000;
}

/** Where the sparse end starts: the density whose step count the sparser levels match in present draws. */
const SPARSE_FROM = 0.02;

/** The paper's section: n = 10 features, m = 5 neurons, importance 0.75^i, best of 1,000. */
const PAPER = { features: 10, neurons: 5, importanceDecay: 0.75, modelsPerLevel: 1000, steps: 10_000, batchSize: 1024, seed: 0, evalSamples: 32_768 } as const;

/** The densities of the second chapter: from dense to below 0.01, where the code stops changing. For
 *  n = 20, 15 levels: its population's code sizes moved by 3.8% of the features from 0.005 to 0.003, then
 *  by 7.4% to 0.002 and 9.0% to 0.001, and by 2.5% from 0.001 to 0.0005. n = 32, some 1.6× the work
 *  per level, leaves out 0.2, 0.07 and 0.02 to fit the 2-core session that trained it, and goes on to
 *  0.002, 0.001, 0.0005 and 0.0002 because its code sizes still moved: by 8% of the features from 0.005
 *  to 0.003 at 10,000 steps, and, with the sparse end trained longer, by 5.5% from 0.002 to 0.001 and
 *  6.5% from 0.001 to 0.0005; from 0.0005 to 0.0002 by 1.5%. */
export const CHAPTER2_DENSITIES: readonly number[] = [1, 0.5, 0.3, 0.2, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01, 0.005, 0.003, 0.002, 0.001, 0.0005];
const N32_DENSITIES: readonly number[] = [1, 0.5, 0.3, 0.1, 0.05, 0.03, 0.01, 0.005, 0.003, 0.002, 0.001, 0.0005, 0.0002];

/**
 * Chapter 2 was trained on a 2-core CPU (no GPU in the session that made it): K = 100, the least the
 * issue allows. Its selection samples are the defaults: at density 0.003 stage 2 draws 4.2·10⁷ (n = 32)
 * to 6.7·10⁷ (n = 20) samples per candidate, about a minute per level on two cores, small beside the
 * training. A GPU run should declare K = 1,000.
 */
const CHAPTER2 = { neurons: 5, modelsPerLevel: 100, steps: 10_000, batchSize: 1024, seed: 0, evalSamples: 32_768 } as const;
/** n = 32's steps: the project's rule down to 0.0005, which trains the rule's cap (200,000 steps) and
 *  converged there (the convergence check's best model, trained 4× longer, gains 0.44%). 0.0002 goes on
 *  from that converged level as 1/density: 200,000 × 0.0005 / 0.0002 = 500,000 steps. */
const N32_LEVEL_STEPS: readonly LevelSteps[] = [...inverseDensitySteps(N32_DENSITIES.filter((d) => d >= 0.0005), CHAPTER2.steps, SPARSE_FROM), { density: 0.0002, steps: 500_000 }];

export const EXPERIMENTS: readonly ExperimentDeclaration[] = [
  { name: "relu-hidden", kind: "relu-hidden", ...PAPER, densities: DEFAULT_DENSITIES, levelSteps: inverseDensitySteps(DEFAULT_DENSITIES, PAPER.steps, SPARSE_FROM) },
  { name: "linear-hidden", kind: "linear-hidden", ...PAPER, densities: [1, 0.5, 0.3, 0.1, 0.03] },
  // The paper's conjecture: with more features, sparsity should eventually give a dense binary code.
  // n = 20 keeps the paper's importance decay.
  { name: "relu-n20", kind: "relu-hidden", features: 20, importanceDecay: 0.75, densities: CHAPTER2_DENSITIES, ...CHAPTER2, levelSteps: inverseDensitySteps(CHAPTER2_DENSITIES, CHAPTER2.steps, SPARSE_FROM) },
  // n = 32 ≥ 31 = 2^5 − 1 nonzero binary codes over five neurons, so a dense binary code could hold every
  // feature. With 0.75^i the last features would weigh 0.75^31 ≈ 1.3·10⁻⁴ of the first and no code would
  // bother with them; 0.9^i keeps the last at 0.9^31 ≈ 0.038, still worth representing when sparse.
  { name: "relu-n32", kind: "relu-hidden", features: 32, importanceDecay: 0.9, densities: N32_DENSITIES, ...CHAPTER2, levelSteps: N32_LEVEL_STEPS },
];

/** The first chapter's experiments: the front page's data files, its retrain commands and its facts
 *  ("relu.*", "linear.*"); every other experiment's facts are under its own name. */
export const CHAPTER_ONE_EXPERIMENTS: readonly string[] = ["relu-hidden", "linear-hidden"];

/** Names a JSON file of more declarations (an array of ExperimentDeclaration objects), added after
 *  EXPERIMENTS by `npm run train` and `npm run build`: for experiments kept outside this file, and
 *  for tests that declare a temporary one. */
export const EXTRA_EXPERIMENTS_VARIABLE = "PB_EXPERIMENTS";

const count = z.number().int().positive();
const declarationSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes"),
  kind: z.enum(MODEL_KINDS),
  features: count,
  neurons: count,
  importanceDecay: z.number().finite().positive(),
  densities: z.array(z.number().gt(0).max(1)).min(1),
  modelsPerLevel: count,
  steps: count,
  levelSteps: z.array(z.strictObject({ density: z.number().gt(0).max(1), steps: count })).optional(),
  batchSize: count,
  seed: z.number().int().min(0).max(0xffffffff),
  evalSamples: count,
  stage2: z.strictObject({ minDraws: count, minPresent: z.number().finite().positive() }).optional(),
});

/** EXPERIMENTS and those of $PB_EXPERIMENTS. Throws a one-line error naming the file, the entry and
 *  the field when that file is unreadable or invalid, or a name is declared twice. */
export function declaredExperiments(env: NodeJS.ProcessEnv = process.env): readonly ExperimentDeclaration[] {
  const path = env[EXTRA_EXPERIMENTS_VARIABLE];
  if (!path) return EXPERIMENTS;
  let extra;
  try {
    extra = z.array(declarationSchema).parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    const issue = e instanceof z.ZodError ? e.issues[0] : undefined;
    throw new Error(`${EXTRA_EXPERIMENTS_VARIABLE}=${path}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : (e as Error).message.split("\n")[0]}`);
  }
  const all = [...EXPERIMENTS, ...extra];
  const twice = all.find((e, k) => all.findIndex((f) => f.name === e.name) !== k);
  if (twice) throw new Error(`${EXTRA_EXPERIMENTS_VARIABLE}=${path}: experiment ${twice.name} is declared twice`);
  return all;
}

/** The declaration named `name`, or undefined. */
export function findExperiment(name: string, experiments: readonly ExperimentDeclaration[] = EXPERIMENTS): ExperimentDeclaration | undefined {
  return experiments.find((e) => e.name === name);
}

/** Where `npm run train` reads and writes declared experiments' files: $PB_DATA_DIR (as the build), else
 *  public/data (relative to the project, where npm runs scripts). */
export function trainDataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.PB_DATA_DIR || "public/data";
}
