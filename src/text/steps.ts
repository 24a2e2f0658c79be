// How many steps a run trained, in words: "10,000 steps", or "10,000 steps (40,000 at density 0.01)" when
// some densities train their own number (config.levelSteps). One wording for the run table, the page
// footer, the selection table and the trainer's log.

import type { LevelSteps, TrainConfig } from "../model/config.ts";
import { formatDensity } from "../figures/format.ts";

/** Per-level steps densest first, one phrase each: "20,000`unit` at density 0.02", "40,000 at 0.01"
 *  (the article's fact writes unit " steps" and joins them with "and"). */
export function levelStepsPhrases(levelSteps: readonly LevelSteps[], unit = ""): string[] {
  return [...levelSteps]
    .sort((a, b) => b.density - a.density)
    .map((l, k) => `${l.steps.toLocaleString("en")}${k === 0 ? `${unit} at density ` : " at "}${formatDensity(l.density)}`);
}

/** The densities with their own steps, densest first: "20,000 at density 0.02, 40,000 at 0.01". */
export function levelStepsText(config: Pick<TrainConfig, "levelSteps">): string {
  return levelStepsPhrases(config.levelSteps ?? []).join(", ");
}

/** "10,000 steps", or "10,000 steps (20,000 at density 0.02, 40,000 at 0.01)". */
export function stepsText(config: Pick<TrainConfig, "steps" | "levelSteps">): string {
  const own = levelStepsText(config);
  return `${config.steps.toLocaleString("en")} steps${own ? ` (${own})` : ""}`;
}
