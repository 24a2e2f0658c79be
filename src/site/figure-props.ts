// Checks of the props an author gives a figure component in MDX, with messages that name the
// component, the prop and what would be accepted. Pure.

import { formatDensity } from "../figures/format.ts";
import type { AnalysedExperiment, AnalysedLevel } from "./experiment.ts";

export const WEIGHT_VIEWS = ["matrix", "stack", "norms"] as const;
export type WeightView = (typeof WEIGHT_VIEWS)[number];

/** "ReLU hidden layer" / "Linear hidden layer". */
export function modelTitle(model: string): string {
  return model === "linear-hidden" ? "Linear hidden layer" : "ReLU hidden layer";
}

/** The level trained at exactly `density`; throws naming the trained densities otherwise (and a bad view). */
export function experimentLevel(exp: AnalysedExperiment, density: unknown, who: string, views?: readonly string[]): AnalysedLevel {
  if (views) checkViews(views, who);
  if (typeof density !== "number") throw new Error(`${who}: density={…} must be a number, e.g. density={0.12}`);
  const found = exp.levels.find((l) => l.level.density === density);
  if (!found) throw new Error(`${who}: ${exp.name}.json has no model trained at density ${density} (trained: ${exp.levels.map((l) => formatDensity(l.level.density)).join(", ")})`);
  return found;
}

/** Throws unless `views` is a non-empty list of WEIGHT_VIEWS. */
export function checkViews(views: readonly string[], who: string): void {
  const bad = views.find((v) => !(WEIGHT_VIEWS as readonly string[]).includes(v));
  if (bad !== undefined || !views.length) throw new Error(`${who}: views={[…]} must list some of ${WEIGHT_VIEWS.map((v) => `"${v}"`).join(", ")}${bad !== undefined ? ` (not "${bad}")` : ""}`);
}
