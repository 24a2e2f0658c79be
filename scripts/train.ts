// npm run train -- [options]: trains best-of-K models per density level and writes one data file.
// Logs go to stderr; the file is written atomically; finished levels are checkpointed so an interrupted
// run resumes. Exit codes: 0 done, 1 failure, 2 bad usage, 130 interrupted.

import { TRAIN_USAGE, UsageError, parseTrainArgs } from "../src/train/cli.ts";
import { createEngine } from "../src/train/engines.ts";
import { checkpointPath, runExperiment } from "../src/train/best-of-k.ts";
import { ProgressReporter, formatDuration } from "../src/train/progress.ts";

async function main(): Promise<number> {
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
  const progress = new ProgressReporter();
  const log = (line: string) => progress.log(line);
  let engine;
  try {
    engine = await createEngine(opts.engine, { threads: opts.threads, kernel: opts.kernel, workgroupSize: opts.workgroupSize, log });
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
    log(`\n${sig}: stopping; finished levels are kept in ${checkpointPath(opts.out)}`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  const { config, densities, kind } = opts;
  log(`training ${kind}: ${densities.length} levels × ${config.modelsPerLevel} models × ${config.steps} steps, batch ${config.batchSize}, seed ${config.seed}`);
  log(`engine ${engine.name} on ${engine.device}`);
  const t0 = performance.now();
  try {
    const data = await runExperiment({
      kind, config, densities, engine, out: opts.out, resume: opts.resume, signal: controller.signal, log,
      onProgress: (p) => progress.update({
        density: p.density, levelsDone: p.levelsDone, levelsTotal: p.levelsTotal,
        modelsDone: p.modelsDone, modelsTotal: config.modelsPerLevel * densities.length,
        modelStepsDone: p.modelStepsDone, modelStepsTotal: p.modelStepsTotal,
      }),
    });
    progress.finish();
    const gpu = data.run.gpuSeconds !== undefined ? ` (GPU time ${data.run.gpuSeconds.toFixed(2)} s)` : "";
    log(`wrote ${opts.out} (${data.levels.length} levels) in ${formatDuration((performance.now() - t0) / 1000)}${gpu}`);
    return 0;
  } catch (e) {
    progress.finish();
    if (interrupted) {
      log(`train: interrupted; re-run the same command to resume`);
      return 130;
    }
    log(`train: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  } finally {
    await engine.close();
  }
}

process.exitCode = await main();
