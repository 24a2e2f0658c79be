// End-to-end: runs the real `astro build` — the shared build of the committed data (helpers/site-build.ts),
// one with another data directory, and three with broken data, which must stop the build early with
// nothing but a short message — and checks the page that comes out. The committed data files are never
// touched: the broken builds point the data loader at a temporary directory (for the "committed file"
// case, a temporary git repository) through $PB_DATA_DIR.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tempDirs } from "./fixtures.ts";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JSDOM } from "jsdom";
import { readDataFile } from "../src/data/io.ts";
import { gitRestoreCommand } from "../src/data/restore.ts";
import { selectBandLevels } from "../src/site/experiment.ts";
import { betterModelFacts, fact as factOf, formatFact } from "../src/site/facts.ts";
import { MODEL_KINDS, dataFileName } from "../src/data/schema.ts";
import { trainCommand } from "../src/experiments/cache.ts";
import { parseExplorerFrames } from "../src/article-components/explorer/explorer-data.ts";
import { ROOT, builtSite, runAstroBuild } from "./helpers/site-build.ts";
import { createCpuEngine } from "../src/train/cpu-engine.ts";
import { runExperiment } from "../src/train/best-of-k.ts";
import { defaultConfig } from "../src/model/config.ts";

// Each build here takes its turn behind the run's other builds (one at a time, helpers/site-build.ts: the
// shared one, the base-path one, the authoring fixture's); on two busy cores the wait alone can pass a minute.
vi.setConfig({ testTimeout: 240_000 });

const temps = tempDirs();
const temp = temps.make;
afterAll(temps.cleanup);

/** `astro build --outDir outDir`, taking turns with every other test build (see helpers/site-build.ts). */
const build = (outDir: string, env: Record<string, string> = {}) => runAstroBuild(outDir, env);
/** A test that builds may first wait for the builds of other test files (the shared site, the base-path
 *  site, the trainer's download): on the loaded 2-core machine that alone passed 60 s. */
const BUILDS = { timeout: 300_000 };

/** A failed build's output without Astro's timestamped progress lines, blank lines and the exit status runAstroBuild appends. */
const messageLines = (output: string) =>
  output.split("\n").filter((line) => line.trim() && !/^\d\d:\d\d:\d\d \[[\w-]+\] /.test(line) && !/^\(exit \S+\)$/.test(line));

/** Astro's error framing, which must not bury a data file's message. */
function expectNoStackTrace(output: string): void {
  expect(output).not.toContain("    at ");
  expect(output).not.toContain("Location:");
  expect(output).not.toContain("Stack trace");
}

/** Every committed data file (each declared experiment's, and its population) copied into `dir`. */
function copyCommittedData(dir: string): void {
  for (const f of committedDataFiles()) copyFileSync(join(ROOT, "public", "data", f), join(dir, f));
}
const committedDataFiles = () => readdirSync(join(ROOT, "public", "data")).filter((f) => !f.includes(".checkpoint.")).sort();

/** `git init` + commit everything in `dir`, with a throwaway identity. */
function commitAll(dir: string): void {
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "data");
}


describe("astro build with the committed data", () => {
  let html = "";
  let outDir = "";

  // The one build of the committed sources that every test file shares (it throws if the build fails).
  beforeAll(async () => {
    outDir = await builtSite();
    html = readFileSync(join(outDir, "index.html"), "utf8");
  });

  it("succeeds", () => {
    expect(html.length).toBeGreaterThan(1000);
  });

  it("typesets equations with KaTeX at build time", () => {
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="katex-display"');
    // Numbered, linkable display equations.
    expect(html).toMatch(/id="eq-[a-z-]+"/);
    // KaTeX's stylesheet is bundled (its fonts land next to it).
    expect(html).toMatch(/<link[^>]+rel="stylesheet"[^>]+href="[^"]*\/_astro\/[^"]+\.css"|<style>[^<]*\.katex/);
  });

  it("inlines SVG figures with captions and text alternatives", () => {
    const figures = html.match(/<figure[^>]*class="figure[^"]*"[^>]*id="fig-[^"]+"/g) ?? [];
    expect(figures.length).toBeGreaterThanOrEqual(5);
    expect(html).toMatch(/<svg[^>]+role="img"/);
    expect((html.match(/<figcaption/g) ?? []).length).toBeGreaterThanOrEqual(figures.length);
    expect(html).toMatch(/<svg[^>]+aria-describedby="[^"]+"/);
    expect(html).toContain("<desc ");
  });

  it("writes the explorer's frames for both data files, one frame per level, and links them from the page", () => {
    for (const model of MODEL_KINDS) {
      const path = join(outDir, "explorer", `${model}.json`);
      expect(existsSync(path), path).toBe(true);
      const frames = parseExplorerFrames(JSON.parse(readFileSync(path, "utf8")));
      const file = readDataFile(join(ROOT, "public", "data", dataFileName(model)));
      expect(frames.dataFile).toBe(dataFileName(model));
      expect(frames.modelsPerLevel).toBe(file.config.modelsPerLevel);
      expect(frames.frames.map((f) => f.density)).toEqual(file.levels.map((l) => l.density).sort((a, b) => b - a));
      // The weights in the frames are the data file's best weights, bit for bit.
      for (const frame of frames.frames) {
        const level = file.levels.find((l) => l.density === frame.density)!;
        for (const c of frame.cells) expect(c.weight).toBe(level.best.W[c.neuron][c.feature]);
      }
    }
    // The explorer is given the frames' URLs and the data files', and one frame to render, not the data.
    const props = html.match(/<astro-island[^>]*component-url="[^"]*ExplorerIsland[^"]*"[^>]*props="([^"]*)"/)?.[1] ?? "";
    const decoded = JSON.stringify(JSON.parse(props.replaceAll("&quot;", '"').replaceAll("&amp;", "&")));
    for (const model of MODEL_KINDS) {
      expect(decoded).toContain(`"src":[0,"/explorer/${model}.json"]`);
      expect(decoded).toContain(`"dataSrc":[0,"/data/${model}.json"]`);
    }
    expect(decoded).not.toContain('"best"');
  });

  it("writes numbers from the data, never NaN or undefined", () => {
    const relu = readDataFile(join(ROOT, "public", "data", "relu-hidden.json"));
    const text = html.replace(/<[^>]+>/g, " ").replace(/\u00a0|&nbsp;|&#160;/g, " ");
    expect(text).not.toMatch(/\bNaN\b|\bundefined\b|\[object Object\]/);
    // K and the step count come from the data file.
    expect(text).toContain(`K = ${relu.config.modelsPerLevel.toLocaleString("en")}`);
    expect(text).toContain(relu.config.steps.toLocaleString("en"));
    expect(text).toContain(relu.run.engine);
  });

  it("titles each regime panel with the analysis label of the model it shows", () => {
    const relu = readDataFile(join(ROOT, "public", "data", "relu-hidden.json"));
    const shown = selectBandLevels(relu).filter((b) => b.shown);
    expect(shown.length).toBeGreaterThan(0);
    for (const b of shown) {
      const start = html.indexOf(`id="fig-regimes-${b.band.id}"`);
      expect(start, b.band.id).toBeGreaterThan(0);
      const title = html.slice(start, start + 1500).replace(/<[^>]+>/g, "");
      expect(title).toContain(b.shown!.analysis.regime.phrase);
    }
  });

  it("draws the better models' rows whose label changes open, and folds the others under one summary", () => {
    const doc = new JSDOM(html).window.document;
    const fig = doc.getElementById("fig-better")!;
    const densities = (rows: Iterable<Element>) => [...rows].map((r) => r.getAttribute("aria-label")!.replace("Density ", ""));
    const fact = (name: string) => doc.querySelector(`[data-fact="${name}"]`)?.textContent;
    // The text names the densities whose better model is labelled otherwise; exactly those are open.
    const changed = fact("relu.better.changed")!.split(/, | and /);
    expect(changed.length).toBeGreaterThan(0);
    expect(densities([...fig.querySelector(".regime-list")!.children].filter((e) => e.matches(".better-row")))).toEqual(changed);
    const folded = fig.querySelector("details.figure-more")!;
    expect(folded.hasAttribute("open")).toBe(false);
    const inside = densities(folded.querySelectorAll(".better-row"));
    expect(folded.querySelector("summary")!.textContent).toBe(`${inside.length} more densities, where every better model keeps the winner's regime label`);
    // Together, every density with a better model, once.
    const all = new Set([...changed, ...inside]);
    expect(all.size).toBe(changed.length + inside.length);
    // (The list of better models does not depend on the population.)
    const relu = readDataFile(join(ROOT, "public", "data", "relu-hidden.json"));
    expect([...all].sort()).toEqual(formatFact(factOf(betterModelFacts(relu), "relu.better.densities")).split(/, | and /).sort());
    expect(fig.querySelector("figcaption")!.textContent).toContain("are folded under them (open to see; printed in full)");
  });

  it("numbers neurons by their row in the data file, in the regime panels as in the explorer", () => {
    const relu = readDataFile(join(ROOT, "public", "data", "relu-hidden.json"));
    const frames = parseExplorerFrames(JSON.parse(readFileSync(join(outDir, "explorer", "relu-hidden.json"), "utf8")));
    const doc = new JSDOM(html).window.document;
    const neuronTicks = (svg: Element | null) =>
      [...(svg?.querySelectorAll('[aria-label="y-axis tick label"] text') ?? [])].map((t) => t.textContent).filter((t) => /^n\d+$/.test(t ?? ""));
    const shown = selectBandLevels(relu).filter((b) => b.shown);
    expect(shown.length).toBeGreaterThan(0);
    let reordered = 0;
    for (const b of shown) {
      const level = b.shown!;
      // Top to bottom, the analysis's canonical order, each neuron under its own number.
      const expected = level.analysis.order.map((j) => `n${j}`);
      if (level.analysis.order.some((j, k) => j !== k)) reordered++;
      expect(neuronTicks(doc.querySelector(`#fig-regimes-${b.band.id} svg`)), b.band.id).toEqual(expected);
      const frame = frames.frames.find((f) => f.density === level.level.density)!;
      const frameSvg = new JSDOM(frame.matrixSvg).window.document.querySelector("svg");
      expect(neuronTicks(frameSvg), `explorer at ${level.level.density}`).toEqual(expected);
    }
    // The check means something only if some panel is drawn out of row order.
    expect(reordered).toBeGreaterThan(0);
  });

  it("keeps each band note inside the paragraph it ends", () => {
    const notes = [...new JSDOM(html).window.document.querySelectorAll(".band-note")];
    expect(notes.length).toBeGreaterThan(0);
    for (const note of notes) expect(note.parentElement?.tagName, note.textContent ?? "").toBe("P");
  });

  it("links the data files, which are copied to the site", () => {
    expect(html).toContain('href="/data/relu-hidden.json"');
    expect(html).toContain('href="/data/linear-hidden.json"');
    expect(existsSync(join(outDir, "data", "relu-hidden.json"))).toBe(true);
    expect(existsSync(join(outDir, "data", "linear-hidden.json"))).toBe(true);
  });

  it("resolves every in-page link and never repeats an id", () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) expect(ids, `link to #${t}`).toContain(t);
    // Every figure and equation is numbered and anchored.
    expect(ids.filter((id) => id.startsWith("fig-")).length).toBeGreaterThanOrEqual(5);
    expect(ids.filter((id) => id.startsWith("eq-")).length).toBeGreaterThanOrEqual(5);
  });

  it("has a table of contents, the explorer slot and print styles", () => {
    expect(html).toMatch(/<nav[^>]+class="toc"/);
    expect(html).toContain('id="explorer"');
    // Print styles, inline or in a stylesheet the page links.
    const css = [...html.matchAll(/<link rel="stylesheet" href="\/([^"]+)"/g)].map((m) => readFileSync(join(outDir, m[1]), "utf8")).join("\n");
    expect(`${html}\n${css}`).toMatch(/@media print|media="print"/);
  });
});

describe("the second chapter (content/more-features, page: more-features)", () => {
  let doc: Document;
  let html = "";
  let front = "";
  beforeAll(async () => {
    const outDir = await builtSite();
    html = readFileSync(join(outDir, "more-features", "index.html"), "utf8");
    front = readFileSync(join(outDir, "index.html"), "utf8");
    doc = new JSDOM(html).window.document;
  });

  it("is its own page, linked from the first chapter and back, with its own numbering from Figure 1", () => {
    expect(front).toMatch(/href="more-features\/"/);
    expect(html).toMatch(/href="\.\.\/"/);
    const figures = [...doc.querySelectorAll("figure.figure")];
    expect(figures.map((f) => f.id)).toEqual(["fig-n20-codes", "fig-n32-codes", "fig-n20-mid", "fig-n32-sparse"]);
    expect(figures.map((f) => f.querySelector(".figure-number")?.textContent)).toEqual(["Figure 1.", "Figure 2.", "Figure 3.", "Figure 4."]);
    // The first chapter's sections are not on it.
    expect(doc.getElementById("fig-privileged-basis")).toBeNull();
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1])) expect(ids, `link to #${t}`).toContain(t);
  });

  it("quotes each experiment's numbers from its data file, never NaN", () => {
    const text = html.replace(/<[^>]+>/g, " ");
    expect(text).not.toMatch(/\bNaN\b|\bundefined\b|\[object Object\]/);
    for (const name of ["relu-n20", "relu-n32"]) {
      const file = readDataFile(join(ROOT, "public", "data", `${name}.json`));
      // The table is described by its caption, which names the experiment.
      const table = [...doc.querySelectorAll("table.code-table")].find((t) => doc.getElementById(t.getAttribute("aria-describedby")!)?.querySelector("code")?.textContent === name)!;
      const rows = table.querySelectorAll("tbody tr");
      expect(rows.length, name).toBe(file.levels.length);
      expect(doc.querySelector(`[data-fact="${name}.K"]`)!.textContent).toBe(file.config.modelsPerLevel.toLocaleString("en"));
      expect(doc.querySelector(`[data-fact="${name}.n"]`)!.textContent).toBe(String(file.config.features));
    }
    // Each code-size figure draws a bar segment per (density, code size) with a tooltip.
    expect(doc.querySelectorAll("#fig-n20-codes svg title").length).toBeGreaterThan(24);
  });
});

describe("astro build with another data directory ($PB_DATA_DIR)", BUILDS, () => {
  it("builds the page from the files found there", async () => {
    const dir = temp("pb-data-other-");
    const relu = JSON.parse(readFileSync(join(ROOT, "public", "data", "relu-hidden.json"), "utf8"));
    relu.run.device = "Test Device 9000";
    relu.run.trainSeconds = 7200;
    copyCommittedData(dir);
    writeFileSync(join(dir, "relu-hidden.json"), JSON.stringify(relu));
    const outDir = temp("pb-out-");
    const r = await build(outDir, { PB_DATA_DIR: dir });
    expect(r.status, r.output.slice(-4000)).toBe(0);
    const text = readFileSync(join(outDir, "index.html"), "utf8").replace(/<[^>]+>/g, " ");
    expect(text).toContain("Test Device 9000");
    expect(text).toContain("2.0 h");
    const densest = relu.levels[0].best.model;
    expect(text).toContain(`the best is model ${densest} (of 0–999)`); // the explorer names the winner
    // The download links serve the files the page was built from, not the committed ones.
    expect(readFileSync(join(outDir, "data", "relu-hidden.json"), "utf8")).toBe(readFileSync(join(dir, "relu-hidden.json"), "utf8"));
    expect(readFileSync(join(outDir, "data", "linear-hidden.json"), "utf8")).toBe(readFileSync(join(dir, "linear-hidden.json"), "utf8"));
    expect(readFileSync(join(outDir, "data", "relu-hidden.population.bin")).equals(readFileSync(join(dir, "relu-hidden.population.bin")))).toBe(true);
    expect(readdirSync(join(outDir, "data")).sort()).toEqual(committedDataFiles());
    // Only its run block differs from the committed file: it is as fresh as that, and no banner says otherwise.
    expect(text).not.toContain("Stale data");
  });
});

describe("astro build with a schema-2 data file and its population", BUILDS, () => {
  // A small real run: 3 levels × 6 models, trained and selected by the project's own trainer.
  let dir = "";
  beforeAll(async () => {
    dir = temp("pb-data-v2-");
    const engine = createCpuEngine({ threads: 1 });
    try {
      await runExperiment({
        kind: "relu-hidden", config: defaultConfig({ modelsPerLevel: 6, steps: 60, batchSize: 64, evalSamples: 1024 }), densities: [1, 0.3, 0.05],
        engine, out: join(dir, "relu-hidden.json"), stage2: { minDraws: 8192, minPresent: 1000 },
      });
    } finally {
      await engine.close();
    }
    for (const f of committedDataFiles()) if (!f.startsWith("relu-hidden.")) copyFileSync(join(ROOT, "public", "data", f), join(dir, f));
  }, 120_000);

  it("stops on this small run, which is not relu-hidden's declaration, saying what differs and how to build anyway", async () => {
    const r = await build(temp("pb-out-"), { PB_DATA_DIR: dir });
    expect(r.status).not.toBe(0);
    expect(messageLines(r.output)).toEqual([
      `Data file ${join(dir, "relu-hidden.json")} is stale: modelsPerLevel: file 6, declared 1000; steps: file 60, declared 10000; per-level steps: file [], declared [0.01: 20000]; batchSize: file 64, declared 1024; ` +
        "evalSamples: file 1024, declared 32768; stage-2 sample (min draws, min present): file [8192, 1000], declared [4194304, 4000000]; densities: file [1, 0.3, 0.05], declared [1, 0.75, 0.5, … 21 entries].",
      `  Retrain it with: ${trainCommand({ name: "relu-hidden" })} --out ${join(dir, "relu-hidden.json")}`,
      '  Or build from them anyway, under a "stale data" banner: PB_ALLOW_STALE=1 npm run build',
    ]);
    expectNoStackTrace(r.output);
  });

  it("shows how each winner was chosen, the cross-evaluation and the population, and serves the population file", async () => {
    const outDir = temp("pb-out-");
    const r = await build(outDir, { PB_DATA_DIR: dir, PB_ALLOW_STALE: "1" });
    expect(r.status, r.output.slice(-4000)).toBe(0);
    const doc = new JSDOM(readFileSync(join(outDir, "index.html"), "utf8")).window.document;
    // Built from stale data on request: the banner says which file, what differs and how to refresh it.
    const banner = doc.querySelector(".stale-banner")?.textContent?.replace(/\s+/g, " ") ?? "";
    expect(banner).toContain("Stale data.");
    expect(banner).toContain("relu-hidden: stale (modelsPerLevel: file 6, declared 1000;");
    expect(banner).toContain("refresh with npm run train -- relu-hidden");
    const rows = doc.querySelectorAll(".selection-table tbody tr");
    expect(rows).toHaveLength(3);
    const data = readDataFile(join(dir, "relu-hidden.json"));
    data.levels.forEach((l, k) => expect(rows[k].textContent).toContain(`#${l.selection!.winner}`));
    expect(doc.querySelector("#fig-cross-eval svg")).not.toBeNull();
    expect(doc.querySelectorAll("#fig-population svg rect").length).toBeGreaterThanOrEqual(3);
    // Every figure the MDX places is on the page, numbered without a gap, whatever this small run found
    // (a figure with nothing to draw says so), and every reference lands on one.
    const figures = [...doc.querySelectorAll("figure.figure")];
    expect(figures.map((f) => f.querySelector(".figure-number")!.textContent)).toEqual(figures.map((_, k) => `Figure ${k + 1}.`));
    expect(figures.map((f) => f.id)).toEqual(expect.arrayContaining(["fig-cross-eval", "fig-better", "fig-population"]));
    for (const ref of doc.querySelectorAll("a.xref")) expect(doc.getElementById(ref.getAttribute("href")!.slice(1)), ref.textContent ?? "").not.toBeNull();
    // The population is downloadable, the file the page was built from.
    const link = doc.querySelector('a[href$="data/relu-hidden.population.bin"]');
    expect(link).not.toBeNull();
    expect(readFileSync(join(outDir, "data", "relu-hidden.population.bin")).equals(readFileSync(join(dir, "relu-hidden.population.bin")))).toBe(true);
  });

  it("stops, naming the population file, when it is truncated or not the one the data file names", async () => {
    const good = readFileSync(join(dir, "relu-hidden.population.bin"));
    for (const [what, bytes, message] of [
      ["truncated", good.subarray(0, good.length - 8), /not the population relu-hidden\.json names \(\d+ bytes/],
      ["one float changed", Buffer.concat([good.subarray(0, good.length - 4), Buffer.from([0, 0, 128, 63])]), /SHA-256/],
    ] as const) {
      writeFileSync(join(dir, "relu-hidden.population.bin"), bytes);
      const r = await build(temp("pb-out-"), { PB_DATA_DIR: dir, PB_ALLOW_STALE: "1" });
      expect(r.status, what).not.toBe(0);
      const lines = messageLines(r.output);
      expect(lines[0], what).toMatch(new RegExp(`^Population file ${join(dir, "relu-hidden.population.bin").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be used: `));
      expect(lines[0], what).toMatch(message);
      expect(lines.at(-1), what).toContain(trainCommand({ name: "relu-hidden" }));
      expectNoStackTrace(r.output);
    }
    writeFileSync(join(dir, "relu-hidden.population.bin"), good);
  });
});

describe("astro build with a broken data directory", BUILDS, () => {
  it("stops when a data file is corrupt, printing only the file, what is wrong and the command that regenerates it", async () => {
    const dir = temp("pb-data-corrupt-");
    copyCommittedData(dir);
    writeFileSync(join(dir, "linear-hidden.json"), '{"schema": "privileged-basis/1", "levels": [');
    const r = await build(temp("pb-out-"), { PB_DATA_DIR: dir });
    expect(r.status).not.toBe(0);
    // Nothing but the message: no location, no stack trace, and (the file is not in a git
    // repository) no git command.
    expect(messageLines(r.output)).toEqual([
      `Data file ${join(dir, "linear-hidden.json")} cannot be used: not valid JSON (Unexpected end of JSON input).`,
      `  Regenerate it with: ${trainCommand({ name: "linear-hidden" })} --out ${join(dir, "linear-hidden.json")}`,
    ]);
    expectNoStackTrace(r.output);
  });

  it("stops when a committed data file is missing, saying how to restore it with git as well as how to regenerate it", async () => {
    const dir = temp("pb-data-missing-");
    copyCommittedData(dir);
    commitAll(dir);
    rmSync(join(dir, "relu-hidden.json"));
    const r = await build(temp("pb-out-"), { PB_DATA_DIR: dir });
    expect(r.status).not.toBe(0);
    expect(messageLines(r.output)).toEqual([
      `Data file ${join(dir, "relu-hidden.json")} cannot be used: file not found.`,
      // The data directory is outside the project, so the command names its repository.
      `  Restore the committed file with: git -C ${dir} checkout -- relu-hidden.json`,
      `  Or regenerate it (hours on a CPU) with: ${trainCommand({ name: "relu-hidden" })} --out ${join(dir, "relu-hidden.json")}`,
    ]);
    expectNoStackTrace(r.output);
    // The command it prints does restore the file.
    execFileSync("sh", ["-c", `git -C ${dir} checkout -- relu-hidden.json`]);
    expect(readFileSync(join(dir, "relu-hidden.json"), "utf8")).toBe(readFileSync(join(ROOT, "public", "data", "relu-hidden.json"), "utf8"));
  });

  it("stops when a data file does not match the schema", async () => {
    const dir = temp("pb-data-schema-");
    copyCommittedData(dir);
    const relu = JSON.parse(readFileSync(join(ROOT, "public", "data", "relu-hidden.json"), "utf8"));
    relu.levels[0].best.W.pop(); // W no longer m×n
    writeFileSync(join(dir, "relu-hidden.json"), JSON.stringify(relu));
    const r = await build(temp("pb-out-"), { PB_DATA_DIR: dir });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(join(dir, "relu-hidden.json"));
    expect(r.output).toContain("does not match schema privileged-basis/3 or privileged-basis/2 or privileged-basis/1");
    expect(r.output).toContain(trainCommand({ name: "relu-hidden" }));
    expectNoStackTrace(r.output);
  });
});

describe("gitRestoreCommand (the quick fix printed for a broken committed data file)", () => {
  /** A repository holding a committed public/data/relu-hidden.json. */
  const repo = () => {
    const dir = temp("pb-restore-");
    mkdirSync(join(dir, "public", "data"), { recursive: true });
    writeFileSync(join(dir, "public", "data", "relu-hidden.json"), "{}\n");
    commitAll(dir);
    return dir;
  };
  const file = (dir: string) => join(dir, "public", "data", "relu-hidden.json");

  it("names the file relative to the directory the build runs in, when that is inside the repository", () => {
    const dir = repo();
    writeFileSync(file(dir), "{");
    expect(gitRestoreCommand(file(dir), dir)).toBe("git checkout -- public/data/relu-hidden.json");
    expect(gitRestoreCommand(file(dir), join(dir, "public"))).toBe("git checkout -- data/relu-hidden.json");
    rmSync(file(dir));
    expect(gitRestoreCommand(file(dir), dir)).toBe("git checkout -- public/data/relu-hidden.json");
  });

  it("restores from HEAD when the broken file has been staged (the index holds the broken copy)", () => {
    const dir = repo();
    writeFileSync(file(dir), "{");
    execFileSync("git", ["-C", dir, "add", "-A"]);
    const command = gitRestoreCommand(file(dir), dir)!;
    expect(command).toBe("git checkout HEAD -- public/data/relu-hidden.json");
    execFileSync("sh", ["-c", command], { cwd: dir });
    expect(readFileSync(file(dir), "utf8")).toBe("{}\n");
  });

  it("says nothing when git cannot help: the committed copy is the broken one, the file is untracked, or not in a repository", () => {
    const dir = repo();
    expect(gitRestoreCommand(file(dir), dir)).toBeUndefined();
    expect(gitRestoreCommand(join(dir, "public", "data", "linear-hidden.json"), dir)).toBeUndefined();
    writeFileSync(join(dir, "public", "data", "linear-hidden.json"), "{");
    expect(gitRestoreCommand(join(dir, "public", "data", "linear-hidden.json"), dir)).toBeUndefined();
    const plain = temp("pb-restore-plain-");
    writeFileSync(join(plain, "relu-hidden.json"), "{");
    expect(gitRestoreCommand(join(plain, "relu-hidden.json"), plain)).toBeUndefined();
  });

  it("quotes a directory with spaces for the shell", () => {
    const dir = join(temp("pb-restore-"), "my data");
    mkdirSync(dir);
    writeFileSync(join(dir, "relu-hidden.json"), "{}\n");
    commitAll(dir);
    writeFileSync(join(dir, "relu-hidden.json"), "{");
    const command = gitRestoreCommand(join(dir, "relu-hidden.json"), ROOT)!;
    expect(command).toBe(`git -C '${dir}' checkout -- relu-hidden.json`);
    execFileSync("sh", ["-c", command]);
    expect(readFileSync(join(dir, "relu-hidden.json"), "utf8")).toBe("{}\n");
  });
});
