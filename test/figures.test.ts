// The figure functions (src/figures) and the build-time helpers that feed them (src/site), on small
// hand-made data, never the committed data files: the marks each figure produces, and SVG snapshots
// with numbers rounded and ids renumbered.

import { describe, expect, it } from "vitest";
import { JSDOM } from "jsdom";
import * as Plot from "@observablehq/plot";
import {
  countsLegendPlot,
  featureLegendPlot,
  featureNormsPlot,
  formatDensity,
  formatDuration,
  formatLoss,
  formatSigned,
  lossSummary,
  matrixCells,
  matrixPlot,
  matrixCell,
  valuesFit,
  MATRIX_WIDTH,
  normBars,
  positiveColourCap,
  roleLegendPlot,
  superpositionExtent,
  ROLE_COLOURS,
  quantile,
  regimeLegendPlot,
  sharedMaxAbs,
  stackExtent,
  stackPlot,
  stackSegments,
  superpositionLegendPlot,
  superpositionSweepPlot,
  sweepCountsPlot,
  sweepLossPlot,
  sweepRegimePlot,
  weightExtent,
  weightLegendPlot,
} from "../src/figures/index.ts";
import type { PlotSpec, SweepRow } from "../src/figures/index.ts";
import { renderFigure } from "../src/figures/render.ts";
import { dataFileSchema } from "../src/data/schema.ts";
import type { DataFile } from "../src/data/schema.ts";
import { analyseFile, comparisonDensity, comparisonLevels, levelsBetweenBands, selectBandLevels, sweepRows } from "../src/site/experiment.ts";
import { bandFacts, buildFacts, populationFacts, engineDetail, fact, factSize, formatFact, lossComparisonFacts, nearBestCount, nearBestFacts, shiftFacts, superpositionFacts } from "../src/site/facts.ts";
import type { Facts } from "../src/site/facts.ts";

// ---------------------------------------------------------------------------------------------
// Fixtures

/** 3 neurons × 4 features, with positive and negative weights and one negligible entry. */
const W: number[][] = [
  [0.9, -0.3, 0.0, 0.2],
  [0.1, 0.8, -0.5, 0.001],
  [-0.2, 0.4, 0.7, -0.6],
];

const ROWS: SweepRow[] = [
  { density: 1, regime: "all-monosemantic", phrase: "all neurons monosemantic", features: 4, neurons: 3, represented: 3, monosemantic: 3, polysemantic: 0, dead: 0, losses: [0.02, 0.021, 0.03], diverged: 0, norms: [1, 0.9, 0.8, 0.05], superposition: [0, 0.01, 0.02, 0], dropped: [3] },
  { density: 0.3, regime: "three-in-two", phrase: "three features share two neurons", features: 4, neurons: 3, represented: 4, monosemantic: 1, polysemantic: 2, dead: 0, losses: [0.01, 0.012, 0.02], diverged: 0, norms: [1, 0.95, 0.9, 0.85], superposition: [0, 0.5, 0.6, 0.4], dropped: [] },
  { density: 0.05, regime: "unlabelled", phrase: "unlabelled: 4 features in 3 neurons, no monosemantic neuron", features: 4, neurons: 3, represented: 4, monosemantic: 0, polysemantic: 3, dead: 0, losses: [0.001, 0.004], diverged: 1, norms: [1, 1, 1, 0.9], superposition: [1.2, 1.1, 1, 0.9], dropped: [] },
];

function newDocument(): Document {
  return new JSDOM("").window.document;
}

/** Renders a spec in a fresh jsdom document, returning the root element (for counting marks). */
function plotElement(spec: PlotSpec): Element {
  return Plot.plot({ ...spec, document: newDocument() }) as unknown as Element;
}

/** The <g> of a mark by its aria-label ("cell", "bar", "dot", …). */
function markGroups(root: Element, label: string): Element[] {
  return Array.from(root.querySelectorAll(`g[aria-label="${label}"]`));
}

/** A rendered figure made stable for snapshots: numbers to 2 decimals, ids and Plot's class hash renumbered. */
function normalise(html: string): string {
  const ids = new Map<string, string>();
  return html
    .replace(/\bplot-[0-9a-f]{6}\b/g, "plot-X")
    .replace(/\bid="([^"]+)"/g, (_, id: string) => {
      if (!ids.has(id)) ids.set(id, `id${ids.size}`);
      return `id="${ids.get(id)}"`;
    })
    .replace(/(#|aria-describedby=")([A-Za-z][\w-]*)/g, (whole, pre: string, id: string) => (ids.has(id) ? `${pre}${ids.get(id)}` : whole))
    .replace(/-?\d+\.\d+(e-?\d+)?/g, (v) => {
      const r = Number(Number(v).toFixed(2));
      return String(Object.is(r, -0) ? 0 : r);
    })
    .replace(/></g, ">\n<");
}

/** A small but valid data file whose W at each density has an obvious structure. */
function syntheticFile(model: "relu-hidden" | "linear-hidden", levels: { density: number; W: number[][]; losses: number[] }[]): DataFile {
  const n = levels[0].W[0].length;
  const m = levels[0].W.length;
  const K = levels[0].losses.length;
  return dataFileSchema.parse({
    schema: "privileged-basis/1",
    model,
    config: {
      features: n,
      neurons: m,
      importance: Array.from({ length: n }, (_, i) => 0.75 ** i),
      modelsPerLevel: K,
      steps: 10000,
      batchSize: 1024,
      optimizer: { name: "adamw", lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
      seed: 0,
      evalSamples: 1000,
    },
    run: { engine: "cpu", device: "test", trainSeconds: 3725, createdAt: "2026-01-02T03:04:05.000Z", commit: "0123456789abcdef" },
    levels: levels.map((l) => ({ density: l.density, losses: l.losses, diverged: 0, best: { loss: l.losses[0], W: l.W, b: new Array(n).fill(0) } })),
  });
}

// 4 features, 3 neurons. Dense: features 0–2 each on their own neuron, feature 3 dropped.
const MONO = [
  [1, 0, 0, 0],
  [0, 0, 1, 0],
  [0, 1, 0, 0],
];
// Sparser: feature 0 on its own neuron, features 1–3 share neurons 1–2 (three in two).
const THREE_IN_TWO = [
  [1, 0, 0, 0],
  [0, 1, 0.9, -0.4],
  [0, -0.4, 0.9, 1],
];

// ---------------------------------------------------------------------------------------------

describe("matrixPlot (W as a heatmap)", () => {
  it("has one cell per entry of W, m × n", () => {
    expect(matrixCells(W)).toHaveLength(3 * 4);
    const root = plotElement(matrixPlot(W));
    const [cells] = markGroups(root, "cell");
    expect(cells.querySelectorAll("rect")).toHaveLength(3 * 4);
  });

  it("keeps a wide matrix to about the text column: smaller cells beyond 21 features, never under 20 px", () => {
    const wide = (n: number) => Array.from({ length: 5 }, () => new Array(n).fill(0.1));
    const cellWidth = (n: number) => Number(plotElement(matrixPlot(wide(n))).querySelector('g[aria-label="cell"] rect')!.getAttribute("width"));
    expect([10, 20, 21, 32, 64].map(matrixCell)).toEqual([34, 34, 34, 22, 20]);
    // The cell mark insets each rect by about a pixel on either side.
    expect(cellWidth(10)).toBeGreaterThan(31);
    expect(cellWidth(10)).toBeLessThanOrEqual(34);
    expect(cellWidth(32)).toBeGreaterThan(19);
    expect(cellWidth(32)).toBeLessThanOrEqual(22);
    expect(matrixPlot(wide(32)).width).toBeLessThanOrEqual(62 + 12 + MATRIX_WIDTH);
    expect([matrixCell(20), matrixCell(32)].map(valuesFit)).toEqual([true, false]);
  });

  it("uses a diverging colour scale with a domain symmetric about 0", () => {
    const spec = matrixPlot(W);
    const color = spec.color as { type: string; domain: number[]; pivot: number };
    expect(color.type).toBe("diverging");
    expect(color.pivot).toBe(0);
    expect(color.domain[0]).toBe(-color.domain[1]);
    expect(color.domain[1]).toBeCloseTo(0.9);
  });

  it("spans the largest |w| by default, negative or positive, and colours negative red, positive blue", () => {
    expect((matrixPlot([[0.5, -2], [0.25, 0]]).color as { domain: number[] }).domain).toEqual([-2, 2]);
    expect(sharedMaxAbs([[0.5, -3]], [[2, 0]])).toBe(3);
    const rgb = (fill: string | null) => fill!.match(/\d+/g)!.map(Number);
    const [pos, neg, zero] = Array.from(plotElement(matrixPlot([[1, -1, 0]])).querySelectorAll('g[aria-label="cell"] rect')).map((r) => rgb(r.getAttribute("fill")));
    expect(pos[2]).toBeGreaterThan(pos[0] + 50); // blue
    expect(neg[0]).toBeGreaterThan(neg[2] + 50); // red
    expect(Math.min(...zero)).toBeGreaterThan(230); // near white
  });

  it("shares one scale across panels when given maxAbs", () => {
    const other = [[2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, -0.1]];
    const shared = sharedMaxAbs(W, other);
    expect(shared).toBe(2);
    for (const w of [W, other]) expect((matrixPlot(w, { maxAbs: shared }).color as { domain: number[] }).domain).toEqual([-2, 2]);
  });

  it("caps a ReLU model's colours at its largest positive weight, clamping larger negative ones", () => {
    const relu = [[1, 0.2, -5], [0, 0.8, 0.1]];
    expect(positiveColourCap(relu)).toBe(1);
    expect(positiveColourCap(relu, [[0, 1.4, -0.2]])).toBe(1.4);
    // With no positive weight, the cap falls back to max|w|.
    expect(positiveColourCap([[-0.5, -2]])).toBe(2);
    expect(weightExtent(relu, [[0, 1.4, -0.2]])).toEqual([-5, 1.4]);
    const color = matrixPlot(relu, { maxAbs: positiveColourCap(relu) }).color as { domain: number[]; clamp: boolean };
    expect(color.domain).toEqual([-1, 1]);
    expect(color.clamp).toBe(true);
    // The −5 weight gets the end colour: the same fill as a −1 weight would.
    const fills = Array.from(plotElement(matrixPlot([[1, -1, -5]], { maxAbs: 1 })).querySelectorAll('g[aria-label="cell"] rect')).map((r) => r.getAttribute("fill"));
    expect(fills[2]).toBe(fills[1]);
    expect(fills[0]).not.toBe(fills[1]);
    expect(matrixPlot([[1, -1, -5]], { maxAbs: 1 }).ariaDescription).toContain("weights beyond it get the end colour");
    expect(matrixPlot([[1, -1]], { maxAbs: 1 }).ariaDescription).not.toContain("beyond");
  });

  it("orders rows by neuronOrder and rejects an order that is not a permutation", () => {
    const spec = matrixPlot(W, { neuronOrder: [2, 0, 1] });
    expect((spec.y as { domain: number[] }).domain).toEqual([2, 0, 1]);
    expect(() => matrixPlot(W, { neuronOrder: [0, 0, 1] })).toThrow(/permutation/);
  });

  it("prints values and roles when asked", () => {
    const root = plotElement(matrixPlot(W, { showValues: true, roles: ["monosemantic", "polysemantic", "dead"] }));
    const texts = Array.from(root.querySelectorAll('g[aria-label="text"] text')).map((t) => t.textContent);
    expect(texts).toHaveLength(12);
    expect(texts).toContain("−0.6");
    expect(root.textContent).toContain("mono");
    expect(root.textContent).toContain("dead");
  });
});

describe("stackPlot (W as stacked weights per neuron)", () => {
  it("has one rectangle per non-negligible weight", () => {
    const segments = stackSegments(W);
    const visible = W.flat().filter((w) => Math.abs(w) > 0.02 * 0.9).length;
    expect(visible).toBe(10); // the 0 and the 0.001 are left out
    expect(segments).toHaveLength(visible);
    const root = plotElement(stackPlot(W));
    const [bars] = markGroups(root, "bar");
    expect(bars.querySelectorAll("rect")).toHaveLength(visible);
  });

  it("stacks positive weights above zero and negative weights below, each of height |w|", () => {
    const segments = stackSegments(W);
    expect(segments.length).toBeGreaterThan(0);
    for (const s of segments) {
      expect(s.y2 - s.y1).toBeCloseTo(Math.abs(s.w));
      if (s.w > 0) expect(s.y1).toBeGreaterThanOrEqual(0);
      else expect(s.y2).toBeLessThanOrEqual(0);
    }
    // Neuron 2: -0.2 (f0) then -0.6 (f3) below, 0.4 (f1) then 0.7 (f2) above, in importance order.
    const n2 = segments.filter((s) => s.neuron === 2);
    expect(n2.map((s) => [s.feature, Number(s.y1.toFixed(3)), Number(s.y2.toFixed(3))])).toEqual([
      [0, -0.2, 0],
      [1, 0, 0.4],
      [2, 0.4, 1.1],
      [3, -0.8, -0.2],
    ]);
  });

  it("draws negative rectangles below the zero line in the SVG", () => {
    const root = plotElement(stackPlot(W, { yMax: 2 }));
    const zero = Number(root.querySelector('g[aria-label="rule"] line')!.getAttribute("y1"));
    const rects = Array.from(markGroups(root, "bar")[0].querySelectorAll("rect"));
    const titles = rects.map((r) => r.querySelector("title")!.textContent!);
    expect(titles.filter((t) => t.includes("w = −")).length).toBeGreaterThan(0); // both signs are checked
    expect(titles.filter((t) => !t.includes("w = −")).length).toBeGreaterThan(0);
    rects.forEach((r, k) => {
      const y = Number(r.getAttribute("y"));
      const h = Number(r.getAttribute("height"));
      if (titles[k].includes("w = −")) expect(y).toBeGreaterThanOrEqual(zero - 1);
      else expect(y + h).toBeLessThanOrEqual(zero + 1);
    });
  });

  it("reports a shared extent for several matrices", () => {
    expect(stackExtent(W)).toBeCloseTo(1.1);
    expect(stackExtent(W, [[3, 0, 0, 0]])).toBe(3);
    expect((stackPlot(W, { yMax: 3 }).y as { domain: number[] }).domain).toEqual([-3, 3]);
  });

  // A ReLU model's W often has a taller stack below the axis than above (one or two large negative
  // weights that silence a neuron): the extent, the y domain and the rectangles must cover it too.
  const TALL_NEGATIVE = [
    [1, -2.5, 0.25, -1.5], // 1.25 above, 4 below
    [0.5, 0.25, -0.5, 0.75], // 1.5 above, 0.5 below
  ];

  it("measures a taller negative stack: extent, y domain and segments", () => {
    expect(stackExtent(TALL_NEGATIVE)).toBe(4);
    expect(stackExtent([[-1, -0.5]])).toBe(1.5);
    expect(stackExtent(W, [[0.5, -3, -0.25, 0]])).toBe(3.25);
    expect((stackPlot(TALL_NEGATIVE).y as { domain: number[] }).domain).toEqual([-4, 4]);
    expect(stackSegments(TALL_NEGATIVE).filter((s) => s.neuron === 0).map((s) => [s.feature, s.w, s.y1, s.y2])).toEqual([
      [0, 1, 0, 1],
      [1, -2.5, -2.5, 0],
      [2, 0.25, 1, 1.25],
      [3, -1.5, -4, -2.5],
    ]);
    expect(stackPlot(TALL_NEGATIVE).ariaDescription).toContain("Neuron 0: positive on features 0, 2; negative on 1, 3. Neuron 1: positive on features 0, 1, 3; negative on 2.");
  });

  it("draws each rectangle from y1 to y2 on the y scale, inside the frame, for both signs", () => {
    for (const yMax of [undefined, 5]) {
      const spec = stackPlot(TALL_NEGATIVE, { yMax });
      const root = plotElement(spec);
      const y = (root as unknown as { scale(name: string): { apply(v: number): number; range: number[] } }).scale("y");
      const [bottom, top] = y.range;
      expect(bottom).toBeGreaterThan(top); // SVG y grows downwards
      const segments = stackSegments(TALL_NEGATIVE);
      const rects = Array.from(markGroups(root, "bar")[0].querySelectorAll("rect"));
      expect(rects).toHaveLength(segments.length);
      for (const r of rects) {
        const [, neuron, feature] = r.querySelector("title")!.textContent!.match(/^Neuron (\d+), feature (\d+):/)!.map(Number);
        const s = segments.find((t) => t.neuron === neuron && t.feature === feature)!;
        const ry = Number(r.getAttribute("y"));
        const rh = Number(r.getAttribute("height"));
        expect(ry).toBeCloseTo(y.apply(s.y2), 1);
        expect(ry + rh).toBeCloseTo(y.apply(s.y1), 1);
        expect(ry).toBeGreaterThanOrEqual(top - 0.01); // not clipped
        expect(ry + rh).toBeLessThanOrEqual(bottom + 0.01);
      }
      // With the default extent the tallest (negative) stack reaches the bottom of the frame.
      if (yMax === undefined) expect(Math.max(...rects.map((r) => Number(r.getAttribute("y")) + Number(r.getAttribute("height"))))).toBeCloseTo(bottom, 1);
    }
  });
});

describe("stackPlot coloured as the paper", () => {
  const sup = [0, 1.6, 0.4, 3.9];
  const roles = ["monosemantic", "polysemantic", "polysemantic"] as const;

  it("fills each block by its feature's superposition, on a scale to the largest drawn", () => {
    const spec = stackPlot(W, { superposition: sup, roles });
    expect((spec.color as { domain: number[]; type: string }).domain).toEqual([0, 3.9]);
    const root = plotElement(spec);
    const scale = (root as unknown as { scale(n: string): { apply(v: number): string } }).scale("color");
    const blocks = [...root.querySelectorAll<SVGRectElement>("rect[data-feature]")];
    expect(blocks).toHaveLength(stackSegments(W).length);
    for (const b of blocks) expect(b.getAttribute("fill")).toBe(scale.apply(sup[Number(b.dataset.feature)]));
    // Two features with the same superposition share a colour; the feature is told by its label and title.
    expect(blocks[0].querySelector("title")!.textContent).toBe("Neuron 0, feature 0: w = 0.900; superposition 0.00");
    expect([...root.querySelectorAll('g[aria-label="text"] text')].map((t) => t.textContent)).toEqual(expect.arrayContaining(["0", "1", "2", "3"]));
  });

  it("marks each neuron's role by colour: a tinted column and a coloured label", () => {
    const root = plotElement(stackPlot(W, { superposition: sup, roles }));
    const tints = [...root.querySelectorAll("g.neuron-role")].map((g) => [g.getAttribute("fill"), g.querySelectorAll("rect").length]);
    expect(tints).toEqual([
      [ROLE_COLOURS.monosemantic, 1],
      [ROLE_COLOURS.polysemantic, 2],
    ]);
    const labels = [...root.querySelectorAll("g.neuron-role-label")].map((g) => [g.getAttribute("fill"), [...g.querySelectorAll("text")].map((t) => t.textContent)]);
    expect(labels).toEqual([
      [ROLE_COLOURS.monosemantic, ["mono"]],
      [ROLE_COLOURS.polysemantic, ["poly", "poly"]],
    ]);
  });

  it("rejects a superposition list of the wrong length", () => {
    expect(() => stackPlot(W, { superposition: [0, 1] })).toThrow("superposition has 2 entries, W has 4 features");
  });
});

describe("featureNormsPlot (features coloured by superposition)", () => {
  const input = { norms: [1, 0.8, 0.5, 0.05], superposition: [0, 0.3, 1.4, 0], dropped: [3] };

  it("draws a coloured bar per kept feature and a grey one per dropped feature", () => {
    expect(normBars(input).map((b) => b.dropped)).toEqual([false, false, false, true]);
    const root = plotElement(featureNormsPlot(input));
    const [kept, dropped] = markGroups(root, "bar");
    expect(kept.querySelectorAll("rect")).toHaveLength(3);
    expect(dropped.querySelectorAll("rect")).toHaveLength(1);
    expect(root.textContent).toContain("dropped");
  });

  it("colours by superposition on a scale that reaches the largest kept value", () => {
    const color = featureNormsPlot(input).color as { domain: number[]; type: string };
    expect(color.domain).toEqual([0, 1.4]); // the dropped feature's 0 and the kept 1.4
    expect(color.type).toBe("symlog");
    expect((featureNormsPlot({ ...input, superposition: [0, 0.2, 0.5, 9] }).color as { domain: number[] }).domain).toEqual([0, 1]); // at least 1; dropped ones do not count
    expect(superpositionExtent({ superposition: [3.9, 1.4], dropped: [] }, { superposition: [28, 2], dropped: [0] })).toBe(3.9);
  });

  // A ReLU model's column: a large negative weight that only silences a neuron lengthens ‖W_i‖.
  const relu = { norms: [1, 5.5, 0.5], positiveNorms: [1, 0.6, 0.5], superposition: [0, 0.3, 0.2], dropped: [] };

  it("draws the norm of the positive weights as the bar, and ‖W_i‖ as a tick where it is longer", () => {
    const root = plotElement(featureNormsPlot(relu));
    const x = (root as unknown as { scale(n: string): { apply(v: number): number } }).scale("x");
    const bars = [...markGroups(root, "bar")[0].querySelectorAll("rect")];
    expect(bars.map((r) => Number(r.getAttribute("width")))).toEqual(relu.positiveNorms.map((v) => expect.closeTo(x.apply(v) - x.apply(0), 1)));
    const ticks = [...root.querySelectorAll("g.total-norm line")];
    expect(ticks).toHaveLength(1); // only feature 1's total is longer than its bar
    expect(Number(ticks[0].getAttribute("x1"))).toBeCloseTo(x.apply(5.5), 1);
    expect(bars[1].querySelector("title")!.textContent).toBe("Feature 1: ‖W⁺‖ = 0.60, ‖W‖ = 5.50, superposition = 0.30");
    // Without positive norms (a linear hidden layer) the bars are ‖W_i‖ and there are no ticks.
    const linear = plotElement(featureNormsPlot({ ...relu, positiveNorms: undefined }));
    expect(linear.querySelectorAll("g.total-norm")).toHaveLength(0);
  });
});

describe("legends are plain SVG", () => {
  it("draws colour bars and swatches without <canvas>", () => {
    for (const spec of [weightLegendPlot(1.5), superpositionLegendPlot(), featureLegendPlot(10), regimeLegendPlot(ROWS), countsLegendPlot()]) {
      const html = renderFigure(spec);
      expect(html).toMatch(/^<svg/);
      expect(html).not.toContain("<canvas");
    }
  });

  it("runs the superposition legend to its end, with 1 marked", () => {
    const labels = (spec: PlotSpec) => Array.from(plotElement(spec).querySelectorAll('g[aria-label="x-axis tick label"] text')).map((t) => t.textContent);
    expect(labels(superpositionLegendPlot({ max: 3.9 }))).toEqual(["0", "1", "2", "3.9"]);
    expect(labels(superpositionLegendPlot({ max: 28.4 }))).toEqual(["0", "1", "2", "5", "10", "20", "28.4"]);
    expect(labels(superpositionLegendPlot())).toEqual(["0", "1"]);
    expect((superpositionLegendPlot({ max: 3.9 }).color as { domain: number[] }).domain).toEqual([0, 3.9]);
  });

  it("names the neuron roles in their colours", () => {
    const root = plotElement(roleLegendPlot());
    expect([...root.querySelectorAll('g[aria-label="text"] text')].map((t) => [t.textContent, t.getAttribute("fill")])).toEqual([
      ["monosemantic neuron (mono)", ROLE_COLOURS.monosemantic],
      ["polysemantic neuron (poly)", ROLE_COLOURS.polysemantic],
    ]);
  });

  it("labels the weight legend symmetrically", () => {
    const root = plotElement(weightLegendPlot(1.5));
    const labels = Array.from(root.querySelectorAll('g[aria-label="x-axis tick label"] text')).map((t) => t.textContent);
    expect(labels).toEqual(["−1.50", "−0.75", "0.00", "0.75", "1.50"]);
  });

  it("marks an end that the drawn weights go beyond", () => {
    const labels = (spec: PlotSpec) => Array.from(plotElement(spec).querySelectorAll('g[aria-label="x-axis tick label"] text')).map((t) => t.textContent);
    expect(labels(weightLegendPlot(1, { extent: [-5.45, 1] }))).toEqual(["≤ −1.00", "−0.50", "0.00", "0.50", "1.00"]);
    expect(labels(weightLegendPlot(1, { extent: [-0.2, 3] }))).toEqual(["−1.00", "−0.50", "0.00", "0.50", "≥ 1.00"]);
    expect(labels(weightLegendPlot(1, { extent: [-1, 1] }))).toEqual(["−1.00", "−0.50", "0.00", "0.50", "1.00"]);
    expect(weightLegendPlot(1, { extent: [-5.45, 1] }).ariaLabel).toContain("weights below −1.00 (down to −5.45) are drawn full red");
  });
});

describe("sweep figures", () => {
  it("summarises the K losses", () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2], 0.25)).toBeCloseTo(1.25);
    const s = lossSummary(ROWS[2]);
    expect(s).toMatchObject({ best: 0.001, worst: 0.004, count: 2, diverged: 1 });
  });

  it("puts one regime cell per density, densest first", () => {
    const spec = sweepRegimePlot(ROWS);
    expect((spec.x as { domain: number[] }).domain).toEqual([1, 0.3, 0.05]);
    const [cells] = markGroups(plotElement(spec), "cell");
    expect(cells.querySelectorAll("rect")).toHaveLength(3);
  });

  it("draws the paper's regime above ours where compared, and marks where they differ", () => {
    const rows = [{ ...ROWS[0], paperRegime: "all-monosemantic" }, { ...ROWS[1], paperRegime: null }, { ...ROWS[2], paperRegime: "feature-pairs" }];
    const root = plotElement(sweepRegimePlot(rows));
    const [paper, ours] = markGroups(root, "cell").filter((g) => !g.classList.contains("differs"));
    expect([...paper.querySelectorAll("title")].map((t) => t.textContent)).toEqual(["Density 1, the paper: all neurons monosemantic", "Density 0.05, the paper: feature-pairs"]);
    expect(ours.querySelectorAll("rect")).toHaveLength(3);
    // Same regime, same colour: the paper's cell at density 1 matches ours.
    expect(paper.querySelector("rect")!.getAttribute("fill")).toBe(ours.querySelector("rect")!.getAttribute("fill"));
    // Only 0.05 differs (0.3 lies between the bands): one outline, on our cell there.
    const outlines = [...root.querySelectorAll("g.differs rect")];
    expect(outlines).toHaveLength(1);
    const centre = (r: Element) => Number(r.getAttribute("x")) + Number(r.getAttribute("width")) / 2;
    expect(centre(outlines[0])).toBeCloseTo(centre(ours.querySelectorAll("rect")[2]), 6);
    expect(sweepRegimePlot(rows).ariaDescription).toContain("Density 0.05: unlabelled: 4 features in 3 neurons, no monosemantic neuron (the paper: feature-pairs).");
  });

  it("labels the loss axis in one format, powers of ten, and draws the quartile box as wide as the column", () => {
    const root = plotElement(sweepLossPlot(ROWS));
    const labels = [...root.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent);
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l).toMatch(/^10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/);
    const box = markGroups(root, "bar")[0].querySelectorAll("rect");
    expect(box).toHaveLength(3);
    const x = (root as unknown as { scale(n: string): { bandwidth: number } }).scale("x");
    expect(Number(box[0].getAttribute("width"))).toBeCloseTo(x.bandwidth - 6, 0);
  });

  it("plots three count series and a loss summary per density", () => {
    const counts = plotElement(sweepCountsPlot(ROWS));
    expect(markGroups(counts, "dot")[0].querySelectorAll("path")).toHaveLength(9);
    const loss = plotElement(sweepLossPlot(ROWS));
    expect(markGroups(loss, "dot")[0].querySelectorAll("circle")).toHaveLength(3);
  });

  it("draws a dot per feature and density in the superposition grid", () => {
    const root = plotElement(superpositionSweepPlot(ROWS));
    const dots = markGroups(root, "dot").reduce((s, g) => s + g.querySelectorAll("circle").length, 0);
    expect(dots).toBe(3 * 4);
  });
});

describe("renderFigure (build-time SVG)", () => {
  it("gives every SVG a text alternative and keeps ids unique per figure", () => {
    const html = renderFigure(matrixPlot(W, { title: "Panel" }), { idPrefix: "m1" });
    expect(html).toMatch(/^<div class="plot-panel">/);
    expect(html).toContain('<p class="plot-title">Panel</p>');
    expect(html).not.toMatch(/<h[23]/);
    expect(html).toMatch(/<svg[^>]+role="img"/);
    expect(html).toMatch(/<svg[^>]+aria-label="Weight matrix W: 3 neurons by 4 features"/);
    expect(html).toContain('<desc id="m1-0-desc">');
    expect(html).toContain('aria-describedby="m1-0-desc"');
    // Width/height attributes stay (natural size); Plot's style lets the SVG shrink on small screens.
    expect(html).toMatch(/<svg[^>]+viewBox="0 0 \d+ \d+"/);
  });

  it("renders the same spec identically every time", () => {
    expect(renderFigure(stackPlot(W))).toBe(renderFigure(stackPlot(W)));
  });
});

describe("SVG snapshots", () => {
  const roles = ["monosemantic", "polysemantic", "polysemantic"] as const;
  it.each([
    ["matrix", () => matrixPlot(W, { roles: [...roles], showValues: true })],
    ["stack", () => stackPlot(W, { roles: [...roles] })],
    ["feature norms", () => featureNormsPlot({ norms: [1, 0.8, 0.5, 0.05], superposition: [0, 0.3, 1.4, 0], dropped: [3] })],
    ["weight legend", () => weightLegendPlot(0.9, { width: 200 })],
    ["feature legend", () => featureLegendPlot(4)],
    ["sweep regime", () => sweepRegimePlot(ROWS, { width: 400 })],
    ["sweep counts", () => sweepCountsPlot(ROWS, { width: 400 })],
    ["sweep loss", () => sweepLossPlot(ROWS, { width: 400 })],
    ["superposition sweep", () => superpositionSweepPlot(ROWS, { width: 400 })],
  ])("%s", (_name, make) => {
    expect(normalise(renderFigure(make(), { idPrefix: "snap" }))).toMatchSnapshot();
  });
});

describe("number formatting", () => {
  it("formats signs, densities and losses for prose and figures", () => {
    expect(formatSigned(-0.1234)).toBe("−0.12");
    expect(formatSigned(-0.001)).toBe("0.00");
    expect(formatDensity(0.15000000001)).toBe("0.15");
    expect(formatLoss(0.0123456)).toBe("0.0123");
    expect(formatLoss(0.000123)).toBe("1.23 × 10⁻⁴");
  });

  it("formats durations from a GPU run's seconds to a CPU run's hours", () => {
    expect([1.411, 5.586, 9.94, 9.96, 89.4, 130, 5312, 13971].map(formatDuration)).toEqual(
      ["1.4 s", "5.6 s", "9.9 s", "10 s", "89 s", "2.2 min", "88.5 min", "3.9 h"]);
  });
});

describe("site helpers (src/site) on a synthetic data file", () => {
  const relu = syntheticFile("relu-hidden", [
    { density: 1, W: MONO, losses: [0.05, 0.06] },
    { density: 0.3, W: THREE_IN_TWO, losses: [0.02, 0.025] },
    { density: 0.01, W: THREE_IN_TWO, losses: [0.001, 0.002] },
  ]);
  const linear = syntheticFile("linear-hidden", [
    { density: 1, W: MONO, losses: [0.05, 0.07] },
    { density: 0.3, W: THREE_IN_TWO, losses: [0.03, 0.04] },
  ]);

  it("analyses every level, keeps W's rows as in the file and gives the canonical order to draw them in", () => {
    const levels = analyseFile(relu);
    expect(levels.map((l) => l.analysis.regime.id)).toEqual(["all-monosemantic", "three-in-two", "three-in-two"]);
    // Rows stay the file's (so "n2" in a figure is row 2 of the data); only the drawing order changes.
    expect(levels[0].W).toEqual(MONO);
    // Canonical order: monosemantic neurons by their feature's importance (feature 0 on n0, 1 on n2, 2 on n1).
    expect(levels[0].order).toEqual([0, 2, 1]);
    expect(levels[0].roles).toEqual(["monosemantic", "monosemantic", "monosemantic"]);
    expect(levels[1].roles).toEqual(["monosemantic", "polysemantic", "polysemantic"]);
  });

  it("builds sweep rows densest first", () => {
    const rows = sweepRows(relu);
    expect(rows.map((r) => r.density)).toEqual([1, 0.3, 0.01]);
    expect(rows[0]).toMatchObject({ regime: "all-monosemantic", represented: 3, monosemantic: 3, polysemantic: 0 });
    expect(rows[0].dropped).toEqual([3]);
  });

  it("assigns trained levels to the paper's bands and shows a matching one where it exists", () => {
    const sel = selectBandLevels(relu);
    const byId = Object.fromEntries(sel.map((s) => [s.band.id, s]));
    expect(byId.dense.members.map((m) => m.level.density)).toEqual([1]);
    expect(byId.dense.shown?.level.density).toBe(1);
    expect(byId.dense.matching).toBe(1);
    expect(byId.moderate.shown?.level.density).toBe(0.3);
    expect(byId.d015.shown).toBeNull();
    expect(byId["very-sparse"].shown?.level.density).toBe(0.01);
    expect(byId["very-sparse"].matching).toBe(0);
    const text = (facts: Facts) => Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, formatFact(v)]));
    expect(text(bandFacts([byId.dense, byId["very-sparse"], byId.d015]))).toEqual({
      "band.dense.members": "1",
      "band.dense.matching": "1",
      "band.dense.others": "",
      "band.dense.paper": "all neurons monosemantic",
      "band.very-sparse.members": "0.01",
      "band.very-sparse.matching": "",
      "band.very-sparse.others": "“three features share two neurons” at density 0.01",
      "band.very-sparse.paper": "features are pairs of neurons",
      "band.d015.members": "",
      "band.d015.matching": "",
      "band.d015.others": "",
      "band.d015.paper": "five features in three neurons",
    });
  });

  it("gives each band's models, those with the paper's label and the others' labels, and lists the densities between the bands", () => {
    const file = syntheticFile("relu-hidden", [
      { density: 0.4, W: THREE_IN_TWO, losses: [0.02] },
      { density: 0.3, W: THREE_IN_TWO, losses: [0.02] },
      { density: 0.25, W: MONO, losses: [0.02] },
      { density: 0.17, W: THREE_IN_TWO, losses: [0.02] },
      { density: 0.13, W: MONO, losses: [0.02] },
    ]);
    const byId = Object.fromEntries(selectBandLevels(file).map((s) => [s.band.id, s]));
    expect(byId.moderate.why).toBe("2 of the 3 trained densities in the band carry the paper's label; showing the one nearest the band's middle");
    const moderate = bandFacts([byId.moderate]);
    expect(formatFact(moderate["band.moderate.matching"])).toBe("0.4 and 0.3");
    expect(formatFact(moderate["band.moderate.others"])).toBe("“all neurons monosemantic” at density 0.25");
    expect(levelsBetweenBands(file).map((l) => l.level.density)).toEqual([0.17, 0.13]);
    const between = buildFacts({ relu: file, linear: file });
    expect(formatFact(fact(between, "relu.betweenBandsLevels"), "words")).toBe("two");
    expect(formatFact(fact(between, "relu.betweenBands"))).toBe("“three features share two neurons” at density 0.17 and “all neurons monosemantic” at density 0.13");
    const one = syntheticFile("relu-hidden", [
      { density: 0.3, W: THREE_IN_TWO, losses: [0.02] },
      { density: 0.4, W: MONO, losses: [0.02] },
    ]);
    const sel = selectBandLevels(one).find((s) => s.band.id === "moderate")!;
    expect(bandFacts([sel])["band.moderate.members"]).toEqual({ kind: "densities", value: [0.4, 0.3] });
    expect(sel.why).toBe("1 of the 2 trained densities in the band carries the paper's label");
    expect(factSize(fact(buildFacts({ relu: one, linear: one }), "relu.betweenBands"))).toBe(0);
  });

  it("finds where the neurons turn polysemantic, where superposition is largest, and which model's loss is lower", () => {
    const poly = syntheticFile("relu-hidden", [
      { density: 1, W: MONO, losses: [0.05] },
      { density: 0.3, W: THREE_IN_TWO, losses: [0.02] },
      { density: 0.1, W: [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], losses: [0.01] },
      { density: 0.05, W: [[2, 0, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]], losses: [0.005] },
    ]);
    const levels = analyseFile(poly);
    expect(levels.map((a) => a.analysis.counts.monosemantic)).toEqual([3, 1, 0, 0]);
    const text = (facts: Facts) => Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, formatFact(v)]));
    expect(text(shiftFacts(levels))).toEqual({
      "relu.monoAtDensest": "3",
      "relu.monoAtSparsest": "0",
      "relu.sparsestDensity": "0.05",
      "relu.allPolyLevels": "2",
      "relu.lastMonoDensity": "0.3",
      "relu.allPolyFrom": "0.1",
    });
    const sup = superpositionFacts(levels);
    const largest = Math.max(...levels.flatMap((a) => a.analysis.superposition.filter((_, i) => !a.analysis.dropped.includes(i))));
    expect(sup["relu.superpositionMax"]).toEqual({ kind: "number", value: Number(largest.toFixed(1)) });
    expect(largest).toBeGreaterThan(1);
    const lin = syntheticFile("linear-hidden", [
      { density: 1, W: MONO, losses: [0.05] },
      { density: 0.1, W: MONO, losses: [0.002] },
      { density: 0.05, W: MONO, losses: [0.006] },
    ]);
    expect(text(lossComparisonFacts({ relu: poly, linear: lin }))).toEqual({
      "compare.commonDensities": "1, 0.1 and 0.05",
      "compare.linearLowerAt": "0.1",
      "compare.reluLowerAt": "0.05",
      "compare.lossRatioMin": "0.2",
      "compare.lossRatioMinDensity": "0.1",
    });
  });

  it("gives the population's claims: where the winner's regime is the commonest, and runs where nearly all models agree", () => {
    const level = (density: number, commonest: boolean, share: number) => ({ density, winnerRegimeIsCommonest: commonest, topConfiguration: { share } });
    const pop = [level(1, true, 1), level(0.75, true, 0.99), level(0.5, false, 0.4), level(0.3, true, 0.97), level(0.1, false, 0.2)] as never;
    const text = (facts: Facts) => Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, formatFact(v)]));
    expect(text(populationFacts(pop))).toEqual({
      "relu.population.levels": "5",
      "relu.population.winnerTypical": "1, 0.75 and 0.3",
      "relu.population.winnerRare": "0.5 and 0.1",
      "relu.population.uniform": "densities 1–0.75 and density 0.3",
      "relu.population.nearlyAll": "95",
    });
    expect(text(populationFacts(undefined))).toMatchObject({ "relu.population.levels": "0", "relu.population.uniform": "" });
  });

  it("says how many models come within 1% of the best, and where that is rare", () => {
    const spread = (best: number, near: number, K: number) => [best, ...Array.from({ length: K - 1 }, (_, k) => (k < near - 1 ? best * 1.005 : best * 2))];
    const file = syntheticFile("relu-hidden", [
      { density: 1, W: MONO, losses: spread(0.05, 180, 300) },
      { density: 0.3, W: THREE_IN_TWO, losses: spread(0.02, 3, 300) },
      { density: 0.1, W: THREE_IN_TWO, losses: spread(0.01, 3, 300) },
      { density: 0.05, W: THREE_IN_TWO, losses: spread(0.005, 1, 300) },
    ]);
    expect(nearBestCount(file.levels[0])).toBe(180);
    expect(nearBestCount(file.levels[3])).toBe(1);
    const text = (facts: Facts) => Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, formatFact(v)]));
    expect(text(nearBestFacts(file))).toEqual({
      "relu.nearBest.densest": "180",
      "relu.nearBest.rareFrom": "0.3",
      "relu.nearBest.rareMost": "3",
      "relu.nearBest.rareFewest": "1",
      "relu.nearBest.rareFewestAt": "0.05",
    });
    // No sparse run where at most 1% of the models come near the best: the first clause only.
    const easy = syntheticFile("relu-hidden", [
      { density: 1, W: MONO, losses: spread(0.05, 180, 200) },
      { density: 0.05, W: THREE_IN_TWO, losses: spread(0.005, 30, 200) },
    ]);
    expect(nearBestFacts(easy)["relu.nearBest.densest"]).toEqual({ kind: "count", value: 180 });
    expect(factSize(nearBestFacts(easy)["relu.nearBest.rareFewestAt"])).toBe(0);
  });

  it("compares the models at the sparsest common density where the ReLU model has a dedicated neuron", () => {
    expect(comparisonDensity(relu, linear)).toBe(0.3);
    // The sparsest common density's ReLU model has no neuron of its own (all features in one neuron):
    // the comparison goes to a denser one that has.
    const noneDedicated = syntheticFile("relu-hidden", [
      { density: 1, W: MONO, losses: [0.05] },
      { density: 0.3, W: THREE_IN_TWO, losses: [0.02] },
      { density: 0.1, W: [[1, 1, 1, 1], [0, 0.9, 0.9, 0], [0.9, 0, 0, 0.9]], losses: [0.01] },
    ]);
    const lin3 = syntheticFile("linear-hidden", [1, 0.3, 0.1].map((density) => ({ density, W: MONO, losses: [0.01] })));
    expect(analyseFile(noneDedicated).find((a) => a.level.density === 0.1)!.analysis.counts.monosemantic).toBe(0);
    expect(comparisonDensity(noneDedicated, lin3)).toBe(0.3);
    const other = syntheticFile("linear-hidden", [{ density: 0.5, W: MONO, losses: [0.1] }]);
    expect(() => comparisonDensity(relu, other)).toThrow(/share no density/);
    // Without a shared density, the closest pair in log-density is compared instead.
    const pair = comparisonLevels(relu, other);
    expect([pair.same, pair.relu.level.density, pair.linear.level.density]).toEqual([false, 0.3, 0.5]);
    expect(comparisonLevels(relu, linear).same).toBe(true);
  });

  it("names every number the text quotes, from the data", () => {
    const facts = buildFacts({ relu, linear });
    const f = (name: string) => formatFact(fact(facts, name));
    expect(f("relu.K")).toBe("2");
    expect(f("relu.steps")).toBe("10,000");
    expect(f("relu.importanceDecay")).toBe("0.75");
    expect(f("relu.densities")).toBe("1, 0.3 and 0.01");
    expect(f("relu.trainTime")).toBe("62.1 min");
    expect(f("relu.engineDetail")).toBe(relu.run.engine);
    const gpuRun = { ...relu.run, engine: "webgpu", kernel: { name: "private", workgroupSize: 64 }, gpuSeconds: 3.214 };
    expect(engineDetail(gpuRun)).toBe("webgpu: private kernel, 64-thread workgroups, 3.21 s of GPU time");
    expect(f("relu.createdAt")).toBe("2 January 2026");
    expect(f("relu.commit")).toBe("0123456789ab");
    expect(f("compare.density")).toBe("0.3");
    expect(f("relu.namedLevels")).toBe("3");
    // Worked from the synthetic file: MONO at density 1 keeps 3 of its 4 features, THREE_IN_TWO all 4.
    expect(f("relu.representedAtDensest")).toBe("3");
    expect(f("relu.densestDensity")).toBe("1");
    expect(f("relu.maxRepresented")).toBe("4");
    expect(f("relu.maxRepresentedDensity")).toBe("0.3"); // the densest of 0.3 and 0.01
    expect(f("relu.bestLossMax")).toBe(formatLoss(0.05));
    expect(f("relu.bestLossMin")).toBe(formatLoss(0.001));
    expect(f("relu.modelsTrained")).toBe("6"); // K = 2 × 3 levels
    expect(f("relu.diverged")).toBe("0");
    expect([f("relu.densityMax"), f("relu.densityMin")]).toEqual(["1", "0.01"]);
    expect([f("relu.lastFeature"), f("relu.importanceLast")]).toEqual(["3", "0.422"]); // 0.75³
    expect([f("relu.namedLevels"), f("relu.unlabelledLevels")]).toEqual(["3", "0"]);
    expect(formatFact(fact(facts, "relu.paperBands"), "words")).toBe("six");
    // One feature-sharing structure the paper does not name: all four features on one neuron.
    const odd = syntheticFile("relu-hidden", [
      { density: 1, W: MONO, losses: [0.05] },
      { density: 0.01, W: [[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]], losses: [0.001] },
    ]);
    expect(analyseFile(odd)[1].analysis.regime.id).toBe("unlabelled");
    const oddFacts = buildFacts({ relu: odd, linear });
    expect([oddFacts["relu.namedLevels"], oddFacts["relu.unlabelledLevels"]]).toEqual([{ kind: "count", value: 1 }, { kind: "count", value: 1 }]);
    expect(fact(facts, "relu.allMonoDensities")).toEqual({ kind: "densities", value: [1] });
    // Each kind is written one way: lists with "and", counts with separators, small counts in words.
    expect(formatFact({ kind: "densities", value: [0.5, 0.3, 0.05] })).toBe("0.5, 0.3 and 0.05");
    expect(formatFact({ kind: "densities", value: [0.5, 0.3, 0.05] }, "lengthWords")).toBe("three");
    expect(formatFact({ kind: "count", value: 21000 })).toBe("21,000");
    expect(formatFact({ kind: "labelledDensities", value: [{ label: "a", densities: [0.2] }, { label: "b", densities: [0.1, 0.09] }] })).toBe("“a” at density 0.2 and “b” at densities 0.1 and 0.09");
    expect(() => formatFact({ kind: "density", value: 0.1 }, "words")).toThrow(/needs a count/);
    expect(() => f("relu.nope")).toThrow(/no such fact/);
  });

});
