// The git commit of the code that trains, recorded in every data file: the trainer's (best-of-k.ts), and
// the site build's for runs made in a reader's page (src/trainer/), whose code is the built site's.

import { execFileSync } from "node:child_process";

let cached: string | undefined;

/** The commit of the code that trains: a bundle's own, else the working tree's ("-dirty" when it has
 *  uncommitted changes), else "unknown". Read once per process: the code a process runs is the code it
 *  loaded, so a run that trains several experiments one after another records, for each, the commit it
 *  started with, even if the checkout changes while it runs. */
export function gitCommit(): string {
  return (cached ??= readCommit());
}

function readCommit(): string {
  // A bundled trainer (scripts/gpu-bundle.sh) is built with the commit of its code: that, not whatever
  // checkout the GPU machine happens to run it in (one there once named an older commit, "-dirty").
  const bundled = process.env.PB_TRAINER_COMMIT;
  if (bundled) return bundled;
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return "unknown";
  }
}
