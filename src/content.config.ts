// Content collections.
//
// `data`: the two trained-model files, read from public/data/ (or $PB_DATA_DIR) and validated against
// the data file schema (privileged-basis/2, or /1 for older files) by the same parser the trainer uses. A missing or invalid file stops
// the build with a message naming the file and the command that regenerates it. Entry ids are the
// model kinds, "relu-hidden" and "linear-hidden"; read them through src/site/content.ts.
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
import { gitRestoreCommand } from "./data/restore.ts";
import { MODEL_KINDS, dataFileName, regenerateCommand } from "./data/schema.ts";

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

function dataLoader(): Loader {
  return {
    name: "privileged-basis-data",
    load: async (context: LoaderContext) => {
      const { store, logger, config, watcher } = context;
      const dir = dataDirectory(config.publicDir);
      const root = fileURLToPath(config.root);
      const entries = MODEL_KINDS.map((model) => {
        const path = resolve(dir, dataFileName(model));
        const inside = !relative(root, path).startsWith("..") && !isAbsolute(relative(root, path));
        const shown = inside ? relative(root, path) : path;
        try {
          return { model, path, shown, inside, data: readDataFile(path) };
        } catch (e) {
          // readDataFile's errors start with the path; restate it relative to the project so the
          // message is short, and say how to regenerate the file.
          const reason = (e as Error).message.startsWith(path) ? (e as Error).message.slice(path.length + 2) : (e as Error).message;
          // A file git knows can be restored in a second; retraining it takes hours on a CPU.
          const restore = gitRestoreCommand(path);
          throw new DataLoadError(
            `Data file ${shown} cannot be used: ${reason}.\n` +
              (restore ? `  Restore the committed file with: ${restore}\n` : "") +
              `  ${restore ? "Or regenerate it (hours on a CPU)" : "Regenerate it"} with: ${regenerateCommand(model)}` +
              (process.env.PB_DATA_DIR ? ` --out ${path}` : ""),
          );
        }
      });
      store.clear();
      for (const { model, shown, inside, data } of entries) {
        const record = data as unknown as Record<string, unknown>;
        // Astro accepts only paths inside the project as an entry's filePath.
        store.set({ id: model, data: record, ...(inside ? { filePath: shown } : {}), digest: context.generateDigest(record) });
        logger.info(`${shown}: ${data.levels.length} density levels, K = ${data.config.modelsPerLevel}`);
      }
      // In `astro dev`, reload when the trainer rewrites a file.
      if (watcher) {
        const paths = entries.map((e) => e.path).filter((p) => !watched.has(p));
        if (paths.length) {
          for (const p of paths) watched.add(p);
          watcher.add(paths);
          watcher.on("change", (changed) => {
            if (watched.has(resolve(changed))) void dataLoader().load(context).catch((e: Error) => logger.error(e.message));
          });
        }
      }
    },
  };
}

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
      for (const model of MODEL_KINDS) {
        const dataPath = resolve(dir, dataFileName(model));
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
            throw new Error(`${path}: not the population ${dataFileName(model)} names (${bytes.length} bytes, SHA-256 ${sha.slice(0, 12)}…; it names ${file.population.bytes} bytes, ${file.population.sha256.slice(0, 12)}…)`);
          }
          const pop = parsePopulation(path, bytes, populationExpectation(file));
          const analyses = analysePopulation(file, pop);
          const separators = separatorCounts(file, pop, analyses);
          const levels = summarisePopulation(file, analyses).map((l, li) => ({ ...l, separators: separators[li] }));
          summary = { levels, claims: populationClaims(levels) };
        } catch (e) {
          const message = (e as Error).message;
          const reason = message.startsWith(path) ? message.slice(path.length + 2) : message.replace(/^ENOENT.*/, "file not found");
          const restore = gitRestoreCommand(path);
          throw new DataLoadError(
            `Population file ${shown} cannot be used: ${reason}.\n` +
              (restore ? `  Restore the committed file with: ${restore}\n` : "") +
              `  ${restore ? "Or regenerate it and its data file (hours on a CPU)" : "Regenerate it and its data file"} with: ${regenerateCommand(model)}`,
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
    /** Sections are concatenated in this order on the page. */
    order: z.number().int(),
  }),
});

export const collections = { data, population, article };
