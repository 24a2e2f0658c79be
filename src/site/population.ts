// The whole population of a data file (every one of the K models of every level, from its population
// file), analysed at build time exactly as the winners are (src/analysis), and summarised per level: how
// the K models divide among the regimes and among weight configurations, which regime the winner has,
// and the best loss reached inside each regime. These are what the paper's claims about "typical" and
// "all" models are tested against. Pure functions of the data; the build reads the file (content.ts).

import { analyse, type Analysis, type RegimeId } from "../analysis/index.ts";
import type { DataFile } from "../data/schema.ts";
import { levelParams, type Population } from "../data/population.ts";
import { separatorGeometry } from "../analysis/geometry.ts";

/** "(Nearly) all K models share one configuration": at least this share of the finished models. */
export const NEARLY_ALL = 0.95;

export interface RegimeShare {
  id: RegimeId;
  /** Models of the level in this regime (diverged models are in none). */
  count: number;
  share: number;
  /** The lowest held-out (stage-1) loss among them. */
  bestLoss: number;
  /** The lowest stage-2 loss among them, if any of them was a stage-2 candidate. */
  bestStage2?: number;
}

export interface LevelPopulation {
  density: number;
  /** Finished (non-diverged) models. */
  finished: number;
  /** Regimes by count, most common first. */
  regimes: RegimeShare[];
  winnerRegime: RegimeId;
  /** The winner's regime is the most common one (ties for most common count as most common). */
  winnerRegimeIsCommonest: boolean;
  /** The most common weight configuration (which neurons store which feature, up to relabelling the
   *  neurons), its share, and whether the winner has it. */
  topConfiguration: { key: string; count: number; share: number; winnerHasIt: boolean };
  /** Distinct configurations among the finished models. */
  configurations: number;
  /** Models tied with the winner in stage 2 (the winner included), and how many share its regime. */
  tied: { count: number; sameRegime: number };
  /** For the regimes whose paper description has a separator neuron (six in four, eight in five): how
   *  many models of each have one, and how many of those have each group's code (separatorCounts). */
  separators?: SeparatorCount[];
}

export interface SeparatorCount {
  regime: RegimeId;
  models: number;
  /** With a neuron that splits the block in two (separatorGeometry)… */
  split: number;
  /** …that separates the important features from the unimportant ones… */
  separated: number;
  /** …whose important features form a leave-one-out code over the other neurons… */
  leaveOneOut: number;
  /** …and whose unimportant features each pair the separator with a different neuron. */
  pairsWithSeparator: number;
}

const SEPARATOR_REGIMES: readonly RegimeId[] = ["six-in-four", "eight-in-five"];

/** Per level, the separator geometry of every six-in-four and eight-in-five model of the population. */
export function separatorCounts(data: Pick<DataFile, "config" | "levels">, pop: Population, analyses: (Analysis | null)[][]): SeparatorCount[][] {
  const { neurons: m, features: n } = data.config;
  const P = m * n + n;
  return data.levels.map((level, li) => {
    const all = levelParams(pop, pop.header.densities.indexOf(level.density));
    return SEPARATOR_REGIMES.flatMap((regime) => {
      const c: SeparatorCount = { regime, models: 0, split: 0, separated: 0, leaveOneOut: 0, pairsWithSeparator: 0 };
      analyses[li].forEach((a, k) => {
        if (a?.regime.id !== regime) return;
        c.models++;
        const W = Array.from({ length: m }, (_, j) => Array.from(all.subarray(k * P + j * n, k * P + (j + 1) * n)));
        const g = separatorGeometry(a, W);
        if (!g) return;
        c.split++;
        if (!g.byImportance) return;
        c.separated++;
        if (g.leaveOneOut) c.leaveOneOut++;
        if (g.pairsWithSeparator) c.pairsWithSeparator++;
      });
      return c.models ? [c] : [];
    });
  });
}

/**
 * A model's configuration: each feature's code (the neurons storing it) up to a permutation of the
 * neurons, as the smallest encoding over all permutations (m ≤ 7; for larger m, in the analysis's
 * canonical neuron order, which may split configurations that differ only by a tie in that order).
 */
export function configurationKey(a: Pick<Analysis, "codes" | "neurons" | "order">): string {
  const encode = (position: readonly number[]) => a.codes.map((code) => code.map((j) => position[j]).sort((x, y) => x - y).join(".")).join("|");
  if (a.neurons > 7) return encode(inverse(a.order));
  let best: string | undefined;
  for (const p of permutations(a.neurons)) {
    const key = encode(p);
    if (best === undefined || key < best) best = key;
  }
  return best!;
}

function inverse(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((j, pos) => (inv[j] = pos));
  return inv;
}

function* permutations(m: number): Generator<number[]> {
  const p = [...Array(m).keys()];
  const c = new Array<number>(m).fill(0);
  yield [...p];
  // Heap's algorithm.
  let i = 0;
  while (i < m) {
    if (c[i] < i) {
      const k = i % 2 === 0 ? 0 : c[i];
      [p[k], p[i]] = [p[i], p[k]];
      yield [...p];
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

/** Every finished model of every level, analysed; `analyses[li][k]` is null for a diverged model. */
export function analysePopulation(data: Pick<DataFile, "config" | "levels">, pop: Population): (Analysis | null)[][] {
  const { neurons: m, features: n, modelsPerLevel: K, importance } = data.config;
  const P = m * n + n;
  return data.levels.map((level) => {
    const at = pop.header.densities.indexOf(level.density);
    if (at < 0) throw new Error(`the population has no level at density ${level.density}`);
    const all = levelParams(pop, at);
    return Array.from({ length: K }, (_, k) => {
      if (level.modelLosses?.[k] === null) return null;
      const p = all.subarray(k * P, (k + 1) * P);
      const W = Array.from({ length: m }, (_, j) => Array.from(p.subarray(j * n, (j + 1) * n)));
      return analyse(W, Array.from(p.subarray(m * n)), { importance });
    });
  });
}

/** Per level, the population's regimes and configurations (see LevelPopulation). */
export function summarisePopulation(data: Pick<DataFile, "config" | "levels">, analyses: (Analysis | null)[][]): LevelPopulation[] {
  return data.levels.map((level, li) => {
    const models = analyses[li];
    const losses = level.modelLosses ?? [];
    const stage2 = new Map((level.selection?.candidates ?? []).map((c) => [c.model, c.loss]));
    const byRegime = new Map<RegimeId, RegimeShare>();
    const byConfig = new Map<string, number>();
    const keys: (string | null)[] = models.map((a) => (a ? configurationKey(a) : null));
    let finished = 0;
    models.forEach((a, k) => {
      if (!a) return;
      finished++;
      const r = byRegime.get(a.regime.id) ?? { id: a.regime.id, count: 0, share: 0, bestLoss: Infinity };
      r.count++;
      const loss = losses[k];
      if (loss !== null && loss !== undefined && loss < r.bestLoss) r.bestLoss = loss;
      const s2 = stage2.get(k);
      if (s2 !== undefined && (r.bestStage2 === undefined || s2 < r.bestStage2)) r.bestStage2 = s2;
      byRegime.set(a.regime.id, r);
      byConfig.set(keys[k]!, (byConfig.get(keys[k]!) ?? 0) + 1);
    });
    const regimes = [...byRegime.values()].map((r) => ({ ...r, share: r.count / finished })).sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
    const winner = level.best.model!;
    const winnerRegime = models[winner]!.regime.id;
    const [topKey, topCount] = [...byConfig.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    const tied = level.selection?.tied ?? [winner];
    return {
      density: level.density,
      finished,
      regimes,
      winnerRegime,
      winnerRegimeIsCommonest: byRegime.get(winnerRegime)!.count === regimes[0].count,
      topConfiguration: { key: topKey, count: topCount, share: topCount / finished, winnerHasIt: keys[winner] === topKey },
      configurations: byConfig.size,
      tied: { count: tied.length, sameRegime: tied.filter((k) => models[k]?.regime.id === winnerRegime).length },
    };
  });
}

/** The paper's two claims about whole populations, in numbers. */
export interface PopulationClaims {
  /** Densities where the winner's regime is also the most common regime among the K models. */
  winnerIsTypical: number[];
  /** Densities where it is not. */
  winnerIsRare: number[];
  /** Runs of consecutive levels (densest first) where (nearly) all models share one configuration. */
  uniformRanges: { from: number; to: number; levels: number }[];
}

export function populationClaims(summary: readonly LevelPopulation[]): PopulationClaims {
  const uniformRanges: PopulationClaims["uniformRanges"] = [];
  let run: LevelPopulation[] = [];
  const flush = () => {
    if (run.length) uniformRanges.push({ from: run[0].density, to: run.at(-1)!.density, levels: run.length });
    run = [];
  };
  for (const l of summary) {
    if (l.topConfiguration.share >= NEARLY_ALL) run.push(l);
    else flush();
  }
  flush();
  return {
    winnerIsTypical: summary.filter((l) => l.winnerRegimeIsCommonest).map((l) => l.density),
    winnerIsRare: summary.filter((l) => !l.winnerRegimeIsCommonest).map((l) => l.density),
    uniformRanges,
  };
}
