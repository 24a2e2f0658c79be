// Picking each level's winner with a stated confidence. The held-out loss of a model is an average over
// random draws, so "the lowest loss" on one sample is partly luck: at density 0.01 the standard error of a
// 32,768-draw estimate is ~18 %, far more than the gaps between the best models. Selection therefore runs
// in two stages, each on one sample shared by every model it compares (common random numbers: the
// differences between models then carry much less noise than the losses themselves):
//   stage 1: every model on the level's held-out sample (the trainer's evaluation). Models whose loss is
//            within CANDIDATE_Z paired standard errors of the stage-1 best could be the true best, and go
//            on, with never fewer than MIN_CANDIDATES (the lowest by loss);
//   stage 2: the candidates on one much larger sample from a stream of its own (Purpose.select), sized
//            by density: at least 2^22 draws and 4·10⁶ present features in expectation. The winner is the
//            stage-2 best; the runner-up is the second; their paired difference and its standard error
//            say whether the win is clear or a statistical tie (within TIE_SE standard errors).
// The statistics are plain functions of per-sample sums (tested against a direct computation); the sums
// come from an Evaluator (src/train/evaluator.ts): the SIMD kernel, block by block, in worker threads.

import type { Stage2Size, TrainConfig } from "../model/config.ts";
import { Purpose, SHARED_MODEL, streamKey, type StreamKey } from "../model/rng.ts";
import { SAMPLE_BLOCK } from "./simd/simd-codegen.ts";
import { Moments, type SumsEvaluator } from "./evaluator-core.ts";

/** Candidates are kept within this many paired standard errors of the stage-1 best. */
export const CANDIDATE_Z = 3;
/** Stage 2 always re-evaluates at least this many models (or all K, if fewer). */
export const MIN_CANDIDATES = 32;
/** A win by less than this many paired standard errors is a statistical tie. */
export const TIE_SE = 2;
/** Stage-2 sample size: at least this many draws … */
export const STAGE2_MIN_DRAWS = 2 ** 22;
/** … and at least this many present features in expectation (≈ 4·10⁷ draws at density 0.01, n = 10). */
export const STAGE2_MIN_PRESENT = 4e6;

/** How large stage-2 samples are: the defaults above; an experiment may declare others
 *  (config.stage2), tests use smaller ones. */
export type { Stage2Size };
export const STAGE2_SIZE: Stage2Size = { minDraws: STAGE2_MIN_DRAWS, minPresent: STAGE2_MIN_PRESENT };

/** Draws of the stage-2 sample at `density` with n features: whole blocks of SAMPLE_BLOCK draws. */
export function stage2Samples(density: number, n: number, size: Stage2Size = STAGE2_SIZE): number {
  const draws = Math.max(size.minDraws, Math.ceil(size.minPresent / (n * density)));
  return Math.ceil(draws / SAMPLE_BLOCK) * SAMPLE_BLOCK;
}

export { Moments } from "./evaluator-core.ts";

export interface PairedStat {
  model: number;
  /** Mean of (this model's per-sample loss − the reference model's), per feature (÷ n, as the loss). */
  diff: number;
  se: number;
}

/**
 * The stage-2 candidates: models whose stage-1 loss is at most CANDIDATE_Z paired standard errors above
 * the stage-1 best's (`paired[k]`: model k minus the best, on the stage-1 sample), and at least the
 * MIN_CANDIDATES lowest; ordered by stage-1 loss (then index). Models with a null loss (diverged) never.
 */
export function stage2Candidates(losses: readonly (number | null)[], paired: readonly (PairedStat | null)[], min = MIN_CANDIDATES, z = CANDIDATE_Z): number[] {
  const ranked = losses
    .map((loss, model) => ({ model, loss }))
    .filter((x): x is { model: number; loss: number } => x.loss !== null && Number.isFinite(x.loss))
    .sort((a, b) => a.loss - b.loss || a.model - b.model);
  return ranked
    .filter(({ model }, rank) => {
      if (rank < min) return true;
      const p = paired[model];
      // Without a paired estimate, keep it: dropping the true best is the one error to avoid.
      return !p || !Number.isFinite(p.se) || p.diff <= z * p.se;
    })
    .map((x) => x.model);
}

export interface Stage2Result {
  samples: number;
  /** Per candidate, in candidate order: its stage-2 loss and that loss's standard error. */
  candidates: { model: number; loss: number; se: number }[];
  winner: number;
  runnerUp: number | null;
  /** Candidates against the winner on the same draws: the runner-up and every candidate that could be
   *  tied with the winner (the others cannot be, and are omitted; so is the winner). */
  paired: PairedStat[];
  /** The runner-up is within TIE_SE paired standard errors of the winner. */
  tie: boolean;
  /** Candidates within TIE_SE paired standard errors of the winner (the winner first). */
  tied: number[];
}

/**
 * The winner among candidates from their stage-2 losses (`moments`, per candidate) and, once the winner
 * is known, candidates' paired differences from it (`pairedWithWinner`, per candidate; null where not
 * computed; the winner's own entry is ignored). Pure: the statistics of section "stage 2" above.
 */
export function decide(models: readonly number[], moments: readonly Moments[], pairedWithWinner?: readonly (Moments | null)[], n = 1): Stage2Result {
  const candidates = models.map((model, k) => ({ model, loss: moments[k].mean / n, se: moments[k].se / n }));
  const order = candidates.map((c, k) => k).sort((a, b) => candidates[a].loss - candidates[b].loss || candidates[a].model - candidates[b].model);
  const w = order[0];
  const paired: PairedStat[] = pairedWithWinner
    ? candidates.flatMap((c, k) => {
        const p = pairedWithWinner[k];
        return k === w || !p ? [] : [{ model: c.model, diff: p.mean / n, se: p.se / n }];
      })
    : [];
  const runnerUp = order.length > 1 ? candidates[order[1]].model : null;
  const within = (p: PairedStat) => p.diff < TIE_SE * p.se;
  const runner = paired.find((p) => p.model === runnerUp);
  return {
    samples: moments[w].count,
    candidates,
    winner: candidates[w].model,
    runnerUp,
    paired,
    tie: runner ? within(runner) : false,
    tied: [candidates[w].model, ...order.slice(1).map((k) => candidates[k].model).filter((m) => paired.some((p) => p.model === m && within(p)))],
  };
}

/**
 * Stage 2 for one level: every candidate (`models`, their `params`) on draws 0 … samples − 1 of the
 * level's selection stream, then, in a second pass over the same draws, the per-sample differences from
 * the winner of the runner-up and of every candidate that could be tied with it.
 */
export async function runStage2(ev: SumsEvaluator, density: number, key: StreamKey, samples: number, models: readonly number[], params: readonly ArrayLike<number>[], n: number): Promise<Stage2Result> {
  const moments = (await ev.sums(density, key, samples, params)).map((s) => s.loss);
  const first = decide(models, moments, undefined, n);
  const w = models.indexOf(first.winner);
  // Pass 2 only for the runner-up and the candidates that could be tied with the winner: by Cauchy–Schwarz
  // the paired standard error is at most the sum of the two unpaired ones, so a candidate at least TIE_SE
  // times that sum above the winner cannot be within TIE_SE paired standard errors of it.
  const c = first.candidates;
  const needed = models.flatMap((model, k) => (k !== w && (model === first.runnerUp || c[k].loss - c[w].loss < TIE_SE * (c[k].se + c[w].se)) ? [k] : []));
  const sums = await ev.sums(density, key, samples, needed.map((k) => params[k]), params[w]);
  const paired: (Moments | null)[] = models.map(() => null);
  needed.forEach((k, i) => (paired[k] = sums[i].diff!));
  return decide(models, moments, paired, n);
}

/** The stream of the stage-2 sample of a level (shared by all its models, disjoint from the others). */
export function stage2Key(seed: number, density: number): StreamKey {
  return streamKey(seed, density, SHARED_MODEL, Purpose.select);
}

/**
 * Stage-1 paired statistics: every model's per-sample loss minus the stage-1 best's, on the level's
 * held-out sample (the Purpose.eval stream, batch 0, draws 0 … evalSamples − 1); null for the best itself
 * and for diverged models (params null).
 */
export async function stage1Paired(ev: SumsEvaluator, config: TrainConfig, density: number, params: readonly (ArrayLike<number> | null)[], best: number): Promise<(PairedStat | null)[]> {
  const key = streamKey(config.seed, density, SHARED_MODEL, Purpose.eval);
  const others = params.flatMap((p, k) => (p && k !== best ? [k] : []));
  const sums = await ev.sums(density, key, config.evalSamples, others.map((k) => params[k]!), params[best]!);
  const n = config.features;
  const out: (PairedStat | null)[] = params.map(() => null);
  others.forEach((k, i) => (out[k] = { model: k, diff: sums[i].diff!.mean / n, se: sums[i].diff!.se / n }));
  return out;
}

/** Stage 2 of one level: the candidates on draws 0 … stage2Samples − 1 of the level's selection stream. */
export function stage2ForLevel(ev: SumsEvaluator, config: TrainConfig, density: number, models: readonly number[], params: readonly ArrayLike<number>[], size = STAGE2_SIZE): Promise<Stage2Result> {
  return runStage2(ev, density, stage2Key(config.seed, density), stage2Samples(density, config.features, size), models, params, config.features);
}
