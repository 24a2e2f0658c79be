// npm run train -- [NAME] [options]: trains best-of-K models per density level and writes the data file of
// one declared experiment (src/experiments/declarations.ts), or, without a name, of every declared
// experiment whose file is missing or stale.
// Logs go to stderr; the file is written atomically; finished levels are checkpointed so an interrupted
// run resumes. Exit codes: 0 done, 1 failure, 2 bad usage, 130 interrupted.

import { existsSync, statSync } from "node:fs";
import { TRAIN_USAGE, UsageError, parseTrainArgs, type TrainOptions, type TrainRun } from "../src/train/cli.ts";
import { declaredExperiments, trainDataDirectory } from "../src/experiments/declarations.ts";
import { experimentPlan, experimentStatus } from "../src/experiments/cache.ts";
import type { Engine } from "../src/train/engine.ts";
import { checkWritableFile } from "../src/data/io.ts";
import { createEngine } from "../src/train/engines.ts";
import { checkpointPath, checkpointPopulationPath, gitCommit, populationPath, runExperiment } from "../src/train/best-of-k.ts";
import { ProgressReporter, formatDuration } from "../src/train/progress.ts";
import { stepsText } from "../src/text/steps.ts";
import { plural } from "../src/text/plural.ts";

async function main(): Promise<number> {
  gitCommit(); // the commit of the code this process loaded, before the checkout can change under it
  let opts;
  try {
    opts = parseTrainArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`train: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  let runs: TrainRun[];
  if (opts.mode === "one") {
    runs = [opts.run!];
  } else {
    // No name: every declared experiment whose file is missing, invalid or stale, in declaration order.
    runs = [];
    const experiments = declaredExperiments(); // parseTrainArgs has read them once: they are valid
    for (const experiment of experiments) {
      const status = experimentStatus(experiment, trainDataDirectory());
      const why = status.state === "fresh" ? "" : `: ${status.reasons.join("; ")}`;
      const hint = status.extendable && !opts.extend ? " (--extend would train only the changed densities)" : "";
      console.error(`${experiment.name}: ${status.state}${why}${status.state === "fresh" || opts.mode === "check" ? "" : " → training"}${hint}`);
      if (status.state !== "fresh") {
        const plan = experimentPlan(experiment);
        runs.push({ experiment, ...plan, out: status.path, overrides: [] });
      }
    }
    if (runs.length === 0) {
      console.error(`all ${plural(experiments.length, "declared experiment")} are fresh: nothing to train`);
      return 0;
    }
    if (opts.mode === "check") {
      console.error(`${plural(runs.length, "experiment")} to train (${runs.map((r) => r.experiment.name).join(", ")}): npm run train`);
      return 1;
    }
    console.error(`training ${plural(runs.length, "experiment")}: ${runs.map((r) => r.experiment.name).join(", ")}`);
  }
  // A bad --out must fail now, not after the first level (or the whole run) has trained.
  for (const run of runs) {
    try {
      checkWritableFile(run.out, checkpointPath(run.out), populationPath(run.out), checkpointPopulationPath(run.out));
    } catch (e) {
      console.error(`train: --out: ${(e as Error).message}`);
      return 2;
    }
  }
  const progress = new ProgressReporter();
  const log = (line: string) => progress.log(line);
  let engine;
  try {
    engine = await createEngine(opts.engine, { threads: opts.threads, kernel: opts.kernel, cpuKernel: opts.cpuKernel, workgroupSize: opts.workgroupSize, log, debugLog: opts.verbose ? log : undefined });
  } catch (e) {
    // E.g. `--engine webgpu` and Dawn finds no adapter: the message says why.
    log(`train: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  }
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (sig: string) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`\n${sig}: stopping (again to quit at once)`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  try {
    for (const run of runs) {
      // --extend without a name: a missing file trains whole.
      const extend = opts.extend && (opts.mode === "one" || existsSync(run.out));
      const status = await trainOne(run, engine, { ...opts, extend }, controller.signal, progress, () => interrupted);
      if (status !== 0) return status;
    }
    return 0;
  } finally {
    await engine.close();
  }
}

/** Trains one run into its file: 0 done, 1 failed, 130 interrupted. */
async function trainOne(run: TrainRun, engine: Engine, { resume, extend, convergence }: Pick<TrainOptions, "resume" | "extend" | "convergence">, signal: AbortSignal, progress: ProgressReporter, interrupted: () => boolean): Promise<number> {
  const log = (line: string) => progress.log(line);
  // Whether an interrupted run leaves something to resume: a checkpoint this run wrote, or the one it
  // resumed from (a --no-resume run leaves an older one untouched until its first level is done).
  const ckpt = checkpointPath(run.out);
  const ckptTime = () => (existsSync(ckpt) ? statSync(ckpt).mtimeMs : undefined);
  const ckptAtStart = ckptTime();
  const { config, densities, kind } = run;
  const shape = config.features === 10 && config.neurons === 5 ? "" : ` (n = ${config.features}, m = ${config.neurons})`;
  log(`training ${run.experiment.name}${shape}${run.overrides.length ? ` with ${run.overrides.join(", ")} overridden` : ""}: ${plural(densities.length, "level")} × ${plural(config.modelsPerLevel, "model")} × ${stepsText(config)}, batch ${config.batchSize}, seed ${config.seed} → ${run.out}`);
  log(`engine ${engine.name} on ${engine.device}`);
  const t0 = performance.now();
  try {
    const data = await runExperiment({
      kind, config, densities, engine, out: run.out, resume, extend, convergence, signal, log,
      onProgress: (p) => progress.update({
        density: p.density, levelsDone: p.levelsDone, levelsTotal: p.levelsTotal,
        // The totals cover the levels trained this time (not those resumed from a checkpoint).
        modelsDone: p.modelsDone, modelsTotal: p.modelsTotal,
        modelStepsDone: p.modelStepsDone, modelStepsTotal: p.modelStepsTotal,
      }),
    });
    progress.finish();
    const gpu = data.run.gpuSeconds !== undefined ? ` (GPU time ${data.run.gpuSeconds.toFixed(2)} s)` : "";
    log(`wrote ${run.out} (${plural(data.levels.length, "level")}) in ${formatDuration((performance.now() - t0) / 1000)}${gpu}`);
    return 0;
  } catch (e) {
    progress.finish();
    if (interrupted()) {
      const now = ckptTime();
      const resumable = now !== undefined && (resume || now !== ckptAtStart);
      log(resumable
        ? `train: interrupted; finished levels are kept in ${ckpt}: re-run the same command to resume`
        : `train: interrupted before any level finished; nothing was saved${now !== undefined ? ` (the earlier ${ckpt} is untouched)` : ""}`);
      return 130;
    }
    log(`train: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  }
}

process.exitCode = await main();
