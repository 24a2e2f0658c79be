// A data file as a cache of its experiment's declaration. The key is a hash of what the file's results
// depend on: the declared config (model kind, n, m, importance, K, steps, batch, optimizer, seed,
// evaluation sizes, densities) and the training semantics (src/train/semantics.ts). A file's key is
// computed from what it records (its config, its levels' densities, its semantics), never from its text,
// so a file stays fresh when only its run block, its formatting or the engine that wrote it differ, and
// goes stale when the declaration or the semantics change, even if no byte of the file did.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { defaultConfig, geometricImportance, validateConfig, validateDensity, type ModelKind, type Stage2Size, type TrainConfig } from "../model/config.ts";
import type { DataFile } from "../data/schema.ts";
import { readDataFile } from "../data/io.ts";
import { STAGE2_SIZE } from "../train/selection.ts";
import { TRAINING_SEMANTICS, fileSemantics } from "../train/semantics.ts";
import type { ExperimentDeclaration } from "./declarations.ts";

/** What one training run is asked to do. */
export interface TrainingPlan {
  kind: ModelKind;
  /** As the data file records it (stage2 only when not the default). */
  config: TrainConfig;
  densities: number[];
}

/** The run a declaration asks for. Throws a one-line error naming the experiment and field when the
 *  declaration is invalid. */
export function experimentPlan(e: ExperimentDeclaration): TrainingPlan {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(e.name)) throw new Error(`experiment name '${e.name}' must be lowercase letters, digits and dashes`);
  const { stage2, ...rest } = defaultConfig({
    features: e.features, neurons: e.neurons, importance: geometricImportance(e.features, e.importanceDecay),
    modelsPerLevel: e.modelsPerLevel, steps: e.steps, batchSize: e.batchSize, seed: e.seed, evalSamples: e.evalSamples,
    ...(e.stage2 && { stage2: e.stage2 }),
  });
  const config: TrainConfig = stage2 && !sameSize(stage2, STAGE2_SIZE) ? { ...rest, stage2: { minDraws: stage2.minDraws, minPresent: stage2.minPresent } } : rest;
  try {
    validateConfig(config);
    if (!(e.importanceDecay > 0) || !Number.isFinite(e.importanceDecay)) throw new Error(`importanceDecay must be a positive number, got ${e.importanceDecay}`);
    if (e.densities.length === 0) throw new Error("densities must list at least one density");
    e.densities.forEach(validateDensity);
    if (new Set(e.densities).size !== e.densities.length) throw new Error("densities lists a density twice");
  } catch (err) {
    throw new Error(`experiment ${e.name}: ${(err as Error).message}`);
  }
  return { kind: e.kind, config, densities: [...e.densities] };
}

function sameSize(a: Stage2Size, b: Stage2Size): boolean {
  return a.minDraws === b.minDraws && a.minPresent === b.minPresent;
}

/** The fields the cache key covers, each as one comparable value: the semantics, then the plan's. */
function keyFields(plan: TrainingPlan, semantics: number): [string, unknown][] {
  const c = plan.config;
  return [
    ["semantics", semantics],
    ["model", plan.kind],
    ["features", c.features],
    ["neurons", c.neurons],
    ["importance", c.importance],
    ["modelsPerLevel", c.modelsPerLevel],
    ["steps", c.steps],
    ["batchSize", c.batchSize],
    ["optimizer", [c.optimizer.name, c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2, c.optimizer.eps, c.optimizer.weightDecay]],
    ["seed", c.seed],
    ["evalSamples", c.evalSamples],
    ["stage2", [(c.stage2 ?? STAGE2_SIZE).minDraws, (c.stage2 ?? STAGE2_SIZE).minPresent]],
    ["densities", plan.densities],
  ];
}

const hash = (fields: [string, unknown][]) => createHash("sha256").update(JSON.stringify(fields)).digest("hex").slice(0, 16);

/** The cache key of a declared run under the current training semantics. */
export function planKey(plan: TrainingPlan, semantics: number = TRAINING_SEMANTICS): string {
  return hash(keyFields(plan, semantics));
}

/** What a data file records of its run: the plan it answers and the semantics it was trained under. */
export function filePlan(file: Pick<DataFile, "model" | "config" | "levels">): TrainingPlan {
  return { kind: file.model, config: file.config, densities: file.levels.map((l) => l.density) };
}

/** The cache key of a data file, from its recorded config, densities and semantics. */
export function fileKey(file: Pick<DataFile, "schema" | "semantics" | "model" | "config" | "levels">): string {
  return planKey(filePlan(file), fileSemantics(file));
}

const show = (v: unknown) => (Array.isArray(v) ? (v.length > 6 ? `[${v.slice(0, 3).join(", ")}, … ${v.length} entries]` : `[${v.join(", ")}]`) : String(v));

/** How a file's recorded run differs from the declared one: "steps: file 500, declared 10000", …;
 *  [] exactly when the keys agree. */
export function keyDifferences(plan: TrainingPlan, file: Pick<DataFile, "schema" | "semantics" | "model" | "config" | "levels">): string[] {
  const want = keyFields(plan, TRAINING_SEMANTICS), have = keyFields(filePlan(file), fileSemantics(file));
  return want.flatMap(([name, v], k) => {
    if (JSON.stringify(v) === JSON.stringify(have[k][1])) return [];
    const labels: Record<string, string> = { stage2: "stage-2 sample (min draws, min present)", optimizer: "optimizer (name, lr, β1, β2, ε, weight decay)", semantics: "training semantics" };
    return [`${labels[name] ?? name}: file ${show(have[k][1])}, declared ${show(v)}`];
  });
}

export type Freshness = "fresh" | "stale" | "missing" | "invalid";

export interface ExperimentStatus {
  experiment: ExperimentDeclaration;
  path: string;
  state: Freshness;
  /** stale: what differs; invalid: why the file cannot be read; missing: "file not found". */
  reasons: string[];
  /** The validated file (fresh or stale). */
  file?: DataFile;
}

/** The data file of an experiment in `dir`. */
export function experimentPath(dir: string, e: ExperimentDeclaration): string {
  return join(dir, `${e.name}.json`);
}

/** Whether `dir` holds a fresh data file for `e`: read and validated, then its key compared. */
export function experimentStatus(e: ExperimentDeclaration, dir: string): ExperimentStatus {
  const path = experimentPath(dir, e);
  const plan = experimentPlan(e);
  let file: DataFile;
  try {
    file = readDataFile(path);
  } catch (err) {
    const message = (err as Error).message;
    const reason = message.startsWith(path) ? message.slice(path.length + 2) : message;
    return { experiment: e, path, state: reason === "file not found" ? "missing" : "invalid", reasons: [reason] };
  }
  const reasons = keyDifferences(plan, file);
  return { experiment: e, path, state: reasons.length ? "stale" : "fresh", reasons, file };
}

/** The command that (re)trains an experiment into its declared file. */
export function trainCommand(e: Pick<ExperimentDeclaration, "name">): string {
  return `npm run train -- ${e.name}`;
}

/**
 * The `npm run train` command that reproduces a data file of experiment `e`: its name, then every
 * config flag whose value in the file differs from the declaration (then with `--out`, since such a run
 * is not the declared one), and the engine, kernel and workgroup it was trained with.
 */
export function reproduceCommand(data: Pick<DataFile, "config" | "run" | "levels">, e: ExperimentDeclaration): string {
  const p = experimentPlan(e).config, c = data.config;
  const flags = [e.name];
  if (c.modelsPerLevel !== p.modelsPerLevel) flags.push(`--models ${c.modelsPerLevel}`);
  if (c.steps !== p.steps) flags.push(`--steps ${c.steps}`);
  const densities = data.levels.map((l) => l.density);
  if (JSON.stringify(densities) !== JSON.stringify(e.densities)) flags.push(`--levels ${densities.join(",")}`);
  if (c.seed !== p.seed) flags.push(`--seed ${c.seed}`);
  if (c.batchSize !== p.batchSize) flags.push(`--batch ${c.batchSize}`);
  if (c.evalSamples !== p.evalSamples) flags.push(`--eval-samples ${c.evalSamples}`);
  if (flags.length > 1) flags.push(`--out ${e.name}-run.json`);
  flags.push(`--engine ${data.run.engine}`);
  if (data.run.kernel) flags.push(`--kernel ${data.run.kernel.name}`);
  if (data.run.kernel?.workgroupSize !== undefined) flags.push(`--workgroup ${data.run.kernel.workgroupSize}`);
  return `npm run train -- ${flags.join(" ")}`;
}
