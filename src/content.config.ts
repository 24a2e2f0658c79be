// Content collections.
//
// `data`: the two trained-model files, read from public/data/ (or $PB_DATA_DIR) and validated against
// the "privileged-basis/1" schema by the same parser the trainer uses. A missing or invalid file stops
// the build with a message naming the file and the command that regenerates it. Entry ids are the
// model kinds, "relu-hidden" and "linear-hidden"; read them through src/site/content.ts.
//
// `article`: the MDX sections of the report in content/.

import { defineCollection } from "astro:content";
import type { Loader, LoaderContext } from "astro/loaders";
import { glob } from "astro/loaders";
import { z } from "astro/zod";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dataDirectory } from "./data/directory.ts";
import { readDataFile } from "./data/io.ts";
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

const article = defineCollection({
  loader: glob({ pattern: "**/*.mdx", base: "./content" }),
  schema: z.object({
    title: z.string(),
    description: z.string(),
    /** Sections are concatenated in this order on the page. */
    order: z.number().int(),
  }),
});

export const collections = { data, article };
