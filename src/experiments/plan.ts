// What a declared experiment asks `npm run train` to do, and the commands that (re)train it: pure, with
// no Node imports, so that a reader's page (the in-page trainer, src/article-components/trainer/) words
// its run's command as the article's run table does. The cache (cache.ts) keys data files by the plan.

import { defaultConfig, geometricImportance, validateConfig, validateDensity, type LevelSteps, type ModelKind, type Stage2Size, type TrainConfig } from "../model/config.ts";
import type { DataFile } from "../data/schema.ts";
import { STAGE2_SIZE } from "../train/selection.ts";
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
  // Per-level steps as the data file records them: in the order of the densities, only where they differ.
  const levelSteps = e.densities.flatMap((d) => e.levelSteps?.filter((l) => l.density === d && l.steps !== e.steps).map((l) => ({ density: d, steps: l.steps })) ?? []);
  const { stage2, ...rest } = defaultConfig({
    features: e.features, neurons: e.neurons, importance: geometricImportance(e.features, e.importanceDecay),
    modelsPerLevel: e.modelsPerLevel, steps: e.steps, batchSize: e.batchSize, seed: e.seed, evalSamples: e.evalSamples,
    ...(levelSteps.length && { levelSteps }),
    ...(e.stage2 && { stage2: e.stage2 }),
  });
  const config: TrainConfig = stage2 && !sameSize(stage2, STAGE2_SIZE) ? { ...rest, stage2: { minDraws: stage2.minDraws, minPresent: stage2.minPresent } } : rest;
  try {
    validateConfig(config);
    if (!(e.importanceDecay > 0) || !Number.isFinite(e.importanceDecay)) throw new Error(`importanceDecay must be a positive number, got ${e.importanceDecay}`);
    if (e.densities.length === 0) throw new Error("densities must list at least one density");
    e.densities.forEach(validateDensity);
    if (new Set(e.densities).size !== e.densities.length) throw new Error("densities lists a density twice");
    const stray = e.levelSteps?.find((l) => !e.densities.includes(l.density));
    if (stray) throw new Error(`levelSteps names density ${stray.density}, which is not one of its densities`);
  } catch (err) {
    throw new Error(`experiment ${e.name}: ${(err as Error).message}`);
  }
  return { kind: e.kind, config, densities: [...e.densities] };
}

function sameSize(a: Stage2Size, b: Stage2Size): boolean {
  return a.minDraws === b.minDraws && a.minPresent === b.minPresent;
}

/** Per-level steps as the train CLI's --level-steps takes them: "0.02:20000,0.01:40000", or "none". */
export function levelStepsFlag(levelSteps: readonly LevelSteps[]): string {
  return levelSteps.length ? levelSteps.map((l) => `${l.density}:${l.steps}`).join(",") : "none";
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
  // What the CLI would record for these densities: the declared per-level steps of the file's densities
  // (none once --steps replaced them).
  const densities = data.levels.map((l) => l.density);
  const implied = c.steps !== p.steps ? [] : (p.levelSteps ?? []).filter((l) => densities.includes(l.density));
  if (JSON.stringify(c.levelSteps ?? []) !== JSON.stringify(implied)) flags.push(`--level-steps ${levelStepsFlag(c.levelSteps ?? [])}`);
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
