// Checks that a trained experiment's winners are what they claim to be: the best arrangement known at
// their density. Two diagnostics, run after every level is selected (and standalone on a data file):
//   cross-evaluation: each level's winner on every other level's stage-2 sample (src/train/selection.ts),
//     paired with that level's own winner. A winner beaten on its own density's data by another
//     density's winner, by more than TIE_SE standard errors, is a selection or optimisation failure;
//   continuation: every other level's winner fine-tuned at each density (the same optimizer and steps,
//     on a training stream of its own, Purpose.continue), then evaluated like the cross-evaluation. Where
//     the best continued model beats the from-scratch winner, training from scratch did not find the best
//     arrangement known, and the article says so.

import type { TrainConfig } from "../model/config.ts";
import type { DataFile, Diagnostics } from "../data/schema.ts";
import { Purpose, streamKey } from "../model/rng.ts";
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
 * At each density, every other level's winner fine-tuned for `steps` steps (fresh AdamW moments; the
 * training stream of (seed, density, index of the source level, Purpose.continue)); returns, per
 * density, the continued model with the lowest stage-2 loss, paired with the level's own winner.
 */
export async function continueWinners(ev: Evaluator, config: TrainConfig, winners: readonly Winner[], steps = config.steps, size = STAGE2_SIZE): Promise<Continuation[]> {
  const out: Continuation[] = [];
  for (const [b, own] of winners.entries()) {
    const sources = winners.flatMap((w, a) => (a === b ? [] : [{ a, w }]));
    const tuned = await ev.trainFrom(own.density, sources.map(({ a, w }) => ({ start: w.params, key: streamKey(config.seed, own.density, a, Purpose.continue) })), steps);
    const scored = await pairedOnStage2(ev, config, own.density, own.params, tuned, size);
    let best = 0;
    scored.forEach((s, k) => s.loss < scored[best].loss && (best = k));
    out.push({ ...scored[best], from: winners[sources[best].a].density, params: tuned[best] });
  }
  return out;
}

/** A data file's winners, in level order. */
export function winnersOf(data: Pick<DataFile, "levels">): Winner[] {
  return data.levels.map((l) => ({ density: l.density, params: Float64Array.from([...l.best.W.flat(), ...l.best.b]) }));
}

/**
 * Both diagnostics for a data file's winners, as its `diagnostics` block; `log` hears about every
 * failure of the cross-evaluation and every level where a continued model beats the winner.
 */
export async function diagnose(ev: Evaluator, data: Pick<DataFile, "config" | "levels">, log: (line: string) => void = () => {}, size: Stage2Size = STAGE2_SIZE): Promise<Diagnostics> {
  const t0 = performance.now();
  const { config } = data;
  const { neurons: m, features: n } = config;
  const winners = winnersOf(data);
  const cross = await crossEvaluate(ev, config, winners, size);
  for (const f of cross.failures) {
    log(`cross-evaluation: the winner of density ${f.winnerOf} beats the winner of ${f.on} on ${f.on}'s data by ${(-f.diff).toExponential(2)} ± ${f.se.toExponential(1)} (a selection or optimisation failure at ${f.on})`);
  }
  const continued = await continueWinners(ev, config, winners, config.steps, size);
  continued.forEach((c, b) => {
    if (c.diff < -TIE_SE * c.se) log(`continuation: at density ${winners[b].density}, the winner of ${c.from} fine-tuned there beats the from-scratch winner by ${(-c.diff).toExponential(2)} ± ${c.se.toExponential(1)}`);
  });
  return {
    crossEval: cross.table.map((row) => row.map(({ loss, diff, se }) => ({ loss, diff, se }))),
    failures: cross.failures,
    continuation: {
      steps: config.steps,
      levels: continued.map((c, b) => ({
        density: winners[b].density, from: c.from, loss: c.loss, diff: c.diff, se: c.se,
        W: Array.from({ length: m }, (_, j) => Array.from(c.params.subarray(j * n, (j + 1) * n))),
        b: Array.from(c.params.subarray(m * n, m * n + n)),
      })),
    },
    seconds: Math.round((performance.now() - t0) / 10) / 100,
  };
}
