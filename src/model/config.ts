// Experiment configuration: every knob of the toy model and its training, with the paper's defaults.
// The config is written verbatim into each data file, so a file says exactly how it was produced.

export type ModelKind = "relu-hidden" | "linear-hidden";

export interface OptimizerConfig {
  name: "adamw";
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (AdamW), applied to W and b. */
  weightDecay: number;
}

export interface TrainConfig {
  /** n: number of input features. */
  features: number;
  /** m: number of hidden neurons. */
  neurons: number;
  /** I_i for each feature, length n. */
  importance: number[];
  /** K: models trained per density level; the best on held-out data is kept. */
  modelsPerLevel: number;
  /** Optimizer steps per model, at every density but those of `levelSteps`. */
  steps: number;
  /** Densities trained for another number of steps than `steps` (sparse data needs more: each feature
   *  is present in a fraction `density` of the draws, so it gets fewer gradient updates per step).
   *  Absent: every level trains `steps`. Data files record it from schema 3. */
  levelSteps?: LevelSteps[];
  batchSize: number;
  optimizer: OptimizerConfig;
  /** Root seed of every random stream (init, training data, evaluation data). */
  seed: number;
  /** Held-out draws per level, the same sample for every model of the level. */
  evalSamples: number;
  /** Size of each level's stage-2 selection sample (src/train/selection.ts). Absent: the default
   *  (STAGE2_SIZE, 2^22 draws and 4·10⁶ present features); data files record it only when it differs. */
  stage2?: Stage2Size;
}

/** One density's own number of training steps. */
export interface LevelSteps {
  density: number;
  steps: number;
}

/** The steps each model of the level at `density` trains: its `levelSteps` entry, else `steps`. */
export function stepsAt(config: Pick<TrainConfig, "steps" | "levelSteps">, density: number): number {
  return config.levelSteps?.find((l) => l.density === density)?.steps ?? config.steps;
}

/** The config one level trains with: `steps` set to that level's, no `levelSteps` (what an engine,
 *  which trains every level of a call for the same number of steps, is handed). */
export function levelConfig(config: TrainConfig, density: number): TrainConfig {
  const { levelSteps: _, ...rest } = config;
  return { ...rest, steps: stepsAt(config, density) };
}

/** How large a level's stage-2 selection sample is: at least `minDraws` draws and `minPresent` present
 *  features in expectation (so sparse levels get more draws). */
export interface Stage2Size {
  minDraws: number;
  minPresent: number;
}

/** The paper's importance profile I_i = decay^i. */
export function geometricImportance(n: number, decay = 0.75): number[] {
  return Array.from({ length: n }, (_, i) => decay ** i);
}

export const DEFAULT_DENSITIES: readonly number[] = [
  1.0, 0.75, 0.5, 0.4, 0.3, 0.25, 0.2, 0.17, 0.15, 0.13, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03,
  0.02, 0.01,
];

export function defaultConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  const features = overrides.features ?? 10;
  return {
    features,
    neurons: 5,
    importance: geometricImportance(features),
    modelsPerLevel: 1000,
    steps: 10_000,
    batchSize: 1024,
    optimizer: { name: "adamw", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    seed: 0,
    evalSamples: 32_768,
    ...overrides,
  };
}

/** Xavier-normal standard deviation for an m×n weight matrix. */
export function xavierStd(config: Pick<TrainConfig, "features" | "neurons">): number {
  return Math.sqrt(2 / (config.features + config.neurons));
}

/** Throws a one-line error naming the offending field. */
export function validateConfig(c: TrainConfig): void {
  const posInt = (v: number, name: string, max = 2 ** 31) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`config.${name} must be an integer in [1, ${max}], got ${v}`);
  };
  posInt(c.features, "features", 512);
  posInt(c.neurons, "neurons", 256);
  posInt(c.modelsPerLevel, "modelsPerLevel", 1_000_000);
  posInt(c.steps, "steps", 2 ** 32 - 1);
  posInt(c.batchSize, "batchSize", 2 ** 32 - 1);
  posInt(c.evalSamples, "evalSamples", 2 ** 32 - 1);
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) throw new Error(`config.seed must be an integer in [0, 2^32), got ${c.seed}`);
  if (c.importance.length !== c.features || c.importance.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`config.importance must hold ${c.features} finite non-negative numbers`);
  }
  const o = c.optimizer;
  for (const [k, v] of Object.entries({ lr: o.lr, eps: o.eps, weightDecay: o.weightDecay, beta1: o.beta1, beta2: o.beta2 })) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`config.optimizer.${k} must be a finite non-negative number, got ${v}`);
  }
  if (o.beta1 >= 1 || o.beta2 >= 1) throw new Error("config.optimizer.beta1 and beta2 must be < 1");
  if (c.levelSteps) {
    const seen = new Set<number>();
    for (const l of c.levelSteps) {
      validateDensity(l.density);
      if (seen.has(l.density)) throw new Error(`config.levelSteps lists density ${l.density} twice`);
      seen.add(l.density);
      posInt(l.steps, `levelSteps (density ${l.density})`, 2 ** 32 - 1);
    }
  }
  if (c.stage2) {
    posInt(c.stage2.minDraws, "stage2.minDraws", 2 ** 32 - 1);
    if (!Number.isFinite(c.stage2.minPresent) || c.stage2.minPresent <= 0) throw new Error(`config.stage2.minPresent must be a positive number, got ${c.stage2.minPresent}`);
  }
}

/** Density of present features: each feature is non-zero with this probability (1 − S). */
export function validateDensity(d: number): void {
  if (!Number.isFinite(d) || d <= 0 || d > 1) throw new Error(`density must be in (0, 1], got ${d}`);
}
