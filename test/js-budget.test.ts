// The article page's JavaScript budget: everything it loads (inline scripts, island components and
// renderers, module preloads and everything they import), gzipped file by file, must total at most
// 100 KB. Chunks reached only through a dynamic import() are listed but not counted: the page never
// loads them unless a feature asks (e.g. @astrojs/preact's signals support, unused here); the
// browser test checks that the page really loads nothing outside the counted set. Reads the shared
// build of the site (test/helpers/site-build.ts).

import { beforeAll, describe, expect, it } from "vitest";
import { builtSite } from "./helpers/site-build.ts";
import { BUDGET_BYTES, loadedGzipBytes, moduleImports, pageScripts } from "./helpers/page-scripts.ts";
import type { PageScript } from "./helpers/page-scripts.ts";

describe("JavaScript budget of the article page", () => {
  let scripts: PageScript[] = [];

  beforeAll(async () => {
    scripts = pageScripts(await builtSite(), "index.html");
  });

  it("finds the explorer island's scripts", () => {
    const names = scripts.map((s) => s.name);
    expect(names.some((n) => /\/_astro\/ExplorerIsland\.[^/]+\.js$/.test(n)), names.join("\n")).toBe(true);
    expect(scripts.some((s) => s.via === "island")).toBe(true);
    // Preact is reached through the island's imports.
    expect(scripts.filter((s) => s.via === "static import").length).toBeGreaterThan(0);
  });

  it(`loads at most ${BUDGET_BYTES / 1000} KB of gzipped JavaScript`, () => {
    const total = loadedGzipBytes(scripts);
    const table = scripts
      .map((s) => `${String(s.gzipBytes).padStart(7)} B gz  ${String(s.bytes).padStart(7)} B  ${s.via.padEnd(14)} ${s.name}`)
      .join("\n");
    console.info(`Article page JavaScript (gzip -9): ${(total / 1000).toFixed(1)} KB loaded (dynamic-import-only chunks not counted):\n${table}`);
    expect(total, table).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("is the production bundle that ships, not a development or test build", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = await builtSite();
    // A build under NODE_ENV=test or development (e.g. one inheriting vitest's) hooks Preact's
    // devtools into the island; `npm run build` does not.
    for (const s of scripts.filter((x) => x.via !== "inline")) expect(readFileSync(join(dir, s.name), "utf8"), s.name).not.toContain("__PREACT_DEVTOOLS__");
  });

  it("ships no Node-only or build-only code (jsdom, zod, KaTeX, Observable Plot) in the page's initial scripts", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = await builtSite();
    for (const s of scripts.filter((x) => x.via !== "inline" && x.via !== "dynamic import")) {
      const code = readFileSync(join(dir, s.name), "utf8");
      expect(code, s.name).not.toMatch(/jsdom|JSDOM/);
      expect(code, s.name).not.toMatch(/ZodError|zod\/v4/);
      expect(code, s.name).not.toMatch(/katex/i);
      // The explorer's figures are rendered at build time (src/article-components/explorer/explorer-frames.ts).
      expect(code, s.name).not.toMatch(/--plot-background|d3-scale|interpolateRgb/);
    }
  });

  it("loads the trainer (Plot, zod, the engines and kernels) only when the reader opens it, with no jsdom or KaTeX", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = await builtSite();
    const trainer = scripts.filter((s) => /\/_astro\/TrainerPanel\.[^/]+\.js$/.test(s.name));
    expect(trainer.map((s) => s.via)).toEqual(["dynamic import"]);
    const code = readFileSync(join(dir, trainer[0].name), "utf8");
    expect(code).not.toMatch(/jsdom|JSDOM|katex/i);
    // The WGSL files are in it as strings (Vite's ?raw), the same files the Node engine reads.
    expect(code).toContain("fn pcg4d(");
    console.info(`The trainer's chunk, loaded on demand: ${(trainer[0].gzipBytes / 1000).toFixed(1)} KB gzipped (${(trainer[0].bytes / 1000).toFixed(0)} KB)`);
  });
});

describe("moduleImports", () => {
  it("finds static and dynamic imports in minified modules", () => {
    const code = `import{a as e}from"./a.js";import"./b.js";export*from"./c.js";const x=()=>import("./d.js");import(\`./e.js\`)`;
    expect(moduleImports(code)).toEqual({ static: ["./a.js", "./b.js", "./c.js"], dynamic: ["./d.js", "./e.js"] });
  });
});
