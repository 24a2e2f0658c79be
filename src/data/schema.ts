// The data file format (schema "privileged-basis/1"): one JSON file per experiment in public/data/.
// Validated on write (src/data/io.ts) and on read (the site's content collection), so a corrupt or
// hand-edited file fails loudly with its name.

import { z } from "zod";
import { DEFAULT_DENSITIES, defaultConfig } from "../model/config.ts";

export const SCHEMA_ID = "privileged-basis/1";
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
  batchSize: positiveInt,
  optimizer: optimizerSchema,
  seed: z.number().int().min(0).max(0xffffffff),
  evalSamples: positiveInt,
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
  createdAt: z.string().datetime(),
  /** Git commit of the trainer that wrote the file ("unknown" outside a checkout). */
  commit: z.string().min(1),
});

export const levelSchema = z.object({
  density: finite.gt(0).max(1),
  /** Held-out loss of every model that finished with finite weights, ascending. */
  losses: z.array(finite.nonnegative()).min(1),
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

export const dataFileSchema = z
  .object({
    schema: z.literal(SCHEMA_ID),
    model: z.enum(MODEL_KINDS),
    config: configSchema,
    run: runSchema,
    levels: z.array(levelSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const { features: n, neurons: m, modelsPerLevel: K } = file.config;
    if (file.config.importance.length !== n) ctx.addIssue({ code: "custom", path: ["config", "importance"], message: `expected ${n} entries` });
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
      if (level.best.loss !== level.losses[0]) ctx.addIssue({ code: "custom", path: at("best", "loss"), message: "best.loss must equal the smallest loss" });
      if (level.best.W.length !== m || level.best.W.some((row) => row.length !== n)) {
        ctx.addIssue({ code: "custom", path: at("best", "W"), message: `W must be ${m}×${n}` });
      }
      if (level.best.b.length !== n) ctx.addIssue({ code: "custom", path: at("best", "b"), message: `b must have ${n} entries` });
    });
  });

export type DataFile = z.infer<typeof dataFileSchema>;
export type Level = z.infer<typeof levelSchema>;
export type RunInfo = z.infer<typeof runSchema>;

/** File name of each experiment in public/data/. */
export function dataFileName(model: (typeof MODEL_KINDS)[number]): string {
  return `${model}.json`;
}

/** The command that regenerates a data file, for error messages. */
export function regenerateCommand(model: (typeof MODEL_KINDS)[number]): string {
  return model === "relu-hidden"
    ? "npm run train -- --model relu"
    : "npm run train -- --model linear --levels 1,0.5,0.3,0.1,0.03";
}

/**
 * The `npm run train` command that reproduces a data file: its model, engine, seed and every CLI-settable
 * config value that differs from the defaults, with its levels unless they are the default 21.
 */
export function reproduceCommand(data: Pick<DataFile, "model" | "config" | "run" | "levels">): string {
  const d = defaultConfig();
  const c = data.config;
  const flags = [`--model ${data.model === "relu-hidden" ? "relu" : "linear"}`];
  if (c.modelsPerLevel !== d.modelsPerLevel) flags.push(`--models ${c.modelsPerLevel}`);
  if (c.steps !== d.steps) flags.push(`--steps ${c.steps}`);
  const densities = data.levels.map((l) => l.density);
  const isDefault = densities.length === DEFAULT_DENSITIES.length && densities.every((v, k) => v === DEFAULT_DENSITIES[k]);
  if (!isDefault) flags.push(`--levels ${densities.join(",")}`);
  if (c.seed !== d.seed) flags.push(`--seed ${c.seed}`);
  if (c.batchSize !== d.batchSize) flags.push(`--batch ${c.batchSize}`);
  if (c.evalSamples !== d.evalSamples) flags.push(`--eval-samples ${c.evalSamples}`);
  flags.push(`--engine ${data.run.engine}`);
  if (data.run.kernel) flags.push(`--kernel ${data.run.kernel.name}`);
  if (data.run.kernel?.workgroupSize !== undefined) flags.push(`--workgroup ${data.run.kernel.workgroupSize}`);
  return `npm run train -- ${flags.join(" ")}`;
}

/** One-line summary of a zod error: the first few issues with their paths. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
