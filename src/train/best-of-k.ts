// Best-of-K: per density level, train K models, evaluate each on the level's held-out sample, keep the
// lowest-loss model and record every loss. Finished levels are checkpointed beside the output file, so
// Ctrl-C or a crash loses at most the levels in progress and a re-run resumes; the data file itself is
// written once, atomically, when every level is done.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import type { ModelKind, TrainConfig } from "../model/config.ts";
import { SCHEMA_ID, levelSchema, type DataFile, type Level } from "../data/schema.ts";
import { writeDataFile, writeFileAtomic } from "../data/io.ts";
import type { Engine, Progress, RunKernel, TrainedLevel } from "./engine.ts";

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
  levels: Level[];
}

export function checkpointPath(out: string): string {
  return `${out}.checkpoint.json`;
}

/** Turns one trained level into its data-file entry: drops diverged models, sorts losses, keeps the best. */
export function selectBest(level: TrainedLevel, m: number, n: number, log: (line: string) => void = () => {}): Level {
  const finite: { model: number; loss: number }[] = [];
  level.evalLosses.forEach((loss, model) => {
    const params = level.params[model];
    if (Number.isFinite(loss) && params.every(Number.isFinite)) finite.push({ model, loss });
    else log(`density ${level.density}: model ${model} diverged (non-finite weights or loss); it is not written out`);
  });
  if (finite.length === 0) throw new Error(`density ${level.density}: every model diverged; nothing to write`);
  finite.sort((a, b) => a.loss - b.loss || a.model - b.model);
  const best = level.params[finite[0].model];
  const W = Array.from({ length: m }, (_, j) => Array.from(best.subarray(j * n, (j + 1) * n)));
  return {
    density: level.density,
    losses: finite.map((f) => f.loss),
    diverged: level.evalLosses.length - finite.length,
    best: { loss: finite[0].loss, W, b: Array.from(best.subarray(m * n, m * n + n)) },
  };
}

/** Git commit of the working tree, "-dirty" when it has uncommitted changes; "unknown" outside git. */
export function gitCommit(): string {
  // A bundled trainer on a machine without the checkout (scripts/gpu-bundle.sh) is told its commit.
  const bundled = process.env.PB_TRAINER_COMMIT;
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return bundled || "unknown";
  }
}

function readCheckpoint(path: string, log: (line: string) => void): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as Checkpoint;
    if (c.schema !== CHECKPOINT_SCHEMA || !Array.isArray(c.levels)) throw new Error("unknown checkpoint format");
    c.levels = c.levels.map((l) => levelSchema.parse(l));
    return c;
  } catch (e) {
    log(`ignoring unreadable checkpoint ${path}: ${(e as Error).message}`);
    return undefined;
  }
}

export interface ExperimentOptions {
  kind: ModelKind;
  config: TrainConfig;
  densities: number[];
  engine: Engine;
  /** Path of the data file to write. */
  out: string;
  log?: (line: string) => void;
  onProgress?: (p: Progress & { levelsDone: number; levelsTotal: number }) => void;
  signal?: AbortSignal;
  /** Resume from a matching checkpoint (default true). */
  resume?: boolean;
}

export async function runExperiment(o: ExperimentOptions): Promise<DataFile> {
  const log = o.log ?? (() => {});
  const { kind, config, engine } = o;
  const { neurons: m, features: n } = config;
  const ckptPath = checkpointPath(o.out);
  const previous = o.resume === false ? undefined : readCheckpoint(ckptPath, log);
  const kernel = engine.kernel?.(kind, config);
  const done = new Map<number, Level>();
  let priorSeconds = 0;
  let priorGpuSeconds = 0;
  if (previous) {
    if (previous.model === kind && previous.engine === engine.name && isDeepStrictEqual(previous.kernel, kernel) && isDeepStrictEqual(previous.config, config)) {
      for (const l of previous.levels) if (o.densities.includes(l.density)) done.set(l.density, l);
      priorSeconds = previous.trainSeconds;
      priorGpuSeconds = previous.gpuSeconds ?? 0;
      log(`resuming from ${ckptPath}: ${done.size} of ${o.densities.length} levels already trained`);
    } else {
      log(`checkpoint ${ckptPath} is for another model, engine, kernel or config; starting afresh`);
    }
  }
  const todo = o.densities.filter((d) => !done.has(d));
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
  const saveCheckpoint = () => {
    const gpuSeconds = gpuElapsed();
    const c: Checkpoint = {
      schema: CHECKPOINT_SCHEMA, model: kind, engine: engine.name, device: engine.device, ...(kernel && { kernel }), config,
      trainSeconds: elapsed(), ...(gpuSeconds !== undefined && { gpuSeconds }), levels: o.densities.filter((d) => done.has(d)).map((d) => done.get(d)!),
    };
    writeFileAtomic(ckptPath, JSON.stringify(c) + "\n");
  };
  if (todo.length > 0) {
    await engine.train({
      kind, config, densities: todo, signal: o.signal,
      onProgress: (p) => o.onProgress?.({ ...p, levelsDone: done.size, levelsTotal: o.densities.length }),
      onLevel: (trained) => {
        const level = selectBest(trained, m, n, log);
        done.set(level.density, level);
        saveCheckpoint();
        log(`density ${level.density}: best of ${level.losses.length} loss ${level.best.loss.toExponential(4)} ` +
          `(median ${level.losses[Math.floor(level.losses.length / 2)].toExponential(4)}), ${trained.seconds.toFixed(1)} s`);
      },
    });
  }
  const missing = o.densities.filter((d) => !done.has(d));
  if (missing.length) throw new Error(`engine finished without levels ${missing.join(", ")}`);
  const gpuSeconds = gpuElapsed();
  const data: DataFile = {
    schema: SCHEMA_ID,
    model: kind,
    config,
    run: {
      engine: engine.name, device: engine.device, ...(kernel && { kernel }), trainSeconds: round3(elapsed()),
      ...(gpuSeconds !== undefined && { gpuSeconds: round3(gpuSeconds) }), createdAt: new Date().toISOString(), commit,
    },
    levels: o.densities.map((d) => done.get(d)!),
  };
  writeDataFile(o.out, data);
  rmSync(ckptPath, { force: true });
  return data;
}
