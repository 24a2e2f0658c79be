// The quick fix for a broken data file that git knows: restoring the committed copy takes a second,
// where regenerating it takes hours on a CPU. Used by the data loader's error (src/content.config.ts).

import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, relative } from "node:path";

/** `git <args>` in `cwd`: its exit status (null when git cannot run) and trimmed stdout. */
function git(cwd: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 });
  return { status: r.error ? null : r.status, out: (r.stdout ?? "").trim() };
}

/** `word` quoted for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `path` with its directory's symlinks resolved (the file itself may be missing). */
function realPath(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return realpathSync(dir) + path.slice(dir.length);
}

/**
 * The shell command that restores `path` (absolute) to its committed version, or undefined when that
 * would not help: git is missing, the file is not in a repository or not in its HEAD commit, or the
 * file on disk is the committed one (then the commit itself is bad). When `cwd` (where the user runs
 * the build) is inside the file's repository the command is `git checkout -- <path relative to cwd>`,
 * else `git -C <dir> checkout -- <name>`. If the broken version has been staged, `git checkout --`
 * would restore it from the index, so the command names HEAD.
 */
export function gitRestoreCommand(path: string, cwd: string = process.cwd()): string | undefined {
  const dir = dirname(path);
  if (!existsSync(dir)) return undefined;
  const top = git(dir, "rev-parse", "--show-toplevel");
  if (top.status !== 0 || !top.out) return undefined;
  const root = realpathSync(top.out);
  const inRepo = relative(root, realPath(path));
  if (inRepo.startsWith("..") || isAbsolute(inRepo)) return undefined;
  if (git(root, "cat-file", "-e", `HEAD:${inRepo}`).status !== 0) return undefined;
  // `git diff --quiet` exits 1 when the file differs (a deleted file differs too), 0 when it does not.
  if (git(root, "diff", "--quiet", "HEAD", "--", inRepo).status !== 1) return undefined;
  const staged = git(root, "diff", "--quiet", "--cached", "HEAD", "--", inRepo).status === 1;
  const checkout = staged ? "checkout HEAD --" : "checkout --";
  const here = realpathSync(cwd);
  const cwdInRepo = !relative(root, here).startsWith("..") && !isAbsolute(relative(root, here));
  return cwdInRepo
    ? `git ${checkout} ${shellWord(relative(here, realPath(path)))}`
    : `git -C ${shellWord(dir)} ${checkout} ${shellWord(basename(path))}`;
}
