// Best-of-K: per density level, train K models, evaluate each on the level's held-out sample, keep the
// lowest-loss model and record every loss. Finished levels are checkpointed beside the output file, so
// Ctrl-C or a crash loses at most the levels in progress and a re-run resumes; the data file itself is
// written once, atomically, when every level is done. A checkpoint is never thrown away by accident:
// one from another run stops the trainer (--no-resume ignores it), and levels it holds that this run
// does not train stay in it.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { levelConfig, stepsAt, type ModelKind, type TrainConfig } from "../model/config.ts";
import { SCHEMA_ID, dataFileSchema, describeIssues, type DataFile, type Diagnostics, type Level } from "../data/schema.ts";
import { readDataFile, writeDataFile, writeFileAtomic } from "../data/io.ts";
import {
  POPULATION_SCHEMA, encodePopulation, levelParams, nonFiniteModels, populationExpectation, readPopulationFile, writePopulationFile, type Population,
} from "../data/population.ts";
import type { Engine, Progress, RunKernel, TrainedLevel } from "./engine.ts";
import { plural } from "../text/plural.ts";
import { STAGE2_SIZE, type Stage2Size } from "./selection.ts";
import { selectBest } from "./select-level.ts";
import { gitCommit } from "./git-commit.ts";

export { selectBest, gitCommit };
import { CONVERGENCE, convergenceLevel, diagnose, type ConvergenceLevel } from "./diagnostics.ts";
import { TRAINING_SEMANTICS, fileSemantics } from "./semantics.ts";
import { poolEvaluator, type Evaluator } from "./evaluator.ts";

export const CHECKPOINT_SCHEMA = "privileged-basis/checkpoint/1";

export interface Checkpoint {
  schema: typeof CHECKPOINT_SCHEMA;
  model: ModelKind;
  engine: string;
  device: string;
  kernel?: RunKernel;
  config: TrainConfig;
  trainSeconds: number;
  gpuSeconds?: number;
  /** Seconds of it spent selecting winners. */
  selectSeconds?: number;
  levels: Level[];
  /** The convergence diagnostic of finished levels (run as each level finishes, so a resumed run keeps
   *  it), and the seconds it took. */
  convergence?: { levels: ConvergenceLevel[]; seconds: number };
}

export function checkpointPath(out: string): string {
  return `${out}.checkpoint.json`;
}

/** The population file written beside a data file: relu-hidden.json → relu-hidden.population.bin. */
export function populationPath(out: string): string {
  return `${out.replace(/\.json$/, "")}.population.bin`;
}

/** The checkpoint's population: the finished levels' models, in the checkpoint's level order. */
export function checkpointPopulationPath(out: string): string {
  return `${checkpointPath(out)}.population.bin`;
}

/** One level's models as float32, model after model (W row-major, then b): a population file's level. */
function flatten(params: readonly Float64Array[]): Float32Array {
  const P = params[0].length, out = new Float32Array(params.length * P);
  params.forEach((p, k) => out.set(p, k * P));
  return out;
}

/** A population of `levels` (in that order) from their models in `pops`. */
function populationOf(kind: ModelKind, config: TrainConfig, levels: readonly Level[], pops: Map<number, Float32Array>): Population {
  const P = config.neurons * config.features + config.features;
  const data = new Float32Array(levels.length * config.modelsPerLevel * P);
  levels.forEach((l, li) => data.set(pops.get(l.density)!, li * config.modelsPerLevel * P));
  return {
    header: { schema: POPULATION_SCHEMA, model: kind, config, densities: levels.map((l) => l.density), params: P, diverged: levels.map((l) => nonFiniteModels(pops.get(l.density)!, P)) },
    data,
  };
}

/**
 * The checkpoint at `path`, validated as strictly as the data file it would become (every level's W
 * and b shapes, K losses in ascending order, the run's seconds): a bad level must not reach the final
 * write, where it would fail the whole run, again on every resume. An unreadable or invalid checkpoint
 * holds nothing worth keeping: it is ignored with a notice, and the first finished level replaces it.
 */
function readCheckpoint(path: string, popPath: string, log: (line: string) => void): { checkpoint: Checkpoint; population: Population } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as Checkpoint;
    if (typeof c !== "object" || c === null || c.schema !== CHECKPOINT_SCHEMA || !Array.isArray(c.levels)) throw new Error("unknown checkpoint format");
    const asData = {
      schema: SCHEMA_ID, model: c.model, config: c.config,
      run: {
        engine: c.engine, device: c.device, ...(c.kernel !== undefined && { kernel: c.kernel }), trainSeconds: c.trainSeconds,
        ...(c.gpuSeconds !== undefined && { gpuSeconds: c.gpuSeconds }), createdAt: new Date(0).toISOString(), commit: "checkpoint",
      },
      levels: c.levels,
    };
    const parsed = dataFileSchema.safeParse(asData);
    if (!parsed.success) throw new Error(describeIssues(parsed.error));
    c.levels = parsed.data.levels;
    // Convergence entries are checked when the data file is written; one of a level not held is dropped.
    if (c.convergence && (!Array.isArray(c.convergence.levels) || !Number.isFinite(c.convergence.seconds))) throw new Error("convergence must hold levels and seconds");
    if (c.convergence) c.convergence.levels = c.convergence.levels.filter((e) => c.levels.some((l) => l.density === e?.density));
    // Its levels' models: without them the run could not write its population file.
    const population = readPopulationFile(popPath, populationExpectation({ model: c.model, config: c.config, levels: c.levels }));
    return { checkpoint: c, population };
  } catch (e) {
    log(`ignoring unreadable checkpoint ${path}: ${(e as Error).message}`);
    return undefined;
  }
}

/** How checkpoint `c` differs from this run ("seed 1, this run 0", …), or [] when it can resume it. */
function differences(c: Checkpoint, kind: ModelKind, engine: string, kernel: RunKernel | undefined, config: TrainConfig): string[] {
  const show = (v: unknown) => (v === undefined ? "none" : typeof v === "object" ? JSON.stringify(v) : String(v));
  const out: string[] = [];
  if (c.model !== kind) out.push(`model ${c.model}, this run ${kind}`);
  if (c.engine !== engine) out.push(`engine ${c.engine}, this run ${engine}`);
  if (!isDeepStrictEqual(c.kernel, kernel)) out.push(`kernel ${show(c.kernel)}, this run ${show(kernel)}`);
  for (const key of new Set([...Object.keys(c.config ?? {}), ...Object.keys(config)]) as Set<keyof TrainConfig>) {
    if (!isDeepStrictEqual(c.config?.[key], config[key])) out.push(`${key} ${show(c.config?.[key])}, this run ${show(config[key])}`);
  }
  return out;
}

/**
 * `--extend`: the data file at `out` as a checkpoint of the levels this run would train exactly as it
 * did, so that a declaration that adds densities (or changes some densities' steps) trains only those.
 * Kept: the file's levels among `densities` whose steps are unchanged, with their models and convergence
 * entries, and the file's seconds. The file must have been written by the same model, engine and kernel
 * under the same training semantics and config (but for the densities and their steps): otherwise it
 * throws one line naming the file and each difference.
 */
function checkpointFromDataFile(out: string, kind: ModelKind, engine: string, device: string, kernel: RunKernel | undefined, config: TrainConfig, densities: readonly number[]): { checkpoint: Checkpoint; population: Population } {
  if (!existsSync(out)) throw new Error(`--extend: ${out} does not exist (train the experiment without --extend first)`);
  const file = readDataFile(out);
  const filePop = readPopulationFile(populationPath(out), populationExpectation(file));
  const asRun: Checkpoint = {
    schema: CHECKPOINT_SCHEMA, model: file.model, engine: file.run.engine, device: file.run.device, ...(file.run.kernel && { kernel: file.run.kernel }),
    config: { ...file.config, levelSteps: config.levelSteps }, trainSeconds: file.run.trainSeconds, levels: [],
  };
  const diff = differences(asRun, kind, engine, kernel, config);
  if (fileSemantics(file) !== TRAINING_SEMANTICS) diff.unshift(`training semantics ${fileSemantics(file)}, this run ${TRAINING_SEMANTICS}`);
  if (diff.length) throw new Error(`--extend: ${out} was trained otherwise (${diff.join("; ")}): train it without --extend`);
  const kept = file.levels.filter((l) => densities.includes(l.density) && stepsAt(file.config, l.density) === stepsAt(config, l.density));
  const pops = new Map(kept.map((l) => [l.density, levelParams(filePop, file.levels.indexOf(l)).slice()]));
  const conv = file.diagnostics?.convergence;
  return {
    checkpoint: {
      ...asRun, device, config, levels: kept,
      ...(file.run.gpuSeconds !== undefined && { gpuSeconds: file.run.gpuSeconds }),
      ...(file.run.selectSeconds !== undefined && { selectSeconds: file.run.selectSeconds }),
      ...(conv && { convergence: { levels: conv.levels.filter((e) => kept.some((l) => l.density === e.density)), seconds: conv.seconds } }),
    },
    population: populationOf(kind, config, kept, pops),
  };
}

export interface ExperimentOptions {
  kind: ModelKind;
  config: TrainConfig;
  densities: number[];
  engine: Engine;
  /** Path of the data file to write. */
  out: string;
  log?: (line: string) => void;
  /** Progress over every level this run trains (model-steps and models of all its engine calls). */
  onProgress?: (p: Progress & { levelsDone: number; levelsTotal: number; modelsTotal: number }) => void;
  signal?: AbortSignal;
  /** Resume from a matching checkpoint (default true). False discards any checkpoint: the first
   *  finished level overwrites it. */
  resume?: boolean;
  /** Keep the levels of the data file at `out` that this run would train the same way, and train only
   *  the others (checkpointFromDataFile). A checkpoint, when there is one, is resumed instead: it holds
   *  those levels and this run's since. */
  extend?: boolean;
  /** Run the winners' diagnostics (cross-evaluation, continuation) when there are several levels
   *  (default true). */
  diagnose?: boolean;
  /** Also run the convergence diagnostic (16 models per level retrained to 4× the level's steps: some
   *  60 % of the training's own work; default true), each level's as soon as it is selected (so it is
   *  checkpointed with the level). `npm run diagnose -- FILE --convergence-only` adds it later. */
  convergence?: boolean;
  /** Stage-2 sample sizes (default: config.stage2, else STAGE2_SIZE; tests use smaller ones). The data
   *  file's config records a size other than STAGE2_SIZE, and each level its own sample's draws. */
  stage2?: Stage2Size;
  /** Where selection and diagnostics evaluate (default: worker threads, `selectThreads` of them, one per
   *  core by default). */
  evaluator?: Evaluator;
  selectThreads?: number;
}

/** `config` as a data file records it: `stage2` only when it is not the default size. */
export function recordedConfig(config: TrainConfig, stage2: Stage2Size = config.stage2 ?? STAGE2_SIZE): TrainConfig {
  const { stage2: _, ...rest } = config;
  return isDeepStrictEqual({ ...stage2 }, { ...STAGE2_SIZE }) ? rest : { ...rest, stage2: { minDraws: stage2.minDraws, minPresent: stage2.minPresent } };
}

export async function runExperiment(o: ExperimentOptions): Promise<DataFile> {
  const log = o.log ?? (() => {});
  const { kind, engine } = o;
  const stage2 = o.stage2 ?? o.config.stage2 ?? STAGE2_SIZE;
  const config = recordedConfig(o.config, stage2);
  const ckptPath = checkpointPath(o.out), ckptPopPath = checkpointPopulationPath(o.out);
  const kernel = engine.kernel?.(kind, config);
  const checkpoint = o.resume === false ? undefined : readCheckpoint(ckptPath, ckptPopPath, log);
  const resumed = checkpoint ?? (o.extend ? checkpointFromDataFile(o.out, kind, engine.name, engine.device, kernel, config, o.densities) : undefined);
  const previous = resumed?.checkpoint;
  // Every finished level's models (float32, as in the population file), by density.
  const pops = new Map<number, Float32Array>();
  resumed?.population.header.densities.forEach((d, li) => pops.set(d, levelParams(resumed.population, li).slice()));
  const done = new Map<number, Level>();
  // Levels of the checkpoint that this run does not train (another --levels): kept in the checkpoint.
  let others: Level[] = [];
  let priorSeconds = 0;
  let priorGpuSeconds = 0;
  if (previous) {
    const diff = differences(previous, kind, engine.name, kernel, config);
    if (diff.length) {
      const held = previous.levels.map((l) => l.density).join(", ");
      throw new Error(
        `${ckptPath} holds trained levels (${held}) of another run (${diff.join("; ")}): re-run with that run's options to resume it, or add --no-resume to discard it`,
      );
    }
    for (const l of previous.levels) if (o.densities.includes(l.density)) done.set(l.density, l);
    others = previous.levels.filter((l) => !o.densities.includes(l.density));
    priorSeconds = previous.trainSeconds;
    priorGpuSeconds = previous.gpuSeconds ?? 0;
    log(`${checkpoint ? `resuming from ${ckptPath}` : `extending ${o.out}`}: ${done.size} of ${plural(o.densities.length, "level")} already trained` +
      (others.length ? `; it also holds ${plural(others.length, "level")} this run does not train (${others.map((l) => l.density).join(", ")}), which stay in it` : ""));
  }
  const todo = o.densities.filter((d) => !done.has(d));
  // The convergence diagnostic of every finished level (kept from the checkpoint), by density.
  const converge = o.convergence !== false && o.densities.length > 1 && o.diagnose !== false;
  const convergence = new Map<number, ConvergenceLevel>();
  let convergenceSeconds = 0;
  if (converge && previous?.convergence) {
    for (const e of previous.convergence.levels) convergence.set(e.density, e);
    convergenceSeconds = previous.convergence.seconds;
  }
  const commit = gitCommit(); // the code that trains, read before training starts
  const started = performance.now();
  const elapsed = () => priorSeconds + (performance.now() - started) / 1000;
  // GPU time from the engine's timestamp queries, if it has them (undefined otherwise).
  const gpu0 = engine.gpuSeconds?.();
  const gpuElapsed = () => {
    const now = engine.gpuSeconds?.();
    return now !== undefined && gpu0 !== undefined && Number.isFinite(now - gpu0) ? priorGpuSeconds + (now - gpu0) : undefined;
  };
  const round3 = (s: number) => Math.round(s * 1000) / 1000;
  let selectSeconds = previous?.selectSeconds ?? 0;
  const saveCheckpoint = (levels: Level[], trainSeconds = elapsed(), gpuSeconds = gpuElapsed()) => {
    const c: Checkpoint = {
      schema: CHECKPOINT_SCHEMA, model: kind, engine: engine.name, device: engine.device, ...(kernel && { kernel }), config,
      trainSeconds, ...(gpuSeconds !== undefined && { gpuSeconds }), selectSeconds: round3(selectSeconds), levels,
      ...(convergence.size && { convergence: { levels: levels.flatMap((l) => convergence.get(l.density) ?? []), seconds: round3(convergenceSeconds) } }),
    };
    // The population first: a checkpoint whose population is missing or stale is not resumed.
    writePopulationFile(ckptPopPath, populationOf(kind, config, levels, pops));
    writeFileAtomic(ckptPath, JSON.stringify(c) + "\n");
  };
  const finished = () => [...o.densities.filter((d) => done.has(d)).map((d) => done.get(d)!), ...others];
  // Worker threads for selecting and checking winners, started when first needed.
  let ev: Evaluator | undefined;
  const evaluator = () => (ev ??= o.evaluator ?? poolEvaluator(kind, config, o.selectThreads));
  try {
    // An engine trains every level of a call for the same steps: one call per number of steps (the
    // densities of levelSteps apart), densest first as declared. Progress counts all of them.
    const groups: { steps: number; densities: number[] }[] = [];
    for (const d of todo) {
      const steps = stepsAt(config, d), group = groups.find((g) => g.steps === steps);
      if (group) group.densities.push(d);
      else groups.push({ steps, densities: [d] });
    }
    const K = config.modelsPerLevel;
    const totalModelSteps = groups.reduce((t, g) => t + g.steps * K * g.densities.length, 0);
    let priorModelSteps = 0, priorModels = 0;
    for (const group of groups) {
      await engine.train({
        kind, config: levelConfig(config, group.densities[0]), densities: group.densities, signal: o.signal,
        onProgress: (p) => o.onProgress?.({
          ...p, modelStepsDone: priorModelSteps + p.modelStepsDone, modelStepsTotal: totalModelSteps, modelsDone: priorModels + p.modelsDone,
          modelsTotal: K * todo.length, levelsDone: done.size, levelsTotal: o.densities.length,
        }),
        onLevel: async (trained) => {
          const t0 = performance.now();
          const level = await selectBest(evaluator(), config, trained, log, stage2);
          const seconds = (performance.now() - t0) / 1000;
          selectSeconds += seconds;
          done.set(level.density, level);
          pops.set(level.density, flatten(trained.params));
          saveCheckpoint(finished());
          const sel = level.selection!, win = sel.candidates.find((c) => c.model === sel.winner)!;
          const runner = sel.paired.find((p) => p.model === sel.runnerUp);
          log(`density ${level.density}: model ${sel.winner} wins, stage-2 loss ${win.loss.toExponential(4)} ± ${win.se.toExponential(1)} over ${sel.samples.toLocaleString("en")} draws ` +
            `(${plural(sel.candidates.length, "candidate")}` + (runner ? `; runner-up ${runner.model} +${runner.diff.toExponential(2)} ± ${runner.se.toExponential(1)}${sel.tie ? ", a tie" : ""}` : "") +
            `); trained in ${trained.seconds.toFixed(1)} s, selected in ${seconds.toFixed(1)} s`);
          if (converge) {
            const c0 = performance.now();
            const entry = await convergenceLevel(evaluator(), config, level, CONVERGENCE, stage2);
            convergence.set(level.density, entry);
            const cs = (performance.now() - c0) / 1000;
            convergenceSeconds += cs;
            log(`density ${level.density}: convergence diagnostic (${plural(entry.models.length, "model")} read at ${CONVERGENCE.factors.map((f) => (f * group.steps).toLocaleString("en")).join(", ")} steps) in ${cs.toFixed(1)} s`);
            saveCheckpoint(finished());
          }
        },
      });
      priorModelSteps += group.steps * K * group.densities.length;
      priorModels += K * group.densities.length;
    }
    const missing = o.densities.filter((d) => !done.has(d));
    if (missing.length) throw new Error(`engine finished without levels ${missing.join(", ")}`);
    const levels = o.densities.map((d) => done.get(d)!);
    // The winners checked against each other (src/train/diagnostics.ts): minutes at full size.
    let diagnostics: Diagnostics | undefined;
    if (o.diagnose !== false && levels.length > 1) {
      const runs = levels.length * (levels.length - 1);
      log(`diagnostics: each of ${levels.length} winners on every level's stage-2 sample, and fine-tuned at every other density (${runs.toLocaleString("en")} runs of each density's steps)`);
      diagnostics = await diagnose(evaluator(), { config, levels }, log, stage2, converge ? CONVERGENCE : false, { levels: convergence, seconds: convergenceSeconds });
      log(`diagnostics: ${plural(diagnostics.failures.length, "cross-evaluation failure")}, done in ${diagnostics.seconds.toFixed(1)} s`);
    }
    const gpuSeconds = gpuElapsed();
    // The population file, then the data file that names it (with its size and hash).
    const popPath = populationPath(o.out);
    const popBytes = encodePopulation(populationOf(kind, config, levels, pops), popPath);
    writeFileAtomic(popPath, popBytes);
    const population = { file: basename(popPath), bytes: popBytes.length, sha256: createHash("sha256").update(popBytes).digest("hex") };
    const data: DataFile = {
      schema: SCHEMA_ID,
      model: kind,
      semantics: TRAINING_SEMANTICS,
      config,
      run: {
        engine: engine.name, device: engine.device, ...(kernel && { kernel }), trainSeconds: round3(elapsed()), selectSeconds: round3(selectSeconds),
        ...(gpuSeconds !== undefined && { gpuSeconds: round3(gpuSeconds) }), createdAt: new Date().toISOString(), commit,
      },
      levels,
      population,
      ...(diagnostics && { diagnostics }),
    };
    writeDataFile(o.out, data);
    if (others.length) {
      // The kept levels' time is the earlier sessions' (this run's went into the data file).
      saveCheckpoint(others, priorSeconds, previous?.gpuSeconds);
      log(`kept ${ckptPath}: it holds ${plural(others.length, "trained level")} not in ${o.out} (${others.map((l) => l.density).join(", ")})`);
    } else {
      rmSync(ckptPath, { force: true });
      rmSync(ckptPopPath, { force: true });
    }
    return data;
  } finally {
    if (ev && ev !== o.evaluator) await ev.close();
  }
}
