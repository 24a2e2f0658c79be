// How sure the article can be of each level's winner, in one place for every label that names it: the
// two-stage selection's margin (or tie, and whether the tied models share the winner's regime), and the
// better arrangements the diagnostics found (another density's winner as it is, another density's winner
// fine-tuned here, or a sampled model trained 2–4× longer: src/train/diagnostics.ts). Pure.

import { convergenceSteps, type DataFile } from "../data/schema.ts";
import { analyse, type Analysis } from "../analysis/index.ts";
import { formatDensity } from "../figures/format.ts";
import type { LevelPopulation } from "./population.ts";

/** A model known to beat a level's winner on that level's stage-2 sample by more than tieSE errors. */
export interface BetterModel {
  /** cross: another density's winner as it is; continued: another density's winner fine-tuned here;
   *  longer: one of this density's sampled models trained `steps` steps. */
  how: "cross" | "continued" | "longer";
  /** cross and continued: the density whose winner it is; longer: the model's index. */
  source: number;
  steps?: number;
  /** Its loss − the winner's (negative), relative to the winner's loss, and the standard error. */
  rel: number;
  relSE: number;
}

export interface WinnerCertainty {
  density: number;
  /** The runner-up's paired margin in standard errors (null: no runner-up). */
  marginSE: number | null;
  tieSE: number;
  tie: boolean;
  /** Models tied with the winner, the winner included; of them, those in its regime (null: no population). */
  tied: number;
  tiedSameRegime: number | null;
  /** The best-known better models, lowest loss first: at most one of each kind. */
  better: BetterModel[];
}

/** Per level (file order): the certainty of its winner; null for a level without a recorded selection. */
export function winnerCertainty(file: Pick<DataFile, "levels" | "diagnostics">, population?: readonly LevelPopulation[]): (WinnerCertainty | null)[] {
  const d = file.diagnostics;
  return file.levels.map((level, li) => {
    const sel = level.selection;
    if (!sel) return null;
    const runner = sel.paired.find((p) => p.model === sel.runnerUp);
    const beats = (diff: number, se: number) => diff < -sel.tieSE * se;
    const better: BetterModel[] = [];
    const own = sel.candidates.find((c) => c.model === sel.winner)!.loss;
    if (d) {
      const cross = file.levels.map((l, a) => ({ a, c: d.crossEval[a][li] })).filter(({ a, c }) => a !== li && beats(c.diff, c.se)).sort((x, y) => x.c.diff - y.c.diff)[0];
      if (cross) better.push({ how: "cross", source: file.levels[cross.a].density, rel: cross.c.diff / own, relSE: cross.c.se / own });
      const cont = d.continuation.levels[li];
      if (beats(cont.diff, cont.se)) better.push({ how: "continued", source: cont.from, rel: cont.diff / own, relSE: cont.se / own });
      const conv = d.convergence?.levels[li];
      if (conv) {
        const steps = convergenceSteps(d.convergence!, li), last = steps.length - 1;
        const b = conv.losses[conv.models.indexOf(conv.best.model)][last];
        if (beats(b.diff, b.se)) better.push({ how: "longer", source: conv.best.model, steps: steps[last], rel: b.diff / own, relSE: b.se / own });
      }
    }
    better.sort((x, y) => x.rel - y.rel);
    const pop = population?.find((p) => p.density === level.density);
    return {
      density: level.density,
      marginSE: runner && runner.se > 0 ? runner.diff / runner.se : null,
      tieSE: sel.tieSE,
      tie: sel.tie,
      tied: sel.tied.length,
      tiedSameRegime: pop ? pop.tied.sameRegime : null,
      better,
    };
  });
}

const pct = (x: number) => `${x < 0 ? "−" : "+"}${Math.abs(100 * x).toPrecision(2)}%`;

/** "clear: runner-up +4.6 SE", "tie: 3 models, all in this regime"; then "; … is better" if so. */
export function certaintyNote(c: WinnerCertainty): string {
  let s = c.tie
    ? `tie: ${c.tied} models${c.tiedSameRegime === null ? "" : c.tiedSameRegime === c.tied ? ", all in this regime" : `, ${c.tiedSameRegime} in this regime`}`
    : c.marginSE === null ? "no runner-up" : `clear: runner-up +${c.marginSE.toFixed(1)} SE`;
  if (c.better.length) s += `; ${betterPhrase(c.better[0])} is better`;
  return s;
}

/** The note of the level at `density`, or null where the file records no selection for it. */
export function certaintyNoteAt(certainty: readonly (WinnerCertainty | null)[], density: number): string | null {
  const c = certainty.find((x) => x?.density === density);
  return c ? certaintyNote(c) : null;
}

/** "the winner of 0.1 fine-tuned here (−2.4%)": one better model in words. */
export function betterPhrase(b: BetterModel): string {
  const what = b.how === "cross" ? `the winner of ${formatDensity(b.source)}` : b.how === "continued" ? `the winner of ${formatDensity(b.source)} fine-tuned here` : `model ${b.source} trained ${b.steps!.toLocaleString("en")} steps`;
  return `${what} (${pct(b.rel)})`;
}

/** A better model's weights and their analysis, for the figure that draws it beside the winner. */
export interface BetterDrawn extends BetterModel {
  W: number[][];
  analysis: Analysis;
}

/** At each level where continuation or longer training beats the winner: both models' weights. */
export function betterModels(file: DataFile, certainty: readonly (WinnerCertainty | null)[]): { density: number; better: BetterDrawn[] }[] {
  const d = file.diagnostics;
  if (!d) return [];
  return file.levels.flatMap((level, li) => {
    const c = certainty[li];
    const drawn = (c?.better ?? []).flatMap((b): BetterDrawn[] => {
      const src = b.how === "continued" ? d.continuation.levels[li] : b.how === "longer" ? d.convergence!.levels[li].best : null;
      return src ? [{ ...b, W: src.W, analysis: analyse(src.W, src.b, { importance: file.config.importance }) }] : [];
    });
    return drawn.length ? [{ density: level.density, better: drawn }] : [];
  });
}
