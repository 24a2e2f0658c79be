// The whole population's analysis (src/site/population.ts) on synthetic populations whose regimes and
// configurations are known by construction, and the figures that draw it.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../src/model/config.ts";
import { POPULATION_SCHEMA, type Population } from "../src/data/population.ts";
import { analyse } from "../src/analysis/index.ts";
import { NEARLY_ALL, analysePopulation, configurationKey, populationClaims, summarisePopulation } from "../src/site/population.ts";
import { crossEvalPlot, populationPlot } from "../src/figures/population.ts";
import { renderFigure } from "../src/figures/render.ts";

const m = 5, n = 10, P = m * n + n;
/** Five monosemantic neurons for the five most important features, neurons listed in `perm` order. */
function monosemantic(perm: number[] = [0, 1, 2, 3, 4]): Float32Array {
  const p = new Float32Array(P);
  perm.forEach((j, i) => (p[j * n + i] = 1));
  for (let i = 0; i < n; i++) p[m * n + i] = -0.05;
  return p;
}
/** Every feature stored by a pair of neurons: feature i on neurons (i mod 5) and ((i + 1) mod 5)… the
 *  ten distinct pairs of five neurons. */
function pairs(): Float32Array {
  const p = new Float32Array(P);
  const all: [number, number][] = [];
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) all.push([a, b]);
  all.forEach(([a, b], i) => {
    p[a * n + i] = 1;
    p[b * n + i] = 1;
  });
  for (let i = 0; i < n; i++) p[m * n + i] = -1;
  return p;
}

describe("configurationKey", () => {
  it("is the same for any relabelling of the neurons, and differs between configurations", () => {
    const key = (p: Float32Array) => {
      const W = Array.from({ length: m }, (_, j) => Array.from(p.subarray(j * n, (j + 1) * n)));
      return configurationKey(analyse(W, Array.from(p.subarray(m * n)), { importance: defaultConfig().importance }));
    };
    const a = key(monosemantic()), b = key(monosemantic([4, 2, 0, 3, 1])), c = key(pairs());
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });
});

describe("summarisePopulation", () => {
  // Two levels of K = 20: at density 1, 19 monosemantic models (neurons relabelled at random) and one
  // pair code; the winner (model 3) is monosemantic. At 0.02, 12 pair codes and 8 monosemantic; one
  // diverged; the winner (model 5) is monosemantic, tied in stage 2 with model 9 (pairs).
  const config = defaultConfig({ modelsPerLevel: 20 });
  const level = (models: Float32Array[]) => models.flatMap((p) => Array.from(p));
  const l1 = Array.from({ length: 20 }, (_, k) => (k === 7 ? pairs() : monosemantic([k % 5, (k + 1) % 5, (k + 2) % 5, (k + 3) % 5, (k + 4) % 5])));
  const l2 = Array.from({ length: 20 }, (_, k) => (k < 8 ? monosemantic() : pairs()));
  l2[19] = new Float32Array(P).fill(NaN);
  const pop: Population = {
    header: { schema: POPULATION_SCHEMA, model: "relu-hidden", config, densities: [1, 0.02], params: P, diverged: [[], [19]] },
    data: Float32Array.from([...level(l1), ...level(l2)]),
  };
  const losses = (best: number) => Array.from({ length: 20 }, (_, k) => (k === best ? 0.001 : 0.002 + k / 1e4));
  const ml2 = losses(5).map((l, k) => (k === 19 ? null : l));
  const data = {
    config,
    levels: [
      { density: 1, losses: [], diverged: 0, modelLosses: losses(3), best: { model: 3, loss: 0.001, W: [], b: [] }, selection: { candidates: [{ model: 3, loss: 0.0011, se: 1e-5 }, { model: 7, loss: 0.0025, se: 1e-5 }], tied: [3] } },
      { density: 0.02, losses: [], diverged: 1, modelLosses: ml2, best: { model: 5, loss: 0.001, W: [], b: [] }, selection: { candidates: [{ model: 5, loss: 0.0011, se: 1e-5 }, { model: 9, loss: 0.00111, se: 1e-5 }], tied: [5, 9] } },
    ],
  } as never;
  const summary = summarisePopulation(data, analysePopulation(data, pop));

  it("counts each level's models by regime and configuration, ignoring diverged ones", () => {
    const [a, b] = summary;
    expect(a.finished).toBe(20);
    expect(a.regimes.map((r) => [r.id, r.count])).toEqual([["all-monosemantic", 19], ["feature-pairs", 1]]);
    expect(a.winnerRegime).toBe("all-monosemantic");
    expect(a.winnerRegimeIsCommonest).toBe(true);
    expect(a.topConfiguration).toMatchObject({ count: 19, share: 0.95, winnerHasIt: true });
    expect(a.configurations).toBe(2);
    expect(b.finished).toBe(19);
    expect(b.regimes.map((r) => [r.id, r.count])).toEqual([["feature-pairs", 11], ["all-monosemantic", 8]]);
    expect(b.winnerRegimeIsCommonest).toBe(false);
    expect(b.tied).toEqual({ count: 2, sameRegime: 1 });
  });

  it("keeps each regime's best held-out loss and best stage-2 loss", () => {
    const pairsAt1 = summary[0].regimes.find((r) => r.id === "feature-pairs")!;
    expect(pairsAt1.bestLoss).toBeCloseTo(0.002 + 7 / 1e4, 12);
    expect(pairsAt1.bestStage2).toBe(0.0025);
    const monoAt002 = summary[1].regimes.find((r) => r.id === "all-monosemantic")!;
    expect(monoAt002.bestLoss).toBe(0.001);
    expect(summary[1].regimes.find((r) => r.id === "feature-pairs")!.bestStage2).toBe(0.00111);
  });

  it("tests the paper's two claims: the winner's regime is the commonest at density 1 only; 95% share one configuration at density 1", () => {
    const claims = populationClaims(summary);
    expect(claims.winnerIsTypical).toEqual([1]);
    expect(claims.winnerIsRare).toEqual([0.02]);
    expect(NEARLY_ALL).toBe(0.95);
    expect(claims.uniformRanges).toEqual([{ from: 1, to: 1, levels: 1 }]);
  });
});

describe("figures", () => {
  it("the population plot draws one segment per (density, regime) spanning its share, and rings the winner's regime", () => {
    const rows = [
      { density: 1, regimes: [{ id: "all-monosemantic", share: 0.75, count: 750 }, { id: "unlabelled", share: 0.25, count: 250 }], winnerRegime: "all-monosemantic", phrases: {} },
      { density: 0.1, regimes: [{ id: "eight-in-five", share: 1, count: 1000 }], winnerRegime: "eight-in-five", phrases: {} },
    ];
    const svg = renderFigure(populationPlot(rows), { idPrefix: "t" });
    expect((svg.match(/<rect/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(svg).toContain("750 models (75.0%)");
    expect(svg).toContain("the winner's regime");
    expect((svg.match(/<circle/g) ?? []).length).toBe(2);
  });

  it("the cross-evaluation plot outlines exactly the failures", () => {
    const cells = [1, 0.5].flatMap((a) => [1, 0.5].map((b) => ({ winnerOf: a, on: b, relative: a === b ? 0 : a === 1 ? -0.05 : 0.1, z: a === b ? 0 : a === 1 ? -6 : 9, failure: a === 1 && b === 0.5 })));
    const svg = renderFigure(crossEvalPlot(cells), { idPrefix: "x" });
    expect(svg).toContain("winner of 1 on the data of 0.5: -5.00% (-6.0 SE) — better than the own winner");
    expect((svg.match(/stroke-width="2"/g) ?? []).length).toBe(1);
  });
});
