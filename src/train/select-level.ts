// One trained level turned into its data-file entry, winner chosen in two stages (selection.ts). No Node
// imports: the trainer (best-of-k.ts) and a reader's page (src/trainer/) write their levels with it.

import type { TrainConfig } from "../model/config.ts";
import type { Level } from "../data/schema.ts";
import type { TrainedLevel } from "./engine.ts";
import type { SumsEvaluator } from "./evaluator-core.ts";
import { CANDIDATE_Z, MIN_CANDIDATES, STAGE2_SIZE, TIE_SE, stage1Paired, stage2Candidates, stage2ForLevel, type Stage2Size } from "./selection.ts";

/**
 * Turns one trained level into its data-file entry: every model's held-out loss by index (null where it
 * diverged: reported, never written out), the sorted losses, and the winner chosen in two stages
 * (src/train/selection.ts): the models that could be the best on the held-out sample, re-evaluated on a
 * much larger sample of their own, with the statistics of that choice.
 */
export async function selectBest(ev: SumsEvaluator, config: TrainConfig, level: TrainedLevel, log: (line: string) => void = () => {}, size: Stage2Size = STAGE2_SIZE): Promise<Level> {
  const { neurons: m, features: n } = config;
  const ok = level.params.map((params, model) => Number.isFinite(level.evalLosses[model]) && params.every(Number.isFinite));
  ok.forEach((good, model) => good || log(`density ${level.density}: model ${model} diverged (non-finite weights or loss); it is not written out`));
  const modelLosses = Array.from(level.evalLosses, (loss, model) => (ok[model] ? loss : null));
  const finite = modelLosses.flatMap((loss, model) => (loss === null ? [] : [{ model, loss }]));
  if (finite.length === 0) throw new Error(`density ${level.density}: every model diverged; nothing to write`);
  finite.sort((a, b) => a.loss - b.loss || a.model - b.model);
  const stage1Best = finite[0].model;
  const paired = await stage1Paired(ev, config, level.density, level.params.map((p, k) => (ok[k] ? p : null)), stage1Best);
  const models = stage2Candidates(modelLosses, paired);
  const r = await stage2ForLevel(ev, config, level.density, models, models.map((k) => level.params[k]), size);
  const best = level.params[r.winner];
  const W = Array.from({ length: m }, (_, j) => Array.from(best.subarray(j * n, (j + 1) * n)));
  return {
    density: level.density,
    losses: finite.map((f) => f.loss),
    modelLosses,
    selection: {
      stage1: { best: stage1Best, z: CANDIDATE_Z, min: MIN_CANDIDATES },
      samples: r.samples, candidates: r.candidates, winner: r.winner, runnerUp: r.runnerUp, paired: r.paired, tieSE: TIE_SE, tie: r.tie, tied: r.tied,
    },
    diverged: level.evalLosses.length - finite.length,
    best: { model: r.winner, loss: level.evalLosses[r.winner], W, b: Array.from(best.subarray(m * n, m * n + n)) },
  };
}
