// @vitest-environment jsdom
//
// The explorer without a browser: its pure logic (frames check, level selection, summary, hover
// details, keyboard cursor, state in the URL), the build-time frames (rects tagged with the weight they
// draw as Plot makes them, checked against Plot's per-rect titles; summaries and details against the
// analysed experiment), and the one Preact view: rendered to HTML as the build does, then rendered by
// Preact in jsdom with a stubbed fetch of the frames.

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { h, render } from "preact";
import { renderToString } from "preact-render-to-string";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { analyse, featureSuperposition } from "../src/analysis/index.ts";
import { dataFileSchema } from "../src/data/schema.ts";
import { formatLoss } from "../src/figures/format.ts";
import { matrixPlot } from "../src/figures/matrix.ts";
import { stackPlot, stackSegments } from "../src/figures/stack.ts";
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
  parseExplorerFrames,
  readUrlState,
  writeUrlState,
} from "../src/article-components/explorer/explorer-data.ts";
import { compactNumbers, explorerFrames, explorerScales, explorerSpecs } from "../src/article-components/explorer/explorer-frames.ts";
import { formatSigned } from "../src/figures/format.ts";
import { renderSvg } from "../src/figures/render.ts";
import { analysedExperiment } from "../src/site/experiment.ts";
import ExplorerIsland from "../src/article-components/explorer/ExplorerIsland.tsx";
import type { ExplorerIslandProps } from "../src/article-components/explorer/ExplorerIsland.tsx";

const ROOT = resolve(import.meta.dirname, "..");
const rawText = readFileSync(join(ROOT, "public", "data", "relu-hidden.json"), "utf8");
const raw = () => JSON.parse(rawText);
const exp = analysedExperiment(dataFileSchema.parse(raw()));
const { features, neurons, modelsPerLevel } = exp.file.config;
const frames = explorerFrames(exp, { idPrefix: "t", dataFile: "relu-hidden.json" });
const framesText = JSON.stringify(frames);
/** A fresh copy of the frames file, to mutate. */
const framesJson = () => JSON.parse(framesText);
/** A second "model" for the switch: the same frames under another name and label. */
const otherText = JSON.stringify({ ...frames, model: "linear-hidden", label: "Linear hidden layer", frames: frames.frames.slice(0, 3) });

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
    const levels = exp.levels.map((a) => a.level);
    levels.forEach((l, k) => expect(levelIndexForDensity(levels, l.density)).toBe(k));
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
  const a = exp.levels[exp.levels.length - 1];
  const level = a.level;
  const analysis = a.analysis;

  it("reports the analysis's regime and the data's loss and K", () => {
    const s = levelSummary(a, modelsPerLevel);
    const direct = analyse(level.best.W, level.best.b, { importance: exp.file.config.importance });
    expect(s.regimeLabel).toBe(direct.regime.phrase);
    expect(s.regimeId).toBe(direct.regime.id);
    expect(s.lossText).toBe(formatLoss(level.best.loss));
    expect(s.modelsPerLevel).toBe(modelsPerLevel);
    const winner = level.best.model === undefined ? "" : `; the best is model ${level.best.model.toLocaleString("en")} (of 0–${(modelsPerLevel - 1).toLocaleString("en")})`;
    expect(s.modelsText).toEqual(level.diverged > 0 ? expect.stringContaining("diverged") : `all ${modelsPerLevel.toLocaleString("en")} models finished${winner}`);
    expect(s.represented + s.dropped).toBe(features);
    expect(s.privileged).toBe(true);
    // A linear hidden layer has no regime: its neurons are an arbitrary basis.
    const linear = levelSummary(a, modelsPerLevel, false);
    expect([linear.privileged, linear.regimeLabel]).toEqual([false, "none: no privileged basis"]);
    expect(linear.regimeReason).toContain("arbitrary rotation");
  });

  it("says when models diverged", () => {
    const diverged = { level: { ...level, losses: [1, 2, 3], diverged: 1, best: { ...level.best, model: undefined } }, analysis };
    expect(levelSummary(diverged, 4).modelsText).toBe("3 of 4 finished, 1 diverged");
  });

  it("names the winning model where the data file records it", () => {
    const won = { level: { ...level, losses: new Array(1000).fill(1), diverged: 0, best: { ...level.best, model: 417 } }, analysis };
    expect(levelSummary(won, 1000).modelsText).toBe("all 1,000 models finished; the best is model 417 (of 0–999)");
  });

  it("gives a weight, its neuron and the feature's superposition", () => {
    const sup = featureSuperposition(a.W);
    for (let j = 0; j < neurons; j++) {
      for (let i = 0; i < features; i++) {
        const d = cellDetail(a.W, analysis, j, i);
        expect(d.weight).toBe(a.W[j][i]);
        expect(d.superposition).toBeCloseTo(sup[i], 12);
        expect(d.stored).toBe(analysis.codes[i].includes(j));
        expect(d.neuronRole).toBe(analysis.roles[j]);
      }
    }
    expect(() => cellDetail(a.W, analysis, 9, 0)).toThrow(/no weight/);
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
    // A linear hidden layer's neurons have no roles: the details say nothing about them.
    const linear = cellDetail(exp.levels[0].W, exp.levels[0].analysis, 0, 0, false);
    expect([linear.neuronRole, linear.stored]).toEqual([undefined, undefined]);
    expect(cellDetailRows(linear).map(([k, v]) => `${k}: ${v}`)).toEqual([expect.stringMatching(/^Feature: 0/), "Neuron: n0", expect.stringMatching(/^Weight W/), expect.stringMatching(/^Superposition/), expect.stringMatching(/^Feature norm/)]);
  });
});

describe("keyboard and URL", () => {
  it("moves the keyboard cursor within the matrix", () => {
    expect(moveSelection({ row: 0, col: 0 }, "ArrowRight", 5, 10)).toEqual({ row: 0, col: 1 });
    expect(moveSelection({ row: 0, col: 0 }, "ArrowUp", 5, 10)).toEqual({ row: 0, col: 0 });
    expect(moveSelection({ row: 4, col: 9 }, "ArrowDown", 5, 10)).toEqual({ row: 4, col: 9 });
    expect(moveSelection({ row: 2, col: 5 }, "Home", 5, 10)).toEqual({ row: 2, col: 0 });
    expect(moveSelection({ row: 2, col: 5 }, "End", 5, 10)).toEqual({ row: 2, col: 9 });
    expect(moveSelection({ row: 2, col: 5 }, "a", 5, 10)).toBeNull();
  });

  it("reads the explorer's state from the URL, ignoring what it does not know", () => {
    const models = ["relu-hidden", "linear-hidden"];
    expect(readUrlState("?density=0.12&view=stack", models)).toEqual({ density: 0.12, view: "stack" });
    expect(readUrlState("?model=linear&density=0.3", models)).toEqual({ model: "linear-hidden", density: 0.3 });
    expect(readUrlState("?model=relu-hidden", models)).toEqual({ model: "relu-hidden" });
    expect(readUrlState("?model=tanh&density=3&view=pie&x=1", models)).toEqual({});
    expect(readUrlState("", models)).toEqual({});
  });

  it("writes it back, keeping other parameters and leaving defaults out", () => {
    expect(writeUrlState("", { model: "relu-hidden", density: 0.12, view: "stack" }, "relu-hidden")).toBe("?density=0.12&view=stack");
    expect(writeUrlState("?a=1&view=matrix", { model: "linear-hidden", density: 0.3, view: "both" }, "relu-hidden")).toBe("?a=1&model=linear&density=0.3");
    const round = writeUrlState("", { model: "linear-hidden", density: 0.03, view: "matrix" }, "relu-hidden");
    expect(readUrlState(round, ["relu-hidden", "linear-hidden"])).toEqual({ model: "linear-hidden", density: 0.03, view: "matrix" });
  });
});

describe("tagging the rendered figures", () => {
  const scales = explorerScales(exp);

  it.each(exp.levels.map((_, k) => k))("tags every matrix cell and stack segment of level %i with its weight as Plot draws it", (index) => {
    const a = exp.levels[index];
    const specs = explorerSpecs(exp, a, scales);
    const matrix = renderSvg(specs.matrix, "t-matrix");
    const stack = renderSvg(specs.stack, "t-stack");
    expect(matrix.svg.getAttribute("role")).toBe("img");
    expect(matrix.svg.querySelector("desc")?.id).toBe("t-matrix-desc");
    // Each rect's tooltip (Plot's per-datum title) names the weight it draws: the tags must agree.
    const cells = [...matrix.svg.querySelectorAll<SVGRectElement>('g[aria-label="cell"] rect')];
    expect(cells).toHaveLength(neurons * features);
    const seen = new Set<string>();
    for (const rect of cells) {
      const [j, i] = [Number(rect.dataset.neuron), Number(rect.dataset.feature)];
      expect(rect.querySelector("title")?.textContent).toBe(cellDetailTitle(cellDetail(a.W, a.analysis, j, i)));
      seen.add(`${j},${i}`);
    }
    expect(seen.size).toBe(neurons * features);
    // The blocks (the role tints behind the columns are rects too, untagged).
    const segments = [...stack.svg.querySelectorAll<SVGRectElement>('g[aria-label="bar"]:not(.neuron-role) rect')];
    expect(segments).toHaveLength(stackSegments(a.W).length);
    for (const rect of segments) {
      const [j, i] = [Number(rect.dataset.neuron), Number(rect.dataset.feature)];
      expect(rect.querySelector("title")?.textContent).toBe(cellDetailTitle(cellDetail(a.W, a.analysis, j, i)));
    }
  });

  it("tags the figures of the article too, with Plot's default titles", () => {
    const W = [[0.5, -0.2], [0, 0.9]];
    const m = renderSvg(matrixPlot(W), "m").svg;
    const tags = [...m.querySelectorAll("rect[data-feature]")].map((r) => [r.getAttribute("data-neuron"), r.getAttribute("data-feature"), r.querySelector("title")?.textContent]);
    expect(tags).toEqual([
      ["0", "0", "Neuron 0, feature 0: w = 0.500"],
      ["0", "1", "Neuron 0, feature 1: w = −0.200"],
      ["1", "0", "Neuron 1, feature 0: w = 0.000"],
      ["1", "1", "Neuron 1, feature 1: w = 0.900"],
    ]);
    const st = renderSvg(stackPlot(W), "s").svg;
    expect([...st.querySelectorAll("rect[data-feature]")].map((r) => `${r.getAttribute("data-neuron")}/${r.getAttribute("data-feature")}: ${r.querySelector("title")?.textContent}`)).toEqual([
      "0/0: Neuron 0, feature 0: w = 0.500",
      "0/1: Neuron 0, feature 1: w = −0.200",
      "1/1: Neuron 1, feature 1: w = 0.900",
    ]);
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
    expect(frames.frames.map((f) => f.density)).toEqual(exp.levels.map((a) => a.level.density));
    expect(frames.frames.map((f) => f.density)).toEqual([...exp.file.levels.map((l) => l.density)].sort((x, y) => y - x));
    expect([frames.features, frames.neurons, frames.modelsPerLevel, frames.label]).toEqual([features, neurons, modelsPerLevel, "ReLU hidden layer"]);
    expect(frames.maxAbs).toBe(explorerScales(exp).maxAbs);
    expect(frames.legendSvg.match(/<svg/g)).toHaveLength(3);
    expect(parseExplorerFrames(framesJson())).toEqual(frames);
  });

  it.each(exp.levels.map((_, k) => k))("frame %i: summary, row order and weight details from the analysis, SVGs titled by weight", (k) => {
    const frame = frames.frames[k];
    const a = exp.levels[k];
    const level = { W: a.W };
    const analysis = a.analysis;
    expect(frame.summary).toEqual(levelSummary(a, modelsPerLevel));
    expect(frame.order).toEqual(analysis.order);
    frame.cells.forEach((c) => expect(c).toEqual(cellDetail(a.W, analysis, c.neuron, c.feature)));

    const matrix = parse(frame.matrixSvg);
    const stack = parse(frame.stackSvg);
    // Fluid: no natural size, capped with max-width; ids unique per frame.
    expect(matrix.getAttribute("width")).toBeNull();
    expect(matrix.getAttribute("style")).toMatch(/^max-width:\d+px$/);
    expect(matrix.querySelector("desc")?.id).toBe(`t-${k}-matrix-desc`);
    const stackIds = Array.from(stack.querySelectorAll("[id]"), (el) => el.id);
    expect(stackIds.length).toBeGreaterThan(0);
    for (const id of stackIds) expect(id.startsWith(`t-${k}-stack`), id).toBe(true);
    expect(matrix.querySelectorAll("rect[data-feature]")).toHaveLength(neurons * features);
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
    ["no legend", (f: any) => (delete f.legendSvg, f), /label and legendSvg must be text/],
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

describe("the explorer view (server-rendered, then live in jsdom)", () => {
  let container: HTMLElement;
  let fetchMock: ReturnType<typeof vi.fn>;
  const k0 = levelIndexForDensity(frames.frames, 0.1);
  const props = (over: Partial<ExplorerIslandProps> = {}): ExplorerIslandProps => ({
    id: "x",
    sources: [
      { model: "relu-hidden", label: "ReLU hidden layer", src: "/explorer/relu-hidden.json", dataSrc: "/data/relu-hidden.json", dataFile: "relu-hidden.json", densities: frames.frames.map((f) => f.density) },
      { model: "linear-hidden", label: "Linear hidden layer", src: "/explorer/linear-hidden.json", dataSrc: "/data/linear-hidden.json", dataFile: "linear-hidden.json", densities: frames.frames.slice(0, 3).map((f) => f.density) },
    ],
    initial: { model: "relu-hidden", index: k0, frame: { ...frames.frames[k0], cells: [] }, legendSvg: frames.legendSvg, features, modelsPerLevel },
    ...over,
  });

  beforeEach(() => {
    container = document.createElement("div");
    document.body.append(container);
    fetchMock = vi.fn(async (url: string) => new Response(url.includes("linear") ? otherText : framesText, { status: 200, headers: { "content-type": "application/json" } }));
    vi.stubGlobal("fetch", fetchMock);
    history.replaceState(null, "", "/");
  });

  afterEach(() => {
    render(null, container);
    container.remove();
    vi.unstubAllGlobals();
  });

  const ready = () => vi.waitFor(() => expect(container.querySelector('[data-ready="true"]')).not.toBeNull(), { timeout: 5000 });
  const matrix = () => container.querySelector('[data-figure="matrix"] svg')!.outerHTML;
  const slider = () => container.querySelector<HTMLInputElement>('input[type="range"]')!;
  const radio = (v: string) => container.querySelector<HTMLInputElement>(`input[type="radio"][value="${v}"]`)!;

  it("renders the starting density's figures and numbers on the server, with the controls disabled", () => {
    const html = renderToString(h(ExplorerIsland, props()));
    const doc = new DOMParser().parseFromString(html, "text/html");
    expect(doc.querySelector('[data-figure="matrix"] svg')!.outerHTML).toBe(new DOMParser().parseFromString(frames.frames[k0].matrixSvg, "text/html").querySelector("svg")!.outerHTML);
    expect(doc.querySelectorAll('[data-figure="stack"] rect[data-feature]').length).toBeGreaterThan(0);
    expect(doc.querySelector(".pb-explorer__regime")!.textContent).toBe(exp.levels[k0].analysis.regime.phrase);
    expect(doc.querySelector(".pb-explorer__density")!.textContent).toBe(frames.frames[k0].summary.densityText);
    expect(doc.querySelector<HTMLInputElement>('input[type="range"]')!.disabled).toBe(true);
    expect(doc.querySelector(".pb-explorer__note")!.textContent).toContain(`all ${frames.frames.length} trained densities`);
    expect(html).not.toContain("data-ready");
  });

  it("fetches the frames, then enables the slider, at the starting density", async () => {
    render(h(ExplorerIsland, props()), container);
    await ready();
    expect(fetchMock).toHaveBeenCalledWith("/explorer/relu-hidden.json");
    expect(slider().disabled).toBe(false);
    expect(slider().max).toBe(String(frames.frames.length - 1));
    expect(slider().value).toBe(String(k0));
    expect(slider().getAttribute("aria-valuetext")).toBe(densityValueText(frames.frames[k0].density));
    expect(container.querySelector(`label[for="${slider().id}"]`)).not.toBeNull();
    expect(container.querySelector(".pb-explorer__note")).toBeNull();
    expect(container.querySelectorAll('[data-figure="matrix"] rect[data-feature]')).toHaveLength(neurons * features);
  });

  it("redraws both figures when the slider moves, switches views, and keeps the state in the URL", async () => {
    render(h(ExplorerIsland, props()), container);
    await ready();
    const stack = () => container.querySelector('[data-figure="stack"] svg')!.outerHTML;
    const before = [matrix(), stack()];
    expect(location.search).toBe(""); // nothing written before the reader changes something
    const last = frames.frames.length - 1;
    slider().value = String(last);
    slider().dispatchEvent(new Event("input", { bubbles: true }));
    await vi.waitFor(() => expect(matrix()).not.toBe(before[0]));
    expect(stack()).not.toBe(before[1]);
    expect(container.querySelector(".pb-explorer__density")!.textContent).toBe(frames.frames[last].summary.densityText);
    radio("matrix").click();
    await vi.waitFor(() => expect(container.querySelector<HTMLElement>('[data-figure="stack"]')!.hidden).toBe(true));
    expect(container.querySelector<HTMLElement>('[data-figure="matrix"]')!.hidden).toBe(false);
    await vi.waitFor(() => expect(location.search).toBe(`?density=${frames.frames[last].summary.densityText}&view=matrix`));
  });

  it("opens at the state in the URL", async () => {
    const k = 3;
    history.replaceState(null, "", `/?density=${frames.frames[k].density}&view=stack`);
    render(h(ExplorerIsland, props()), container);
    await ready();
    await vi.waitFor(() => expect(slider().value).toBe(String(k)));
    expect(container.querySelector<HTMLElement>('[data-figure="matrix"]')!.hidden).toBe(true);
  });

  it("switches to the other model at the nearest density it trained", async () => {
    render(h(ExplorerIsland, props()), container);
    await ready();
    radio("linear-hidden").click();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledWith("/explorer/linear-hidden.json"));
    await vi.waitFor(() => expect(slider().max).toBe("2"));
    expect(slider().value).toBe(String(levelIndexForDensity(frames.frames.slice(0, 3), frames.frames[k0].density)));
    expect(container.querySelector(".pb-explorer__source a")!.getAttribute("href")).toBe("/data/linear-hidden.json");
    await vi.waitFor(() => expect(location.search).toContain("model=linear"));
  });

  it("shows a weight's details on pointer move and follows the arrow keys", async () => {
    render(h(ExplorerIsland, props()), container);
    await ready();
    const rect = container.querySelector<SVGRectElement>('[data-figure="matrix"] rect[data-neuron="1"][data-feature="2"]')!;
    rect.dispatchEvent(new Event("pointermove", { bubbles: true }));
    const details = () => container.querySelector(".pb-explorer__details")!.textContent ?? "";
    await vi.waitFor(() => expect(details()).toContain("n1"));
    expect(details()).toContain("Feature2");
    await vi.waitFor(() => expect(container.querySelectorAll(".is-active").length).toBeGreaterThanOrEqual(1));
    const plot = container.querySelector<HTMLElement>('[data-figure="matrix"] [tabindex="0"]')!;
    plot.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    await vi.waitFor(() => expect(details()).toContain("Feature3"));
  });

  it("links the data file the frames came from", async () => {
    render(h(ExplorerIsland, props()), container);
    await ready();
    const link = container.querySelector<HTMLAnchorElement>(".pb-explorer__source a")!;
    expect(link.getAttribute("href")).toBe("/data/relu-hidden.json");
    expect(link.textContent).toBe("relu-hidden.json");
  });

  it("keeps the server-rendered view and names the problem when the frames file is wrong", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(rawText, { status: 200 })));
    render(h(ExplorerIsland, props()), container);
    await vi.waitFor(() => expect(container.querySelector('[role="alert"]')).not.toBeNull());
    expect(container.querySelector('[role="alert"]')!.textContent).toContain(`unknown schema "${raw().schema}"`);
    expect(matrix()).toContain("data-feature");
    expect(slider().disabled).toBe(true);
  });

  it("keeps the server-rendered view and says why when the data cannot be loaded", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("nope", { status: 404 })));
    render(h(ExplorerIsland, props()), container);
    await vi.waitFor(() => expect(container.querySelector('[role="alert"]')).not.toBeNull());
    expect(container.querySelector('[role="alert"]')!.textContent).toContain("HTTP 404");
    expect(matrix()).toContain("data-feature");
  });
});
