// What a reader may ask the in-page trainer for, per engine: bounded so that one click cannot hang a
// laptop, with defaults that finish in seconds. No imports of anything heavy: the article's small
// launcher island uses these to describe the trainer before its code is loaded.

import type { ModelKind } from "../model/config.ts";

export type TrainerEngineName = "webgpu" | "cpu";

export interface TrainerSettings {
  kind: ModelKind;
  /** Feature density 1 − S, in (0, 1]. */
  density: number;
  /** K: models trained; the best is kept. */
  models: number;
  /** AdamW steps per model. */
  steps: number;
  seed: number;
}

export interface EngineLimits {
  /** Most models. */
  maxModels: number;
  /** Most models × steps (model-steps) in one run. */
  maxModelSteps: number;
  defaults: Pick<TrainerSettings, "models" | "steps">;
}

export const MAX_STEPS = 10_000;

/**
 * Per engine. A hardware GPU trains the paper's 1000 models × 10,000 steps in seconds (BENCHMARKS.md:
 * 45 M model-steps/s on an H100; a laptop's integrated GPU is 100–1000× slower, still a minute or so).
 * A software adapter (SwiftShader, Mesa's llvmpipe: the GPU emulated on the CPU) manages a few hundred
 * model-steps/s (BENCHMARKS.md: about 300 in chromium), so it gets a minute's worth at most. The CPU runs
 * the SIMD kernel in Web Workers at 15,000–25,000 model-steps/s per core (BENCHMARKS.md): 2·10⁶
 * model-steps is about a minute on two cores.
 */
export const ENGINE_LIMITS: Readonly<Record<TrainerEngineName | "webgpu-software", EngineLimits>> = {
  webgpu: { maxModels: 1000, maxModelSteps: 1000 * MAX_STEPS, defaults: { models: 256, steps: MAX_STEPS } },
  "webgpu-software": { maxModels: 64, maxModelSteps: 20_000, defaults: { models: 4, steps: 1000 } },
  cpu: { maxModels: 256, maxModelSteps: 2_000_000, defaults: { models: 32, steps: MAX_STEPS } },
};

export function limitsFor(engine: TrainerEngineName, softwareAdapter: boolean): EngineLimits {
  return engine === "webgpu" && softwareAdapter ? ENGINE_LIMITS["webgpu-software"] : ENGINE_LIMITS[engine];
}

/** Why the settings cannot run on this engine, in one line naming the culprit; null when they can. */
export function settingsProblem(s: TrainerSettings, limits: EngineLimits): string | null {
  if (!(Number.isFinite(s.density) && s.density > 0 && s.density <= 1)) return `Density must be a number in (0, 1]; got ${s.density}.`;
  if (!(Number.isInteger(s.models) && s.models >= 1 && s.models <= limits.maxModels)) return `K must be a whole number from 1 to ${limits.maxModels.toLocaleString("en")} on this engine; got ${s.models}.`;
  if (!(Number.isInteger(s.steps) && s.steps >= 1 && s.steps <= MAX_STEPS)) return `Steps must be a whole number from 1 to ${MAX_STEPS.toLocaleString("en")}; got ${s.steps}.`;
  if (!(Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= 0xffffffff)) return `The seed must be a whole number from 0 to 4294967295; got ${s.seed}.`;
  if (s.models * s.steps > limits.maxModelSteps) {
    return `K × steps = ${(s.models * s.steps).toLocaleString("en")} model-steps is more than this engine's ${limits.maxModelSteps.toLocaleString("en")}: lower K or the steps.`;
  }
  return null;
}
