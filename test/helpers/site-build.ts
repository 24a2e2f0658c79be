// One `astro build` of the site shared by every test file that needs the built pages (browser test,
// JS budget, …), however many vitest workers ask for it.
//
// The output directory is keyed by the test run (PB_TEST_RUN, set once per run in vitest.config.ts)
// and a hash of everything the build reads (src/, content/, public/, the Astro/TypeScript config and
// the lockfile), under the OS temp directory. The first worker to ask takes a lock (an atomic mkdir)
// and builds; the others wait for it and reuse the result. Every test run builds afresh: a build from
// an earlier run is never trusted. A failed build is remembered (with its output) for the same key, so
// every waiting file fails at once with the build's message instead of building again.
//
// The build runs with PB_BASE / PB_SITE / PB_DATA_DIR / PB_CONTENT_DIR / PB_ALLOW_STALE cleared (the
// site at "/", the committed data and article, fresh data only), and without vitest's NODE_ENV=test:
// it is the production build `npm run build` makes. A test that needs the site under a base path asks
// for builtSite({ PB_BASE: … }): a second build, shared and keyed the same way.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
const ASTRO = join(ROOT, "node_modules", "astro", "bin", "astro.mjs");

/** Inputs of the build, relative to the project root: directories are hashed recursively. */
const INPUTS = ["src", "content", "public", "astro.config.mjs", "tsconfig.json", "package.json", "package-lock.json"];
/** A lock older than this with no result is taken over (its builder died). */
const STALE_LOCK_MS = 6 * 60_000;
const BUILD_TIMEOUT_MS = 5 * 60_000;
/** Shared builds of earlier runs unused for this long are deleted. */
const PRUNE_AFTER_MS = 30 * 60_000;
const PREFIX = "pb-site-build-";

function hashInputs(): string {
  const hash = createHash("sha256");
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name === "node_modules" || name.startsWith(".")) continue;
        visit(join(path, name));
      }
    } else if (st.isFile()) {
      hash.update(relative(ROOT, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  for (const input of INPUTS) visit(join(ROOT, input));
  hash.update(process.version).update(process.env.PB_TEST_RUN ?? `pid ${process.pid}`);
  return hash.digest("hex").slice(0, 16);
}

export interface AstroBuildResult {
  ok: boolean;
  status: number | null;
  output: string;
}

/** Held while any test runs `astro build`: builds of one project share state, so they take turns. */
const GLOBAL_LOCK = join(tmpdir(), "pb-astro-build.lock");

async function withGlobalBuildLock<T>(f: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(GLOBAL_LOCK);
      break;
    } catch {
      const held = statSync(GLOBAL_LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(GLOBAL_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for another astro build (${GLOBAL_LOCK})`);
      await sleep(250);
    }
  }
  try {
    return await f();
  } finally {
    rmSync(GLOBAL_LOCK, { recursive: true, force: true });
  }
}

/**
 * Variables vitest puts into process.env, which a build must not inherit: NODE_ENV=test makes Vite
 * bundle the islands as in development (Preact's devtools hook included, 11 KB instead of 8 KB), and
 * its copy of import.meta.env (BASE_URL="/", MODE=test, DEV, PROD, SSR) overrides the build's own, so
 * a build with PB_BASE still linked its files at "/".
 */
const TEST_RUNNER_VARIABLES = ["NODE_ENV", "TEST", "FORCE_TTY", "BASE_URL", "MODE", "DEV", "PROD", "SSR"];

/**
 * The environment `npm run build` sees, not the test runner's (TEST_RUNNER_VARIABLES, VITEST*):
 * `astro build` then makes the production build that ships, so the browser and JS-budget tests check
 * that bundle.
 */
function buildEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (TEST_RUNNER_VARIABLES.includes(name) || name.startsWith("VITEST")) delete env[name];
  return env;
}

/**
 * `astro build --outDir outDir` as `npm run build` runs it (a production build), with the Node that
 * runs the tests, the site at "/" and the committed data unless `env` says otherwise, and a cache
 * directory of its own. Concurrent builds of the same
 * project disturb each other (a page once referenced a stylesheet another build had replaced), so every
 * test build goes through one lock, across vitest workers.
 */
export function runAstroBuild(outDir: string, env: Record<string, string> = {}): Promise<AstroBuildResult> {
  return withGlobalBuildLock(
    () =>
      new Promise((done) => {
        const child = spawn(process.execPath, [ASTRO, "build", "--outDir", outDir], {
          cwd: ROOT,
          env: {
            ...buildEnvironment(), ASTRO_TELEMETRY_DISABLED: "1", NO_COLOR: "1", FORCE_COLOR: "0",
            PB_BASE: "", PB_SITE: "", PB_DATA_DIR: "", PB_CONTENT_DIR: "", PB_ALLOW_STALE: "", PB_CACHE_DIR: `${outDir}.cache`, ...env,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          rmSync(`${outDir}.cache`, { recursive: true, force: true });
          done({ ok: code === 0, status: code, output: `${output}\n(exit ${code ?? signal})` });
        });
      }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Settings a shared build can be made with (astro.config.mjs): the site's URL and base path. */
export interface SiteVariant {
  PB_SITE?: string;
  PB_BASE?: string;
  /** Another directory of MDX sections (the authoring fixture test). */
  PB_CONTENT_DIR?: string;
  /** Another directory of data files. */
  PB_DATA_DIR?: string;
  /** "1": build from stale data under the "stale data" banner (src/content.config.ts). */
  PB_ALLOW_STALE?: string;
}

const cached = new Map<string, Promise<string>>();

/**
 * The built site's directory (holding index.html, _astro/, data/), building it first if no build of
 * the current sources exists. Throws with the end of the build's output if the build fails. With a
 * `variant` (e.g. a base path), a separate build with those settings, shared the same way.
 */
export function builtSite(variant: SiteVariant = {}): Promise<string> {
  const env = Object.fromEntries(Object.entries(variant).filter(([, v]) => v !== undefined).sort()) as Record<string, string>;
  const id = JSON.stringify(env);
  let build = cached.get(id);
  if (!build) cached.set(id, (build = buildOnce(env)));
  return build;
}

function pruneOldBuilds(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX) || name === PREFIX + keep) continue;
    const path = join(tmpdir(), name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > PRUNE_AFTER_MS) rmSync(path, { recursive: true, force: true });
  }
}

async function buildOnce(env: Record<string, string>): Promise<string> {
  const key = Object.keys(env).length ? `${hashInputs()}-${createHash("sha256").update(JSON.stringify(env)).digest("hex").slice(0, 8)}` : hashInputs();
  pruneOldBuilds(key);
  const dir = join(tmpdir(), `${PREFIX}${key}`);
  const outDir = join(dir, "dist");
  const okMarker = join(dir, "ok");
  const failMarker = join(dir, "failed");
  const lock = join(dir, "lock");
  mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS + STALE_LOCK_MS;
  for (;;) {
    if (existsSync(okMarker)) {
      utimesSync(dir, new Date(), new Date()); // recently used: not pruned
      return outDir;
    }
    if (existsSync(failMarker)) throw new Error(`astro build failed (shared build ${dir}):\n${readFileSync(failMarker, "utf8").slice(-4000)}`);
    try {
      mkdirSync(lock);
    } catch {
      // Another worker holds the lock: wait for its result, or take over a stale lock.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the shared build in ${dir}`);
      await sleep(500);
      continue;
    }
    try {
      rmSync(outDir, { recursive: true, force: true });
      const result = await runAstroBuild(outDir, env);
      if (!result.ok || !existsSync(join(outDir, "index.html"))) {
        writeFileSync(failMarker, result.output);
        throw new Error(`astro build failed:\n${result.output.slice(-4000)}`);
      }
      writeFileSync(okMarker, result.output);
      return outDir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
