// The data file format: one JSON file per experiment in public/data/. Validated on write (src/data/io.ts)
// and on read (the site's content collection), so a corrupt or hand-edited file fails loudly with its name.
//   privileged-basis/3: as 2, and a level may train its own number of steps (`config.levelSteps`; the
//     diagnostics' continuation and convergence entries then record their level's steps). Written now;
//   privileged-basis/2: every model's held-out loss by model index (`modelLosses`), the two-stage
//     selection of each level's winner with its statistics (`selection`, src/train/selection.ts), and
//     the whole population's weights in a binary file beside it (`population`, src/data/population.ts),
//     every level trained `config.steps`. Still read, never written;
//   privileged-basis/1: the winner and the sorted losses only. Still read (the site shows what it has),
//     never written.

import { z } from "zod";
import { stepsAt } from "../model/config.ts";

export const SCHEMA_ID = "privileged-basis/3";
export const SCHEMA_V2 = "privileged-basis/2";
export const SCHEMA_V1 = "privileged-basis/1";
export const SCHEMA_IDS = [SCHEMA_ID, SCHEMA_V2, SCHEMA_V1] as const;
export const MODEL_KINDS = ["relu-hidden", "linear-hidden"] as const;

const finite = z.number().finite();
const positiveInt = z.number().int().positive();

export const optimizerSchema = z.object({
  name: z.literal("adamw"),
  lr: finite.nonnegative(),
  beta1: finite.min(0).lt(1),
  beta2: finite.min(0).lt(1),
  eps: finite.nonnegative(),
  weightDecay: finite.nonnegative(),
});

export const configSchema = z.object({
  features: positiveInt,
  neurons: positiveInt,
  importance: z.array(finite.nonnegative()),
  modelsPerLevel: positiveInt,
  steps: positiveInt,
  /** Schema 3: densities that train another number of steps than `steps` (src/model/config.ts). */
  levelSteps: z.array(z.object({ density: finite.gt(0).max(1), steps: positiveInt })).optional(),
  batchSize: positiveInt,
  optimizer: optimizerSchema,
  seed: z.number().int().min(0).max(0xffffffff),
  evalSamples: positiveInt,
  /** Stage-2 selection sample size, when not the default (src/train/selection.ts STAGE2_SIZE). */
  stage2: z.object({ minDraws: positiveInt, minPresent: finite.positive() }).optional(),
});

export const runSchema = z.object({
  /** "cpu" or "webgpu". */
  engine: z.string().min(1),
  /** CPU model and thread count, or the GPU adapter. */
  device: z.string().min(1),
  /** The training kernel and, on a GPU, its workgroup size (the weights' bits depend on them). Files
   *  written by the CPU engine before its SIMD kernel have none. */
  kernel: z.object({ name: z.string().min(1), workgroupSize: positiveInt.optional() }).optional(),
  /** Wall-clock seconds spent training and evaluating (summed over resumed sessions). */
  trainSeconds: finite.nonnegative(),
  /** GPU engines with timestamp queries: GPU seconds of the training and evaluation passes. */
  gpuSeconds: finite.nonnegative().optional(),
  /** Schema 2: wall-clock seconds of the winners' selection (stage-1 pairing and stage 2), included in
   *  trainSeconds. */
  selectSeconds: finite.nonnegative().optional(),
  createdAt: z.string().datetime(),
  /** Git commit of the trainer that wrote the file ("unknown" outside a checkout). */
  commit: z.string().min(1),
});

const pairedSchema = z.object({ model: z.number().int().nonnegative(), diff: finite, se: finite.nonnegative() });

/** Schema 2: how the level's winner was chosen (src/train/selection.ts). */
export const selectionSchema = z.object({
  /** Stage 1: models within `z` paired standard errors of the stage-1 best on the held-out sample (at
   *  least `min` of them) went on to stage 2. */
  stage1: z.object({ best: z.number().int().nonnegative(), z: finite.positive(), min: positiveInt }),
  /** Stage 2: draws of the level's own selection stream, shared by all candidates. */
  samples: positiveInt,
  /** The candidates by stage-1 rank: each one's stage-2 loss and its standard error. */
  candidates: z.array(z.object({ model: z.number().int().nonnegative(), loss: finite.nonnegative(), se: finite.nonnegative() })).min(1),
  winner: z.number().int().nonnegative(),
  runnerUp: z.number().int().nonnegative().nullable(),
  /** Candidates against the winner on the same draws (loss − winner's): the runner-up always, and every
   *  candidate that could be within `tieSE` standard errors of the winner. */
  paired: z.array(pairedSchema),
  /** Within this many paired standard errors of the winner is a statistical tie. */
  tieSE: finite.positive(),
  /** The runner-up is within tieSE paired standard errors of the winner. */
  tie: z.boolean(),
  /** The winner and every candidate tied with it. */
  tied: z.array(z.number().int().nonnegative()).min(1),
});

export const levelSchema = z.object({
  density: finite.gt(0).max(1),
  /** Held-out loss of every model that finished with finite weights, ascending. */
  losses: z.array(finite.nonnegative()).min(1),
  /** Schema 2: the held-out loss of model k at index k (null: it diverged). */
  modelLosses: z.array(finite.nonnegative().nullable()).optional(),
  /** Schema 2: how the winner was chosen. */
  selection: selectionSchema.optional(),
  /** Models whose weights became NaN/Inf: reported, never written out. */
  diverged: z.number().int().nonnegative().default(0),
  best: z.object({
    /**
     * Which of the level's K models won (0 … K−1): with the config's seed and the density it names the
     * model's random streams, so the winner alone can be retrained. Absent in files written before the
     * trainer recorded it.
     */
    model: z.number().int().nonnegative().optional(),
    loss: finite.nonnegative(),
    W: z.array(z.array(finite)),
    b: z.array(finite),
  }),
});

const pairedLossSchema = z.object({ loss: finite.nonnegative(), diff: finite, se: finite.nonnegative() });

/** Schema 2: checks of the winners after selection (src/train/diagnostics.ts); levels in file order. */
export const diagnosticsSchema = z.object({
  /** [a][b]: the winner of level a on level b's stage-2 sample, paired with b's own winner. */
  crossEval: z.array(z.array(pairedLossSchema)),
  /** Where a's winner beats b's own winner on b's data by more than tieSE standard errors. */
  failures: z.array(z.object({ winnerOf: finite.gt(0).max(1), on: finite.gt(0).max(1), diff: finite, se: finite.nonnegative() })),
  /** Per level: the best of the other levels' winners fine-tuned at its density for `steps` steps (the
   *  level's own `steps` where it trains another number than config.steps: schema 3). */
  continuation: z.object({
    steps: positiveInt,
    levels: z.array(pairedLossSchema.extend({ density: finite.gt(0).max(1), from: finite.gt(0).max(1), steps: positiveInt.optional(), W: z.array(z.array(finite)), b: z.array(finite) })),
  }),
  /** Whether the steps trained are enough: a sample of each level's models trained on to multiples of them. */
  convergence: z
    .object({
      /** Ascending step counts at which each sampled model was read; the first is config.steps. A level
       *  that trains another number of steps (schema 3) records its own, the same multiples of it. */
      steps: z.array(positiveInt).min(2),
      levels: z.array(
        z.object({
          density: finite.gt(0).max(1),
          steps: z.array(positiveInt).optional(),
          /** Sampled models: the first `leading` are the best stage-2 candidates (winner first), the
           *  rest spread evenly over the level's model indices. */
          models: z.array(z.number().int().nonnegative()).min(1),
          leading: z.number().int().nonnegative(),
          /** Largest |Δ| between the winner retrained to steps[0] and the file's winner: 0 when the
           *  diagnostic's kernel is the one that trained the file. */
          reproduction: finite.nonnegative(),
          /** [model][checkpoint]: loss on the level's stage-2 sample, paired with the file's winner. */
          losses: z.array(z.array(pairedLossSchema)),
          /** The sampled model with the lowest loss at the last checkpoint, there. */
          best: z.object({ model: z.number().int().nonnegative(), W: z.array(z.array(finite)), b: z.array(finite) }),
        }),
      ),
      seconds: finite.nonnegative(),
    })
    .optional(),
  seconds: finite.nonnegative(),
});

/** Schema 2: the population file beside the data file (every model's final W and b). */
export const populationRefSchema = z.object({
  /** File name, in the data file's directory. */
  file: z.string().regex(/^[\w.-]+\.population\.bin$/),
  bytes: positiveInt,
  /** Hex SHA-256 of the file: a population that does not belong to this data file is refused. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const dataFileSchema = z
  .object({
    schema: z.enum(SCHEMA_IDS),
    model: z.enum(MODEL_KINDS),
    /** The training semantics it was written under (src/train/semantics.ts); absent in files written
     *  before the field existed (their schema says which). */
    semantics: positiveInt.optional(),
    config: configSchema,
    run: runSchema,
    levels: z.array(levelSchema).min(1),
    population: populationRefSchema.optional(),
    diagnostics: diagnosticsSchema.optional(),
  })
  .superRefine((file, ctx) => {
    const { features: n, neurons: m, modelsPerLevel: K } = file.config;
    if (file.config.importance.length !== n) ctx.addIssue({ code: "custom", path: ["config", "importance"], message: `expected ${n} entries` });
    const levelSteps = file.config.levelSteps;
    if (levelSteps) {
      if (file.schema !== SCHEMA_ID) ctx.addIssue({ code: "custom", path: ["config", "levelSteps"], message: `per-level steps need schema ${SCHEMA_ID}` });
      levelSteps.forEach((l, k) => {
        if (levelSteps.findIndex((o) => o.density === l.density) !== k) ctx.addIssue({ code: "custom", path: ["config", "levelSteps", k], message: `density ${l.density} is listed twice` });
        if (l.steps === file.config.steps) ctx.addIssue({ code: "custom", path: ["config", "levelSteps", k], message: `density ${l.density}: ${l.steps} steps is config.steps; list only densities that differ` });
      });
    }
    const seen = new Set<number>();
    file.levels.forEach((level, li) => {
      const at = (...p: (string | number)[]) => ["levels", li, ...p];
      if (seen.has(level.density)) ctx.addIssue({ code: "custom", path: at("density"), message: `duplicate density ${level.density}` });
      seen.add(level.density);
      if (level.losses.length + level.diverged !== K) {
        ctx.addIssue({ code: "custom", path: at("losses"), message: `${level.losses.length} losses + ${level.diverged} diverged ≠ modelsPerLevel ${K}` });
      }
      for (let k = 1; k < level.losses.length; k++) {
        if (level.losses[k] < level.losses[k - 1]) {
          ctx.addIssue({ code: "custom", path: at("losses", k), message: "losses must be ascending" });
          break;
        }
      }
      if (level.best.model !== undefined && level.best.model >= K) {
        ctx.addIssue({ code: "custom", path: at("best", "model"), message: `model ${level.best.model} is not one of the ${K} models (0 … ${K - 1})` });
      }
      if (file.schema === SCHEMA_V1) {
        if (level.best.loss !== level.losses[0]) ctx.addIssue({ code: "custom", path: at("best", "loss"), message: "best.loss must equal the smallest loss" });
        if (level.modelLosses || level.selection) ctx.addIssue({ code: "custom", path: at(), message: `modelLosses and selection need schema ${SCHEMA_V2} or later` });
      } else {
        checkV2Level(level, K, (message, ...p) => ctx.addIssue({ code: "custom", path: at(...p), message }));
      }
      if (level.best.W.length !== m || level.best.W.some((row) => row.length !== n)) {
        ctx.addIssue({ code: "custom", path: at("best", "W"), message: `W must be ${m}×${n}` });
      }
      if (level.best.b.length !== n) ctx.addIssue({ code: "custom", path: at("best", "b"), message: `b must have ${n} entries` });
    });
    const d = file.diagnostics;
    if (d) {
      const L = file.levels.length, issue = (message: string, ...p: (string | number)[]) => ctx.addIssue({ code: "custom", path: ["diagnostics", ...p], message });
      if (file.schema === SCHEMA_V1) issue(`diagnostics need schema ${SCHEMA_V2} or later`);
      if (d.crossEval.length !== L || d.crossEval.some((row) => row.length !== L)) issue(`crossEval must be ${L}×${L}, one row and column per level`, "crossEval");
      if (d.continuation.levels.length !== L || d.continuation.levels.some((c, k) => c.density !== file.levels[k].density)) issue("continuation must have one entry per level, in level order", "continuation");
      d.continuation.levels.forEach((c, k) => {
        if (c.W.length !== m || c.W.some((row) => row.length !== n) || c.b.length !== n) issue(`W must be ${m}×${n} and b ${n} long`, "continuation", "levels", k);
        if (!file.levels.some((l) => l.density === c.from) || c.from === c.density) issue(`from ${c.from} is not another level`, "continuation", "levels", k);
        const own = stepsAt(file.config, c.density);
        if ((c.steps ?? d.continuation.steps) !== own || c.steps === d.continuation.steps) issue(`steps must be the level's ${own}, recorded only where it is not continuation.steps`, "continuation", "levels", k, "steps");
      });
      if (d.continuation.steps !== file.config.steps) issue(`steps must be config.steps (${file.config.steps})`, "continuation", "steps");
      const cv = d.convergence;
      if (cv) {
        if (cv.steps[0] !== file.config.steps || cv.steps.some((s, k) => k > 0 && s <= cv.steps[k - 1])) issue(`steps must ascend from config.steps (${file.config.steps})`, "convergence", "steps");
        if (cv.levels.length !== L || cv.levels.some((c, k) => c.density !== file.levels[k].density)) issue("convergence must have one entry per level, in level order", "convergence");
        cv.levels.forEach((c, k) => {
          const at = ["convergence", "levels", k];
          if (c.models.some((x) => x >= K) || new Set(c.models).size !== c.models.length) issue(`models must be distinct indices below ${K}`, ...at, "models");
          if (c.leading > c.models.length) issue(`leading ${c.leading} > ${c.models.length} models`, ...at, "leading");
          if (c.losses.length !== c.models.length || c.losses.some((row) => row.length !== cv.steps.length)) issue(`losses must be ${c.models.length}×${cv.steps.length}`, ...at, "losses");
          const own = stepsAt(file.config, c.density), factor = own / file.config.steps;
          if (c.steps !== undefined && (own === file.config.steps || c.steps.length !== cv.steps.length || c.steps.some((s, j) => s !== cv.steps[j] * factor))) {
            issue(`steps must be the level's ${own} × the same factors as convergence.steps, recorded only where the level's steps are not config.steps`, ...at, "steps");
          }
          if (c.steps === undefined && own !== file.config.steps) issue(`the level trains ${own} steps: its steps must be recorded`, ...at, "steps");
          if (!c.models.includes(c.best.model)) issue(`best model ${c.best.model} was not sampled`, ...at, "best");
          if (c.best.W.length !== m || c.best.W.some((row) => row.length !== n) || c.best.b.length !== n) issue(`W must be ${m}×${n} and b ${n} long`, ...at, "best");
        });
      }
    }
  });

/** Schema 2's (and 3's) consistency rules for one level: the indexed losses agree with the sorted ones, and the
 *  selection with the losses and the winner. */
function checkV2Level(level: z.infer<typeof levelSchema>, K: number, issue: (message: string, ...path: (string | number)[]) => void): void {
  const ml = level.modelLosses, sel = level.selection;
  if (!ml || !sel) return issue("schema 2 levels record modelLosses and selection");
  if (ml.length !== K) return issue(`${ml.length} entries, not modelsPerLevel ${K}`, "modelLosses");
  const finite = ml.filter((l): l is number => l !== null).sort((a, b) => a - b);
  if (finite.length !== level.losses.length || finite.some((l, k) => l !== level.losses[k])) {
    return issue("the finite modelLosses, sorted, must be `losses`", "modelLosses");
  }
  if (ml.length - finite.length !== level.diverged) issue(`${ml.length - finite.length} null losses but diverged ${level.diverged}`, "diverged");
  const known = (m: number) => m < K && ml[m] !== null;
  const candidates = new Set(sel.candidates.map((c) => c.model));
  if (candidates.size !== sel.candidates.length) issue("a candidate is listed twice", "selection", "candidates");
  for (const m of candidates) if (!known(m)) issue(`candidate ${m} is not a finished model`, "selection", "candidates");
  if (!known(sel.stage1.best) || ml[sel.stage1.best] !== level.losses[0]) issue("stage1.best must be the model with the smallest loss", "selection", "stage1", "best");
  const ranked = sel.candidates.map((c) => ml[c.model] ?? NaN);
  if (ranked.some((l, k) => k > 0 && l < ranked[k - 1])) issue("candidates must be in stage-1 order", "selection", "candidates");
  if (sel.candidates.length < Math.min(sel.stage1.min, finite.length)) issue(`fewer than ${sel.stage1.min} candidates`, "selection", "candidates");
  const stage2 = new Map(sel.candidates.map((c) => [c.model, c.loss]));
  const winnerLoss = stage2.get(sel.winner);
  if (winnerLoss === undefined || sel.candidates.some((c) => c.loss < winnerLoss)) issue("the winner must be the candidate with the smallest stage-2 loss", "selection", "winner");
  if (sel.runnerUp !== null && (!candidates.has(sel.runnerUp) || sel.runnerUp === sel.winner)) issue("the runner-up must be another candidate", "selection", "runnerUp");
  if (sel.runnerUp === null && sel.candidates.length > 1) issue("a level with several candidates has a runner-up", "selection", "runnerUp");
  if (sel.runnerUp !== null && !sel.paired.some((p) => p.model === sel.runnerUp)) issue("the runner-up's paired difference is missing", "selection", "paired");
  for (const p of sel.paired) if (!candidates.has(p.model) || p.model === sel.winner) issue(`paired model ${p.model} is not another candidate`, "selection", "paired");
  if (sel.tied[0] !== sel.winner) issue("tied must start with the winner", "selection", "tied");
  const runner = sel.paired.find((p) => p.model === sel.runnerUp);
  if (runner && sel.tie !== runner.diff < sel.tieSE * runner.se) issue("tie must say whether the runner-up is within tieSE standard errors", "selection", "tie");
  if (level.best.model !== sel.winner) issue("best.model must be the selection's winner", "best", "model");
  if (level.best.model !== undefined && level.best.loss !== ml[level.best.model]) issue("best.loss must be the winner's held-out loss", "best", "loss");
}

export type DataFile = z.infer<typeof dataFileSchema>;
export type Level = z.infer<typeof levelSchema>;
export type RunInfo = z.infer<typeof runSchema>;
export type Diagnostics = z.infer<typeof diagnosticsSchema>;

/** The steps at which convergence entry `k` read its models: its own (a level that trains its own number
 *  of steps), else the block's. */
export function convergenceSteps(block: Pick<NonNullable<Diagnostics["convergence"]>, "steps" | "levels">, k: number): number[] {
  return block.levels[k].steps ?? block.steps;
}

/** File name of each experiment in public/data/. */
export function dataFileName(model: (typeof MODEL_KINDS)[number]): string {
  return `${model}.json`;
}

/** One-line summary of a zod error: the first few issues with their paths. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
