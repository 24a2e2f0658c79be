// @vitest-environment jsdom
//
// The explorer island without a browser: its pure logic (data and frames checks, level selection,
// summary, hover details, keyboard cursor), the build-time frames (the tagging of Plot's rects with
// the weight they draw, checked against Plot's own per-rect titles; summaries and details against
// the analysis), and the whole island rendered by Preact in jsdom with a stubbed fetch of the frames.

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { h, render } from "preact";
import { renderToString } from "preact-render-to-string";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { analyse, featureSuperposition } from "../src/analysis/index.ts";
import { formatLoss } from "../src/figures/format.ts";
import {
  EXPLORER_FRAMES_SCHEMA,
  ExplorerDataError,
  cellDetail,
  cellDetailRows,
  cellDetailTitle,
  clampLevelIndex,
  densityValueText,
  levelIndexForDensity,
  levelSummary,
  moveSelection,
  parseExplorerData,
  parseExplorerFrames,
} from "../src/article-components/explorer/explorer-data.ts";
import { analyseLevel, explorerScales, explorerSpecs } from "../src/article-components/explorer/explorer-figures.ts";
import { bandAt, compactNumbers, explorerFrames, setTooltip, tagMatrixCells, tagStackSegments } from "../src/article-components/explorer/explorer-frames.ts";
import { formatSigned } from "../src/figures/format.ts";
import { renderSvg } from "../src/figures/render.ts";
import ExplorerIsland from "../src/article-components/explorer/ExplorerIsland.tsx";

const ROOT = resolve(import.meta.dirname, "..");
const rawText = readFileSync(join(ROOT, "public", "data", "relu-hidden.json"), "utf8");
const raw = () => JSON.parse(rawText);
const data = parseExplorerData(raw());
const frames = explorerFrames(data, { idPrefix: "t", dataFile: "relu-hidden.json" });
const framesText = JSON.stringify(frames);
/** A fresh copy of the frames file, to mutate. */
const framesJson = () => JSON.parse(framesText);

describe("parseExplorerData", () => {
  it("reads every level of the data file, densest first, with m×n weights", () => {
    const file = raw();
    expect(data.levels).toHaveLength(file.levels.length);
    expect(data.features).toBe(file.config.features);
    expect(data.neurons).toBe(file.config.neurons);
    expect(data.modelsPerLevel).toBe(file.config.modelsPerLevel);
    const densities = data.levels.map((l) => l.density);
    expect(densities).toEqual([...file.levels.map((l: { density: number }) => l.density)].sort((a, b) => b - a));
    for (const level of data.levels) {
      const src = file.levels.find((l: { density: number }) => l.density === level.density);
      expect(level.W).toEqual(src.best.W);
      expect(level.loss).toBe(src.best.loss);
      expect(level.finished).toBe(src.losses.length);
    }
  });

  it("keeps each level's winner (best.model) where the file records it", () => {
    const file = raw();
    file.levels.forEach((l: { best: { model?: number } }, k: number) => (l.best.model = k % 2 ? undefined : k));
    const parsed = parseExplorerData(file);
    for (const [k, l] of file.levels.entries()) {
      expect(parsed.levels.find((p) => p.density === l.density)!.winner).toBe(k % 2 ? undefined : k);
    }
  });

  it("sorts shuffled levels", () => {
    const file = raw();
    file.levels.reverse();
    expect(parseExplorerData(file).levels.map((l) => l.density)).toEqual(data.levels.map((l) => l.density));
  });

  it.each([
    ["not an object", () => [], /not a JSON object/],
    ["wrong schema", (f: any) => ((f.schema = "other/2"), f), /unknown schema/],
    ["no levels", (f: any) => ((f.levels = []), f), /levels must be a non-empty array/],
    ["a missing row of W", (f: any) => (f.levels[0].best.W.pop(), f), /best\.W must have 5 rows/],
    ["a short row of W", (f: any) => (f.levels[2].best.W[1].pop(), f), /levels\[2\]\.best\.W\[1\] must be 10 finite numbers/],
    ["a non-number weight", (f: any) => ((f.levels[0].best.W[0][0] = "1"), f), /best\.W\[0\] must be 10 finite numbers/],
    ["a density out of range", (f: any) => ((f.levels[0].density = 2), f), /density must be in \(0, 1\]/],
    ["a duplicate density", (f: any) => ((f.levels[1].density = f.levels[0].density), f), /appears twice/],
    ["a wrong-length b", (f: any) => (f.levels[0].best.b.push(0), f), /best\.b must be 10/],
    ["a winner outside the K models", (f: any) => ((f.levels[0].best.model = f.config.modelsPerLevel), f), /levels\[0\]\.best\.model must be one of the \d+ models/],
    ["a fractional winner", (f: any) => ((f.levels[0].best.model = 0.5), f), /best\.model must be one of/],
  ])("rejects %s", (_, mutate, message) => {
    expect(() => parseExplorerData(mutate(raw()))).toThrow(ExplorerDataError);
    expect(() => parseExplorerData(mutate(raw()))).toThrow(message);
  });
});

describe("level selection", () => {
  const levels = [{ density: 1 }, { density: 0.3 }, { density: 0.1 }, { density: 0.01 }];

  it("picks the exact level, or the nearest on a log scale", () => {
    expect(levelIndexForDensity(levels, 0.1)).toBe(2);
    expect(levelIndexForDensity(levels, 0.12)).toBe(2);
    expect(levelIndexForDensity(levels, 0.2)).toBe(1);
    expect(levelIndexForDensity(levels, 0.001)).toBe(3);
    expect(levelIndexForDensity(levels, 5)).toBe(0);
  });

  it("starts at the densest level without a density", () => {
    expect(levelIndexForDensity(levels, undefined)).toBe(0);
    expect(levelIndexForDensity(levels, Number.NaN)).toBe(0);
    expect(() => levelIndexForDensity([], 0.1)).toThrow(/no levels/);
  });

  it("finds every level of the data file by its own density", () => {
    data.levels.forEach((l, k) => expect(levelIndexForDensity(data.levels, l.density)).toBe(k));
  });

  it("clamps slider values", () => {
    expect(clampLevelIndex(-3, 21)).toBe(0);
    expect(clampLevelIndex(25, 21)).toBe(20);
    expect(clampLevelIndex(4.4, 21)).toBe(4);
    expect(clampLevelIndex(Number.NaN, 21)).toBe(0);
  });

  it("describes the slider value with density and sparsity", () => {
    expect(densityValueText(0.1)).toBe("density 0.1 (sparsity 0.9)");
    expect(densityValueText(1)).toBe("density 1 (sparsity 0)");
    expect(densityValueText(0.03)).toBe("density 0.03 (sparsity 0.97)");
  });
});

describe("level summary and hover details", () => {
  const index = data.levels.length - 1;
  const level = data.levels[index];
  const analysis = analyseLevel(data, index);

  it("reports the analysis's regime and the data's loss and K", () => {
    const s = levelSummary(data, index, analysis);
    const direct = analyse(level.W, level.b);
    expect(s.regimeLabel).toBe(direct.regime.phrase);
    expect(s.regimeId).toBe(direct.regime.id);
    expect(s.lossText).toBe(formatLoss(level.loss));
    expect(s.modelsPerLevel).toBe(data.modelsPerLevel);
    const winner = level.winner === undefined ? "" : `; the best is model ${level.winner.toLocaleString("en")} (of 0–${(data.modelsPerLevel - 1).toLocaleString("en")})`;
    expect(s.modelsText).toEqual(level.diverged > 0 ? expect.stringContaining("diverged") : `all ${data.modelsPerLevel.toLocaleString("en")} models finished${winner}`);
    expect(s.represented + s.dropped).toBe(data.features);
    expect(() => levelSummary(data, 99, analysis)).toThrow(/no level 99/);
  });

  it("says when models diverged", () => {
    const d = { ...data, modelsPerLevel: 4, levels: [{ ...level, finished: 3, diverged: 1, winner: undefined }] };
    expect(levelSummary(d, 0, analysis).modelsText).toBe("3 of 4 finished, 1 diverged");
  });

  it("names the winning model where the data file records it", () => {
    const d = { ...data, modelsPerLevel: 1000, levels: [{ ...level, finished: 1000, diverged: 0, winner: 417 }] };
    expect(levelSummary(d, 0, analysis).modelsText).toBe("all 1,000 models finished; the best is model 417 (of 0–999)");
  });

  it("gives a weight, its neuron and the feature's superposition", () => {
    const sup = featureSuperposition(level.W);
    for (let j = 0; j < data.neurons; j++) {
      for (let i = 0; i < data.features; i++) {
        const d = cellDetail(level.W, analysis, j, i);
        expect(d.weight).toBe(level.W[j][i]);
        expect(d.superposition).toBeCloseTo(sup[i], 12);
        expect(d.stored).toBe(analysis.codes[i].includes(j));
        expect(d.neuronRole).toBe(analysis.roles[j]);
      }
    }
    expect(() => cellDetail(level.W, analysis, 9, 0)).toThrow(/no weight/);
  });

  it("formats details for the panel and the tooltip", () => {
    const d = { neuron: 2, feature: 3, weight: -0.5, superposition: 0.25, norm: 1, stored: false, dropped: false, neuronRole: "polysemantic" as const };
    expect(cellDetailRows(d)).toEqual([
      ["Feature", "3"],
      ["Neuron", "n2 (polysemantic)"],
      ["Weight W", "−0.500"],
      ["Superposition of the feature", "0.250"],
      ["Feature norm ‖W_i‖", "1.000"],
      ["Stored by this neuron", "no"],
    ]);
    expect(cellDetailTitle(d)).toBe("Feature 3, neuron n2: w = −0.500; superposition of feature 3 = 0.250");
    expect(cellDetailTitle({ ...d, dropped: true })).toMatch(/\(dropped\)$/);
  });
});

describe("pointer and keyboard geometry", () => {
  it("finds the band under a coordinate, snapping gaps to the nearest band", () => {
    const starts = [10, 40, 70];
    expect(bandAt(starts, 25, 12)).toBe(0);
    expect(bandAt(starts, 25, 64)).toBe(1);
    expect(bandAt(starts, 25, 66)).toBe(1);
    expect(bandAt(starts, 25, 69)).toBe(2);
    expect(bandAt(starts, 25, 500)).toBe(2);
    expect(bandAt(starts, 25, -5)).toBe(0);
    expect(bandAt([], 25, 3)).toBe(-1);
  });

  it("moves the keyboard cursor within the matrix", () => {
    expect(moveSelection({ row: 0, col: 0 }, "ArrowRight", 5, 10)).toEqual({ row: 0, col: 1 });
    expect(moveSelection({ row: 0, col: 0 }, "ArrowUp", 5, 10)).toEqual({ row: 0, col: 0 });
    expect(moveSelection({ row: 4, col: 9 }, "ArrowDown", 5, 10)).toEqual({ row: 4, col: 9 });
    expect(moveSelection({ row: 2, col: 5 }, "Home", 5, 10)).toEqual({ row: 2, col: 0 });
    expect(moveSelection({ row: 2, col: 5 }, "End", 5, 10)).toEqual({ row: 2, col: 9 });
    expect(moveSelection({ row: 2, col: 5 }, "a", 5, 10)).toBeNull();
  });
});

describe("tagging the rendered figures", () => {
  const scales = explorerScales(data);

  it.each(data.levels.map((_, k) => k))("tags every matrix cell and stack segment of level %i with its weight", (index) => {
    const analysis = analyseLevel(data, index);
    const W = data.levels[index].W;
    const specs = explorerSpecs(data, index, analysis, scales);
    const matrix = renderSvg(specs.matrix, "t-matrix");
    const stack = renderSvg(specs.stack, "t-stack");
    expect(matrix.svg.getAttribute("role")).toBe("img");
    expect(matrix.svg.querySelector("desc")?.id).toBe("t-matrix-desc");

    // Plot's own titles ("Neuron j, feature i: …") say which weight each rect draws; the
    // geometric tagging must agree with every one of them.
    const cells = tagMatrixCells(matrix.svg, matrix.plot);
    expect(cells).toHaveLength(data.neurons * data.features);
    const seen = new Set<string>();
    for (const rect of cells) {
      const title = rect.querySelector("title")?.textContent ?? "";
      expect(title).toEqual(expect.stringContaining(`Neuron ${rect.dataset.neuron}, feature ${rect.dataset.feature}:`));
      seen.add(`${rect.dataset.neuron},${rect.dataset.feature}`);
    }
    expect(seen.size).toBe(data.neurons * data.features);

    const segments = tagStackSegments(stack.svg, stack.plot, W);
    expect(segments.length).toBe(stack.svg.querySelectorAll('g[aria-label="bar"] rect').length);
    expect(segments.length).toBeGreaterThan(0);
    for (const rect of segments) {
      const title = rect.querySelector("title")?.textContent ?? "";
      expect(title).toEqual(expect.stringContaining(`Neuron ${rect.dataset.neuron}, feature ${rect.dataset.feature}:`));
    }

    setTooltip(cells[0], "hello");
    expect(cells[0].querySelectorAll("title")).toHaveLength(1);
    expect(cells[0].querySelector("title")?.textContent).toBe("hello");
  });
});

describe("the explorer's frames (built from the data file)", () => {
  const parse = (markup: string) => {
    const div = document.createElement("div");
    div.innerHTML = markup;
    return div.querySelector("svg")!;
  };

  it("has one frame per level, densest first, with the data's sizes and scale", () => {
    expect(frames.schema).toBe(EXPLORER_FRAMES_SCHEMA);
    expect(frames.dataFile).toBe("relu-hidden.json");
    expect(frames.frames.map((f) => f.density)).toEqual(data.levels.map((l) => l.density));
    expect([frames.features, frames.neurons, frames.modelsPerLevel]).toEqual([data.features, data.neurons, data.modelsPerLevel]);
    expect(frames.maxAbs).toBe(explorerScales(data).maxAbs);
    expect(parseExplorerFrames(framesJson())).toEqual(frames);
  });

  it.each(data.levels.map((_, k) => k))("frame %i: summary, row order and weight details from the analysis, SVGs titled by weight", (k) => {
    const frame = frames.frames[k];
    const level = data.levels[k];
    const analysis = analyseLevel(data, k);
    expect(frame.summary).toEqual(levelSummary(data, k, analysis));
    expect(frame.order).toEqual(analysis.order);
    frame.cells.forEach((c) => expect(c).toEqual(cellDetail(level.W, analysis, c.neuron, c.feature)));

    const matrix = parse(frame.matrixSvg);
    const stack = parse(frame.stackSvg);
    // Fluid: no natural size, capped with max-width; ids unique per frame.
    expect(matrix.getAttribute("width")).toBeNull();
    expect(matrix.getAttribute("style")).toMatch(/^max-width:\d+px$/);
    expect(matrix.querySelector("desc")?.id).toBe(`t-${k}-matrix-desc`);
    const stackIds = Array.from(stack.querySelectorAll("[id]"), (el) => el.id);
    expect(stackIds.length).toBeGreaterThan(0);
    for (const id of stackIds) expect(id.startsWith(`t-${k}-stack`), id).toBe(true);
    expect(matrix.querySelectorAll("rect[data-feature]")).toHaveLength(data.neurons * data.features);
    expect(stack.querySelectorAll("rect[data-feature]").length).toBeGreaterThan(0);
    // Every tagged rect's tooltip names its own weight, with that weight's value from the data.
    for (const rect of Array.from(matrix.querySelectorAll("rect[data-feature]")).concat(Array.from(stack.querySelectorAll("rect[data-feature]")))) {
      const j = Number(rect.getAttribute("data-neuron"));
      const i = Number(rect.getAttribute("data-feature"));
      const titles = rect.querySelectorAll("title");
      expect(titles).toHaveLength(1);
      expect(titles[0].textContent).toBe(cellDetailTitle(cellDetail(level.W, analysis, j, i)));
      expect(titles[0].textContent).toContain(`w = ${formatSigned(level.W[j][i], 3)}`);
    }
  });

  it("rounds Plot's long coordinates to hundredths and leaves printed values alone", () => {
    expect(compactNumbers('<rect y="126.04767789029434" height="13.952322109705662" x="-0.00001"><title>w = −0.521; 1.965</title></rect>')).toBe(
      '<rect y="126.05" height="13.95" x="0"><title>w = −0.521; 1.965</title></rect>',
    );
    expect(compactNumbers('<text transform="translate(44,247.1849951526892)">12.5</text>')).toBe('<text transform="translate(44,247.18)">12.5</text>');
  });

  it.each([
    ["not an object", () => [], /not a JSON object/],
    ["wrong schema", (f: any) => ((f.schema = "privileged-basis/1"), f), /unknown schema/],
    ["a bad size", (f: any) => ((f.neurons = 0), f), /positive integers/],
    ["no scale", (f: any) => (delete f.maxAbs, f), /maxAbs must be a positive number/],
    ["no frames", (f: any) => ((f.frames = []), f), /frames must be a non-empty array/],
    ["unsorted densities", (f: any) => (f.frames.reverse(), f), /frames\[1\]\.density must be below/],
    ["a missing summary text", (f: any) => (delete f.frames[3].summary.regimeLabel, f), /frames\[3\]\.summary is incomplete/],
    ["a short row order", (f: any) => (f.frames[0].order.pop(), f), /frames\[0\]\.order must list the 5 neurons/],
    ["a missing weight", (f: any) => (f.frames[2].cells.pop(), f), /frames\[2\]\.cells must hold 50 weights/],
    ["a weight out of place", (f: any) => ((f.frames[1].cells[7].feature = 8), f), /frames\[1\]\.cells\[7\] is not the weight of neuron 0, feature 7/],
    ["a truncated SVG", (f: any) => ((f.frames[4].stackSvg = ""), f), /frames\[4\]\.stackSvg is not SVG markup/],
  ])("rejects %s", (_, mutate, message) => {
    expect(() => parseExplorerFrames(mutate(framesJson()))).toThrow(ExplorerDataError);
    expect(() => parseExplorerFrames(mutate(framesJson()))).toThrow(message);
  });
});

describe("the island (Preact in jsdom)", () => {
  let container: HTMLElement;
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    container = document.createElement("div");
    document.body.append(container);
    fetchMock = vi.fn(async () => new Response(framesText, { status: 200, headers: { "content-type": "application/json" } }));
    vi.stubGlobal("fetch", fetchMock);
  });

  afterEach(() => {
    render(null, container);
    container.remove();
    vi.unstubAllGlobals();
  });

  const ready = () => vi.waitFor(() => expect(container.querySelector('[data-ready="true"]')).not.toBeNull(), { timeout: 5000 });

  it("renders its static children on the server and before the data arrives", () => {
    const html = renderToString(h(ExplorerIsland, { id: "x", src: "/explorer/relu-hidden.json", density: 0.1 }, h("p", { class: "fallback" }, "static")));
    expect(html).toContain('class="fallback"');
    expect(html).not.toContain("data-ready");
    expect(html).not.toContain('type="range"');
  });

  it("fetches the frames, then shows the slider, stats and both figures", async () => {
    render(h(ExplorerIsland, { id: "x", src: "/explorer/relu-hidden.json", density: 0.1 }, h("p", { class: "fallback" }, "static")), container);
    await ready();
    expect(fetchMock).toHaveBeenCalledWith("/explorer/relu-hidden.json", expect.anything());
    expect(container.querySelector(".fallback")).toBeNull();
    const slider = container.querySelector<HTMLInputElement>('input[type="range"]')!;
    expect(slider.max).toBe(String(data.levels.length - 1));
    const k = levelIndexForDensity(data.levels, 0.1);
    expect(slider.value).toBe(String(k));
    expect(slider.getAttribute("aria-valuetext")).toBe(densityValueText(data.levels[k].density));
    expect(container.querySelector(`label[for="${slider.id}"]`)).not.toBeNull();
    expect(container.querySelector(".pb-explorer__regime")?.textContent).toBe(analyseLevel(data, k).regime.phrase);
    expect(container.querySelectorAll('[data-figure="matrix"] rect[data-feature]')).toHaveLength(data.neurons * data.features);
    expect(container.querySelectorAll('[data-figure="stack"] rect[data-feature]').length).toBeGreaterThan(0);
  });

  it("redraws both figures when the slider moves, and switches views", async () => {
    render(h(ExplorerIsland, { id: "x", src: "/explorer/relu-hidden.json" }), container);
    await ready();
    const matrix = () => container.querySelector('[data-figure="matrix"] svg')!.outerHTML;
    const stack = () => container.querySelector('[data-figure="stack"] svg')!.outerHTML;
    const before = [matrix(), stack(), container.querySelector(".pb-explorer__density")!.textContent];
    const slider = container.querySelector<HTMLInputElement>('input[type="range"]')!;
    slider.value = String(data.levels.length - 1);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    await vi.waitFor(() => expect(matrix()).not.toBe(before[0]));
    expect(stack()).not.toBe(before[1]);
    expect(container.querySelector(".pb-explorer__density")!.textContent).not.toBe(before[2]);

    const radio = (v: string) => container.querySelector<HTMLInputElement>(`input[type="radio"][value="${v}"]`)!;
    radio("matrix").click();
    await vi.waitFor(() => expect(container.querySelector<HTMLElement>('[data-figure="stack"]')!.hidden).toBe(true));
    expect(container.querySelector<HTMLElement>('[data-figure="matrix"]')!.hidden).toBe(false);
    radio("stack").click();
    await vi.waitFor(() => expect(container.querySelector<HTMLElement>('[data-figure="matrix"]')!.hidden).toBe(true));
  });

  it("shows a weight's details on pointer move and follows the arrow keys", async () => {
    render(h(ExplorerIsland, { id: "x", src: "/explorer/relu-hidden.json" }), container);
    await ready();
    const rect = container.querySelector<SVGRectElement>('[data-figure="matrix"] rect[data-neuron="1"][data-feature="2"]')!;
    rect.dispatchEvent(new Event("pointermove", { bubbles: true }));
    const details = () => container.querySelector(".pb-explorer__details")!.textContent ?? "";
    await vi.waitFor(() => expect(details()).toContain("n1"));
    expect(details()).toContain("Feature2");
    // The highlight is a useEffect, which runs after the render that shows the details: wait for it
    // (checking at once failed when the machine was busy).
    await vi.waitFor(() => expect(container.querySelectorAll(".is-active").length).toBeGreaterThanOrEqual(1));
    const plot = container.querySelector<HTMLElement>('[data-figure="matrix"] [tabindex="0"]')!;
    plot.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    await vi.waitFor(() => expect(details()).toContain("Feature3"));
  });

  it("links the data file the frames came from", async () => {
    render(h(ExplorerIsland, { id: "x", src: "/explorer/relu-hidden.json", dataSrc: "/data/relu-hidden.json" }), container);
    await ready();
    const link = container.querySelector<HTMLAnchorElement>(".pb-explorer__source a")!;
    expect(link.getAttribute("href")).toBe("/data/relu-hidden.json");
    expect(link.textContent).toBe("relu-hidden.json");
  });

  it("keeps the fallback and names the problem when the frames file is wrong", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(rawText, { status: 200 })));
    render(h(ExplorerIsland, { id: "x", src: "/explorer/relu-hidden.json" }, h("p", { class: "fallback" }, "static")), container);
    await vi.waitFor(() => expect(container.querySelector('[role="alert"]')).not.toBeNull());
    expect(container.querySelector('[role="alert"]')!.textContent).toContain(`unknown schema "${raw().schema}"`);
    expect(container.querySelector(".fallback")).not.toBeNull();
  });

  it("keeps the fallback and says why when the data cannot be loaded", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("nope", { status: 404 })));
    render(h(ExplorerIsland, { id: "x", src: "/data/missing.json" }, h("p", { class: "fallback" }, "static")), container);
    await vi.waitFor(() => expect(container.querySelector('[role="alert"]')).not.toBeNull());
    expect(container.querySelector('[role="alert"]')!.textContent).toContain("HTTP 404");
    expect(container.querySelector(".fallback")).not.toBeNull();
  });
});
