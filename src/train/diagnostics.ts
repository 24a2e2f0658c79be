// Checks that a trained experiment's winners are what they claim to be: the best arrangement known at
// their density. Two diagnostics, run after every level is selected (and standalone on a data file):
//   cross-evaluation: each level's winner on every other level's stage-2 sample (src/train/selection.ts),
//     paired with that level's own winner. A winner beaten on its own density's data by another
//     density's winner, by more than TIE_SE standard errors, is a selection or optimisation failure;
//   continuation: every other level's winner fine-tuned at each density (the same optimizer, for the
//     steps that density's models trained, on a training stream of its own, Purpose.continue), then
//     evaluated like the cross-evaluation. Where
//     the best continued model beats the from-scratch winner, training from scratch did not find the best
//     arrangement known, and the article says so.

import { stepsAt, type TrainConfig } from "../model/config.ts";
import { convergenceSteps, type DataFile, type Diagnostics } from "../data/schema.ts";
import { Purpose, streamKey } from "../model/rng.ts";
import { initialParams } from "./reference.ts";
import type { Evaluator } from "./evaluator-core.ts";
import { STAGE2_SIZE, TIE_SE, stage2Key, stage2Samples, type Stage2Size } from "./selection.ts";

/** A level's winner: its density and parameters (W row-major, then b). */
export interface Winner {
  density: number;
  params: ArrayLike<number>;
}

export interface PairedLoss {
  /** Mean loss on the sample (per feature, as the held-out loss). */
  loss: number;
  /** Mean of (this model's per-sample loss − the level's own winner's), and its standard error. */
  diff: number;
  se: number;
}

/** Each model of `models` on the stage-2 sample of `density`, paired with `own` (that level's winner). */
export async function pairedOnStage2(ev: Evaluator, config: TrainConfig, density: number, own: ArrayLike<number>, models: readonly ArrayLike<number>[], size = STAGE2_SIZE): Promise<PairedLoss[]> {
  const n = config.features;
  const sums = await ev.sums(density, stage2Key(config.seed, density), stage2Samples(density, n, size), models, own);
  return sums.map((s) => ({ loss: s.loss.mean / n, diff: s.diff!.mean / n, se: s.diff!.se / n }));
}

export interface CrossEvaluation {
  /** [a][b]: the winner of density a on the stage-2 sample of density b, against b's own winner. */
  table: PairedLoss[][];
  /** Pairs where a's winner beats b's own winner on b's data by more than TIE_SE standard errors. */
  failures: { winnerOf: number; on: number; diff: number; se: number }[];
}

export async function crossEvaluate(ev: Evaluator, config: TrainConfig, winners: readonly Winner[], size = STAGE2_SIZE): Promise<CrossEvaluation> {
  const columns: PairedLoss[][] = [];
  for (const own of winners) columns.push(await pairedOnStage2(ev, config, own.density, own.params, winners.map((w) => w.params), size));
  const table = winners.map((_, a) => winners.map((_, b) => columns[b][a]));
  const failures = table.flatMap((row, a) =>
    row.flatMap((cell, b) => (a !== b && cell.diff < -TIE_SE * cell.se ? [{ winnerOf: winners[a].density, on: winners[b].density, diff: cell.diff, se: cell.se }] : [])),
  );
  return { table, failures };
}

export interface Continuation extends PairedLoss {
  /** The density whose winner, fine-tuned here, did best. */
  from: number;
  /** Its parameters after fine-tuning (W row-major, then b). */
  params: Float64Array;
}

/**
 * At each density, every other level's winner fine-tuned for as many steps as that density's models
 * trained (stepsAt; fresh AdamW moments; the training stream of (seed, density, index of the source
 * level, Purpose.continue)); returns, per density, the continued model with the lowest stage-2 loss,
 * paired with the level's own winner.
 */
export async function continueWinners(ev: Evaluator, config: TrainConfig, winners: readonly Winner[], size = STAGE2_SIZE): Promise<Continuation[]> {
  const out: Continuation[] = [];
  for (const [b, own] of winners.entries()) {
    const sources = winners.flatMap((w, a) => (a === b ? [] : [{ a, w }]));
    const steps = stepsAt(config, own.density);
    const tuned = (await ev.trainFrom(own.density, sources.map(({ a, w }) => ({ start: w.params, key: streamKey(config.seed, own.density, a, Purpose.continue) })), [steps])).map(([p]) => p);
    const scored = await pairedOnStage2(ev, config, own.density, own.params, tuned, size);
    let best = 0;
    scored.forEach((s, k) => s.loss < scored[best].loss && (best = k));
    out.push({ ...scored[best], from: winners[sources[best].a].density, params: tuned[best] });
  }
  return out;
}

/** The convergence diagnostic's sample: step multiples of each level's steps, and models per level. */
export interface ConvergenceOptions {
  /** Read each model after its level's steps × each factor (ascending, the first 1). */
  factors: readonly number[];
  /** The best stage-2 candidates, winner first. */
  leading: number;
  /** Models spread evenly over the level's indices (skipping the leading ones): what a typical model does. */
  spread: number;
}
export const CONVERGENCE: ConvergenceOptions = { factors: [1, 2, 4], leading: 8, spread: 8 };

/** The models the convergence diagnostic samples at a level: leading candidates first, then spread ones. */
export function convergenceSample(level: Pick<DataFile["levels"][number], "selection" | "modelLosses">, K: number, o: ConvergenceOptions = CONVERGENCE): { models: number[]; leading: number } {
  const sel = level.selection;
  if (!sel) throw new Error("the convergence diagnostic needs schema 2 levels (a recorded selection)");
  const byLoss = [...sel.candidates].sort((x, y) => x.loss - y.loss || x.model - y.model).map((c) => c.model);
  const leading = [sel.winner, ...byLoss.filter((k) => k !== sel.winner)].slice(0, o.leading);
  const spread: number[] = [];
  for (let j = 0; j < Math.min(K, o.spread); j++) {
    // Evenly spaced indices, moved to the next free one when taken; diverged models are skipped.
    let k = Math.floor((j * K) / Math.min(K, o.spread));
    while (k < K && (leading.includes(k) || spread.includes(k) || level.modelLosses?.[k] === null)) k++;
    if (k < K) spread.push(k);
  }
  return { models: [...leading, ...spread], leading: leading.length };
}

type ConvergenceBlock = NonNullable<Diagnostics["convergence"]>;
export type ConvergenceLevel = ConvergenceBlock["levels"][number];

/**
 * Whether a level's steps are enough: a sample of its models (convergenceSample) retrained from their
 * seeded initialisation on their own training streams and read at the level's steps (stepsAt) × each
 * factor (one run each: the learning rate is constant and the stream counted by step, so the first
 * reading is the model the file holds), each reading scored on the level's stage-2 sample paired with
 * the level's winner. The entry records its steps where they are not config.steps (schema 3).
 */
export async function convergenceLevel(ev: Evaluator, config: TrainConfig, level: DataFile["levels"][number], o: ConvergenceOptions = CONVERGENCE, size: Stage2Size = STAGE2_SIZE): Promise<ConvergenceLevel> {
  const { neurons: m, features: n, modelsPerLevel: K } = config;
  const own = winnersOf({ levels: [level] })[0].params;
  const levelSteps = stepsAt(config, level.density);
  const steps = o.factors.map((f) => f * levelSteps);
  const { models, leading } = convergenceSample(level, K, o);
  const runs = await ev.trainFrom(level.density, models.map((k) => ({ start: initialParams(config, level.density, k), key: streamKey(config.seed, level.density, k, Purpose.train) })), steps);
  const scored = await pairedOnStage2(ev, config, level.density, own, runs.flat(), size);
  const losses = models.map((_, k) => scored.slice(k * steps.length, (k + 1) * steps.length));
  let best = 0;
  losses.forEach((row, k) => row[steps.length - 1].loss < losses[best][steps.length - 1].loss && (best = k));
  const winnerRun = runs[models.indexOf(level.selection!.winner)][0];
  const last = runs[best][steps.length - 1];
  return {
    density: level.density, ...(levelSteps !== config.steps && { steps }), models, leading,
    reproduction: winnerRun.reduce((mx, v, i) => Math.max(mx, Math.abs(v - own[i])), 0),
    losses,
    best: { model: models[best], W: Array.from({ length: m }, (_, j) => Array.from(last.subarray(j * n, (j + 1) * n))), b: Array.from(last.subarray(m * n, m * n + n)) },
  };
}

/** The convergence block of a file's levels; `known` holds entries computed earlier (a checkpoint's, by
 *  density), which are kept, and `priorSeconds` the time they took. */
export async function convergence(
  ev: Evaluator, data: Pick<DataFile, "config" | "levels">, o: ConvergenceOptions = CONVERGENCE, size: Stage2Size = STAGE2_SIZE,
  known: ReadonlyMap<number, ConvergenceLevel> = new Map(), priorSeconds = 0,
): Promise<ConvergenceBlock> {
  const t0 = performance.now();
  const levels: ConvergenceLevel[] = [];
  for (const level of data.levels) levels.push(known.get(level.density) ?? (await convergenceLevel(ev, data.config, level, o, size)));
  return { steps: o.factors.map((f) => f * data.config.steps), levels, seconds: Math.round(priorSeconds * 100 + (performance.now() - t0) / 10) / 100 };
}

/** A data file's winners, in level order. */
export function winnersOf(data: Pick<DataFile, "levels">): Winner[] {
  return data.levels.map((l) => ({ density: l.density, params: Float64Array.from([...l.best.W.flat(), ...l.best.b]) }));
}

/**
 * Both diagnostics for a data file's winners, as its `diagnostics` block; `log` hears about every
 * failure of the cross-evaluation and every level where a continued model beats the winner.
 */
export async function diagnose(
  ev: Evaluator, data: Pick<DataFile, "config" | "levels">, log: (line: string) => void = () => {}, size: Stage2Size = STAGE2_SIZE, converge: ConvergenceOptions | false = CONVERGENCE,
  known?: { levels: ReadonlyMap<number, ConvergenceLevel>; seconds: number },
): Promise<Diagnostics> {
  const t0 = performance.now();
  const { config } = data;
  const { neurons: m, features: n } = config;
  const winners = winnersOf(data);
  const cross = await crossEvaluate(ev, config, winners, size);
  for (const f of cross.failures) {
    log(`cross-evaluation: the winner of density ${f.winnerOf} beats the winner of ${f.on} on ${f.on}'s data by ${(-f.diff).toExponential(2)} ± ${f.se.toExponential(1)} (a selection or optimisation failure at ${f.on})`);
  }
  const continued = await continueWinners(ev, config, winners, size);
  continued.forEach((c, b) => {
    if (c.diff < -TIE_SE * c.se) log(`continuation: at density ${winners[b].density}, the winner of ${c.from} fine-tuned there beats the from-scratch winner by ${(-c.diff).toExponential(2)} ± ${c.se.toExponential(1)}`);
  });
  const conv = converge && (await convergence(ev, data, converge, size, known?.levels, known?.seconds));
  if (conv) logConvergence(conv, log);
  return {
    crossEval: cross.table.map((row) => row.map(({ loss, diff, se }) => ({ loss, diff, se }))),
    failures: cross.failures,
    continuation: {
      steps: config.steps,
      levels: continued.map((c, b) => ({
        density: winners[b].density, from: c.from, ...(stepsAt(config, winners[b].density) !== config.steps && { steps: stepsAt(config, winners[b].density) }), loss: c.loss, diff: c.diff, se: c.se,
        W: Array.from({ length: m }, (_, j) => Array.from(c.params.subarray(j * n, (j + 1) * n))),
        b: Array.from(c.params.subarray(m * n, m * n + n)),
      })),
    },
    ...(conv && { convergence: conv }),
    seconds: Math.round((performance.now() - t0) / 10) / 100,
  };
}

/** One line per level where a sampled model trained longer beats the winner beyond TIE_SE errors. */
export function logConvergence(conv: NonNullable<Diagnostics["convergence"]>, log: (line: string) => void): void {
  const last = conv.steps.length - 1;
  for (const [k, c] of conv.levels.entries()) {
    const b = c.losses[c.models.indexOf(c.best.model)][last];
    if (b.diff < -TIE_SE * b.se) log(`convergence: at density ${c.density}, model ${c.best.model} trained ${convergenceSteps(conv, k)[last].toLocaleString("en")} steps beats the winner by ${(-b.diff).toExponential(2)} ± ${b.se.toExponential(1)} (${((-100 * b.diff) / (b.loss - b.diff)).toFixed(2)} %)`);
  }
}
