// npm run diagnose -- FILE [--convergence-only] [--threads T]: runs the winners' diagnostics
// (src/train/diagnostics.ts: cross-evaluation, continuation, convergence) on a schema-2 or -3 data file and
// writes them into it (validated, atomically). Training runs them itself; this is for a file trained
// before a diagnostic existed, or to add the convergence diagnostic alone (--convergence-only keeps the
// file's cross-evaluation and continuation). Exit codes: 0 done, 1 failure, 2 bad usage.

import { parseArgs } from "node:util";
import { availableParallelism } from "node:os";
import { readDataFile, writeDataFile } from "../src/data/io.ts";
import { SCHEMA_V1, SCHEMA_V2 } from "../src/data/schema.ts";
import { poolEvaluator } from "../src/train/evaluator.ts";
import { CONVERGENCE, convergence, diagnose, logConvergence } from "../src/train/diagnostics.ts";
import { formatDuration } from "../src/train/progress.ts";

const USAGE = `usage: npm run diagnose -- FILE [--convergence-only] [--threads T]

  FILE                  a schema-2 or -3 data file (public/data/relu-hidden.json, …); its diagnostics are replaced
  --convergence-only    run only the convergence diagnostic (${CONVERGENCE.leading} leading and ${CONVERGENCE.spread} spread models per level,
                        read at ${CONVERGENCE.factors.map((f) => `${f}×`).join(", ")} each level's steps); keep the rest
  --threads T           worker threads (default: all ${availableParallelism()} cores)`;

function fail(message: string): never {
  console.error(`diagnose: ${message}`);
  process.exit(2);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { "convergence-only": { type: "boolean" }, threads: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (e) {
    fail((e as Error).message.split("\n")[0]);
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals.length !== 1) fail(`expected one data file, got ${args.positionals.length} (see --help)`);
  const file = args.positionals[0];
  const threads = args.values.threads === undefined ? availableParallelism() : Number(args.values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > availableParallelism()) fail(`--threads: expected an integer from 1 to ${availableParallelism()}, got ${args.values.threads}`);
  let data;
  try {
    data = readDataFile(file);
  } catch (e) {
    fail((e as Error).message);
  }
  if (data.schema === SCHEMA_V1) fail(`${file}: schema ${data.schema}; the diagnostics need ${SCHEMA_V2} or later (retrain the file)`);
  if (args.values["convergence-only"] && !data.diagnostics) fail(`${file}: has no diagnostics to add convergence to; run without --convergence-only`);
  if (data.levels.length < 2 && !args.values["convergence-only"]) fail(`${file}: one level; cross-evaluation and continuation need two`);
  const log = (line: string) => console.error(line);
  const ev = poolEvaluator(data.model, data.config, threads);
  const t0 = performance.now();
  try {
    if (args.values["convergence-only"]) {
      const conv = await convergence(ev, data);
      logConvergence(conv, log);
      data = { ...data, diagnostics: { ...data.diagnostics!, convergence: conv } };
    } else {
      data = { ...data, diagnostics: await diagnose(ev, data, log) };
    }
  } finally {
    await ev.close();
  }
  writeDataFile(file, data);
  log(`wrote the diagnostics into ${file} in ${formatDuration((performance.now() - t0) / 1000)}`);
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`diagnose: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
