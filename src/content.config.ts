// Content collections.
//
// `data`: the data file of every declared experiment (src/experiments/declarations.ts), read from
// public/data/ (or $PB_DATA_DIR) and validated against the data file schema (privileged-basis/3, or /2 and /1
// for older files) by the same parser the trainer uses, then checked against its declaration
// (src/experiments/cache.ts). An invalid file stops the build; so does a missing or stale one unless
// PB_ALLOW_STALE=1 (then the page carries a "stale data" banner, from the `freshness` collection). The
// message names every such file and the command that refreshes it. Entry ids are the experiment names
// ("relu-hidden", "linear-hidden", …); read them through src/site/content.ts.
//
// `article`: the MDX sections of the report in content/ (or $PB_CONTENT_DIR: the fixture test builds a
// copy of the article with a section of its own added).

import { defineCollection } from "astro:content";
import type { Loader, LoaderContext } from "astro/loaders";
import { glob } from "astro/loaders";
import { z } from "astro/zod";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dataDirectory } from "./data/directory.ts";
import { readDataFile } from "./data/io.ts";
import { parsePopulation, populationExpectation } from "./data/population.ts";
import { analysePopulation, populationClaims, separatorCounts, summarisePopulation } from "./site/population.ts";
import { experimentCodeSizes } from "./site/code-sizes.ts";
import { gitRestoreCommand } from "./data/restore.ts";
import { apparatusFields } from "./apparatus/front-matter.ts";
import { declaredExperiments } from "./experiments/declarations.ts";
import { experimentPath, experimentStatus, trainCommand, type ExperimentStatus } from "./experiments/cache.ts";

export class DataLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataLoadError";
    // This is bad input, not a bug: Astro prints an error's message followed by "Location:" and a
    // stack trace when it has one, which would bury the few lines that say what to do. Without a
    // stack, `astro build` prints the message alone (and exits 1).
    this.stack = "";
  }
}

/** Data files already watched in `astro dev` (so a reload does not add a second listener). */
const watched = new Set<string>();

/** Set to 1 to build from stale or missing data anyway, under a "stale data" banner (README, "Extend the
 *  write-up"). Invalid files still stop the build: there is nothing to show from them. */
export const ALLOW_STALE_VARIABLE = "PB_ALLOW_STALE";
const allowStale = () => process.env[ALLOW_STALE_VARIABLE] === "1";

/**
 * Every declared experiment's data file in `dir`, with its freshness (src/experiments/cache.ts). Stops
 * the build (DataLoadError), naming every experiment whose file is invalid, and, unless PB_ALLOW_STALE=1,
 * every one whose file is missing or stale, each with the command that refreshes it.
 */
function checkExperiments(dir: string, root: string): { statuses: ExperimentStatus[]; shown: (path: string) => string } {
  const shown = (path: string) => {
    const inside = !relative(root, path).startsWith("..") && !isAbsolute(relative(root, path));
    return inside ? relative(root, path) : path;
  };
  let experiments;
  try {
    experiments = declaredExperiments();
  } catch (e) {
    throw new DataLoadError((e as Error).message);
  }
  const statuses = experiments.map((e) => experimentStatus(e, dir));
  const blocking = statuses.filter((s) => s.state === "invalid" || ((s.state === "missing" || s.state === "stale") && !allowStale()));
  if (!blocking.length) return { statuses, shown };
  // Outside public/data the command must say where to write.
  const command = (s: ExperimentStatus) => `${trainCommand(s.experiment)}${process.env.PB_DATA_DIR ? ` --out ${s.path}` : ""}`;
  const blocks = blocking.map((s) => {
    if (s.state === "stale") {
      return `Data file ${shown(s.path)} is stale: ${s.reasons.join("; ")}.\n  Retrain it with: ${command(s)}` +
        (s.extendable ? `\n  Or train only the changed densities, keeping its other levels: ${command(s)} --extend` : "");
    }
    // A file git knows can be restored in a second; retraining it takes hours on a CPU.
    const restore = gitRestoreCommand(s.path);
    return (
      `Data file ${shown(s.path)} cannot be used: ${s.reasons[0]}.\n` +
      (restore ? `  Restore the committed file with: ${restore}\n` : "") +
      `  ${restore ? "Or regenerate it (hours on a CPU)" : "Regenerate it"} with: ${command(s)}`
    );
  });
  const refreshable = blocking.filter((s) => s.state !== "invalid");
  if (refreshable.length > 1 && !process.env.PB_DATA_DIR) blocks.push(`  \`npm run train\` retrains all ${refreshable.length}: ${refreshable.map((s) => s.experiment.name).join(", ")}.`);
  // Only stale files can be built from: a page that needs a missing one cannot render.
  if (blocking.every((s) => s.state === "stale")) blocks.push(`  Or build from them anyway, under a "stale data" banner: ${ALLOW_STALE_VARIABLE}=1 npm run build`);
  throw new DataLoadError(blocks.join("\n"));
}

/** In `astro dev` (where Astro passes a watcher), runs `reload` whenever one of `paths` changes; `watched`
 *  is the caller's own set, so each path is subscribed once however often the loader runs. */
function reloadOnChange(context: LoaderContext, watched: Set<string>, paths: readonly string[], reload: () => Promise<void>): void {
  const { watcher, logger } = context;
  if (!watcher) return;
  const added = paths.filter((p) => !watched.has(p));
  if (!added.length) return;
  for (const p of added) watched.add(p);
  watcher.add(added);
  watcher.on("change", (changed) => {
    if (watched.has(resolve(changed))) void reload().catch((e: Error) => logger.error(e.message));
  });
}

function dataLoader(): Loader {
  return {
    name: "privileged-basis-data",
    load: async (context: LoaderContext) => {
      const { store, logger, config } = context;
      const dir = dataDirectory(config.publicDir);
      const root = fileURLToPath(config.root);
      const { statuses, shown } = checkExperiments(dir, root);
      store.clear();
      for (const s of statuses) {
        if (!s.file) {
          logger.warn(`${shown(s.path)}: missing (${ALLOW_STALE_VARIABLE}=1): pages that need ${s.experiment.name} will not build`);
          continue;
        }
        const record = s.file as unknown as Record<string, unknown>;
        const inside = shown(s.path) !== s.path;
        // Astro accepts only paths inside the project as an entry's filePath.
        store.set({ id: s.experiment.name, data: record, ...(inside ? { filePath: shown(s.path) } : {}), digest: context.generateDigest(record) });
        logger.info(`${shown(s.path)}: ${s.file.levels.length} density levels, K = ${s.file.config.modelsPerLevel}${s.state === "stale" ? ` — STALE: ${s.reasons.join("; ")}` : ""}`);
      }
      // In `astro dev`, reload when the trainer rewrites a file.
      reloadOnChange(context, watched, statuses.map((e) => e.path), () => dataLoader().load(context));
    },
  };
}

/**
 * `freshness`: one entry, "experiments", listing every declared experiment whose data is not fresh (only
 * when PB_ALLOW_STALE=1 lets the build go on; otherwise the list is empty): its name, state and what
 * differs, for the page's "stale data" banner. One entry always, so the collection is never empty (Astro
 * warns about an empty one on every build); in `astro dev` it is recomputed when a data file changes, so
 * the banner goes away once the trainer has refreshed the file.
 */
function freshnessLoader(): Loader {
  const watched = new Set<string>();
  const loader: Loader = {
    name: "privileged-basis-freshness",
    load: async (context: LoaderContext) => {
      const { store, config } = context;
      const { statuses } = checkExperiments(dataDirectory(config.publicDir), fileURLToPath(config.root));
      const stale = statuses.filter((s) => s.state !== "fresh").map((s) => ({ name: s.experiment.name, state: s.state, reasons: s.reasons, command: trainCommand(s.experiment) }));
      store.clear();
      store.set({ id: "experiments", data: { stale } });
      reloadOnChange(context, watched, statuses.map((e) => e.path), () => loader.load(context));
    },
  };
  return loader;
}

const freshness = defineCollection({ loader: freshnessLoader() });

const data = defineCollection({ loader: dataLoader() });

/**
 * `population`: for each data file that names a population file (schema 2), the whole population
 * analysed (src/site/population.ts) — once per build (and per change in `astro dev`), never in the
 * browser. The population file must be the one the data file names (size and SHA-256) and match its
 * config and levels; anything else stops the build with the file's name. Entry ids are the model kinds.
 */
function populationLoader(): Loader {
  return {
    name: "privileged-basis-population",
    load: async ({ store, logger, config }: LoaderContext) => {
      const dir = dataDirectory(config.publicDir);
      const root = fileURLToPath(config.root);
      store.clear();
      for (const experiment of declaredExperiments()) {
        const model = experiment.name;
        const dataPath = experimentPath(dir, experiment);
        let file;
        try {
          file = readDataFile(dataPath);
        } catch {
          continue; // the data collection reports it
        }
        if (!file.population) continue;
        const path = resolve(dir, file.population.file);
        const shown = relative(root, path).startsWith("..") ? path : relative(root, path);
        let summary;
        try {
          const bytes = new Uint8Array(readFileSync(path));
          const sha = createHash("sha256").update(bytes).digest("hex");
          if (bytes.length !== file.population.bytes || sha !== file.population.sha256) {
            throw new Error(`${path}: not the population ${model}.json names (${bytes.length} bytes, SHA-256 ${sha.slice(0, 12)}…; it names ${file.population.bytes} bytes, ${file.population.sha256.slice(0, 12)}…)`);
          }
          const pop = parsePopulation(path, bytes, populationExpectation(file));
          const analyses = analysePopulation(file, pop);
          const separators = separatorCounts(file, pop, analyses);
          const levels = summarisePopulation(file, analyses).map((l, li) => ({ ...l, separators: separators[li] }));
          summary = { levels, claims: populationClaims(levels), codeSizes: experimentCodeSizes(file, analyses).population! };
        } catch (e) {
          const message = (e as Error).message;
          const reason = message.startsWith(path) ? message.slice(path.length + 2) : message.replace(/^ENOENT.*/, "file not found");
          const restore = gitRestoreCommand(path);
          throw new DataLoadError(
            `Population file ${shown} cannot be used: ${reason}.\n` +
              (restore ? `  Restore the committed file with: ${restore}\n` : "") +
              `  ${restore ? "Or regenerate it and its data file (hours on a CPU)" : "Regenerate it and its data file"} with: ${trainCommand(experiment)}`,
          );
        }
        store.set({ id: model, data: summary as unknown as Record<string, unknown> });
        logger.info(`${shown}: ${file.levels.length} × ${file.config.modelsPerLevel} models analysed`);
      }
    },
  };
}

const population = defineCollection({ loader: populationLoader() });

const article = defineCollection({
  loader: glob({ pattern: "**/*.mdx", base: process.env.PB_CONTENT_DIR || "./content" }),
  schema: z.object({
    title: z.string(),
    description: z.string(),
    /** Sections are concatenated in this order on their page. */
    order: z.number().int(),
    /** The page the section is on: "" for the front page, else the page at <base>/<page>/ (a chapter). */
    page: z.string().regex(/^[a-z0-9-]*$/, "lowercase letters, digits and dashes").default(""),
    /** The declared experiments whose data the page shows, named in its footer (read from the page's
     *  first section). Default: the first chapter's relu-hidden and linear-hidden. */
    experiments: z.array(z.string()).optional(),
    /** Byline, first publication date and references (src/apparatus/front-matter.ts). */
    ...apparatusFields,
  }),
});

export const collections = { data, freshness, population, article };
