// An Astro integration that serves the data files the page was built from at <base>/data/, for the
// download links (src/article-components/DataLink.astro). Astro copies public/data/ there by itself (less
// any checkpoint of a run in progress, removed after the build); with
// $PB_DATA_DIR the page is built from other files, and without this the links would hand out the
// committed ones instead. `astro build` copies the files over dist/data/; `astro dev` serves them.

import type { AstroIntegration } from "astro";
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataDirectory } from "../data/directory.ts";
import { declaredExperiments } from "../experiments/declarations.ts";
import { populationFileName } from "../data/population.ts";

/** The files of an experiment: its data file and the population file beside it. */
const experimentFiles = (name: string) => [`${name}.json`, populationFileName(name)];

export function serveDataFiles(): AstroIntegration {
  let publicDir: URL | undefined;
  let base = "/";
  return {
    name: "privileged-basis-serve-data",
    hooks: {
      "astro:config:done": ({ config }) => {
        publicDir = config.publicDir;
        base = config.base.endsWith("/") ? config.base : `${config.base}/`;
      },
      "astro:server:setup": ({ server }) => {
        if (!process.env.PB_DATA_DIR) return;
        const dir = dataDirectory(publicDir!);
        const files = new Map(declaredExperiments().flatMap((e) => experimentFiles(e.name).map((f) => [`${base}data/${f}`, join(dir, f)])));
        server.middlewares.use((req, res, next) => {
          const path = files.get((req.url ?? "").split("?")[0]);
          if (!path || !existsSync(path)) return next();
          res.setHeader("Content-Type", path.endsWith(".json") ? "application/json" : "application/octet-stream");
          createReadStream(path).pipe(res);
        });
      },
      "astro:build:done": ({ dir, logger }) => {
        const to = fileURLToPath(new URL("data/", dir));
        // A trainer writing into public/data/ keeps its checkpoint there until it finishes: never publish it.
        if (existsSync(to)) for (const f of readdirSync(to)) if (/\.checkpoint\.json(\.population\.bin)?$/.test(f)) rmSync(join(to, f), { force: true });
        if (!process.env.PB_DATA_DIR) return;
        const from = dataDirectory(publicDir!);
        mkdirSync(to, { recursive: true });
        for (const { name } of declaredExperiments()) {
          // The collections have already validated these files (the build stops otherwise). Temp + rename,
          // so dist/ never holds half a file. A population file goes with its data file; where the data
          // directory has none, the committed one that Astro copied from public/ must not stay behind.
          for (const file of experimentFiles(name)) {
            const target = join(to, file);
            if (!existsSync(join(from, file))) {
              rmSync(target, { force: true });
              continue;
            }
            copyFileSync(join(from, file), `${target}.tmp`);
            renameSync(`${target}.tmp`, target);
          }
        }
        logger.info(`data/: the files from ${from} (PB_DATA_DIR), not public/data/`);
      },
    },
  };
}
