// How many steps a run trained, in words: "10,000 steps", or "10,000 steps (40,000 at density 0.01)" when
// some densities train their own number (config.levelSteps). One wording for the run table, the page
// footer, the selection table and the trainer's log.

import type { TrainConfig } from "../model/config.ts";
import { formatDensity } from "../figures/format.ts";

/** The densities with their own steps, densest first: "20,000 at density 0.02, 40,000 at 0.01". */
export function levelStepsText(config: Pick<TrainConfig, "levelSteps">): string {
  return [...(config.levelSteps ?? [])]
    .sort((a, b) => b.density - a.density)
    .map((l, k) => `${l.steps.toLocaleString("en")} at ${k === 0 ? "density " : ""}${formatDensity(l.density)}`)
    .join(", ");
}

/** "10,000 steps", or "10,000 steps (20,000 at density 0.02, 40,000 at 0.01)". */
export function stepsText(config: Pick<TrainConfig, "steps" | "levelSteps">): string {
  const own = levelStepsText(config);
  return `${config.steps.toLocaleString("en")} steps${own ? ` (${own})` : ""}`;
}
