// A data file as a cache of its experiment's declaration. The key is a hash of what the file's results
// depend on: the declared config (model kind, n, m, importance, K, steps and per-level steps, batch, optimizer, seed,
// evaluation sizes, densities) and the training semantics (src/train/semantics.ts). A file's key is
// computed from what it records (its config, its levels' densities, its semantics), never from its text,
// so a file stays fresh when only its run block, its formatting or the engine that wrote it differ, and
// goes stale when the declaration or the semantics change, even if no byte of the file did.

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { DataFile } from "../data/schema.ts";
import { readDataFile } from "../data/io.ts";
import { STAGE2_SIZE } from "../train/selection.ts";
import { TRAINING_SEMANTICS, fileSemantics } from "../train/semantics.ts";
import type { ExperimentDeclaration } from "./declarations.ts";
import { experimentPlan, type TrainingPlan } from "./plan.ts";

export { experimentPlan, reproduceCommand, trainCommand, type TrainingPlan } from "./plan.ts";

/** The fields the cache key covers, each as one comparable value: the semantics, then the plan's. */
function keyFields(plan: TrainingPlan, semantics: number): [string, unknown][] {
  const c = plan.config;
  return [
    ["semantics", semantics],
    ["model", plan.kind],
    ["features", c.features],
    ["neurons", c.neurons],
    ["importance", c.importance],
    ["modelsPerLevel", c.modelsPerLevel],
    ["steps", c.steps],
    ["levelSteps", (c.levelSteps ?? []).map((l) => `${l.density}: ${l.steps}`)],
    ["batchSize", c.batchSize],
    ["optimizer", [c.optimizer.name, c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2, c.optimizer.eps, c.optimizer.weightDecay]],
    ["seed", c.seed],
    ["evalSamples", c.evalSamples],
    ["stage2", [(c.stage2 ?? STAGE2_SIZE).minDraws, (c.stage2 ?? STAGE2_SIZE).minPresent]],
    ["densities", plan.densities],
  ];
}

const hash = (fields: [string, unknown][]) => createHash("sha256").update(JSON.stringify(fields)).digest("hex").slice(0, 16);

/** The cache key of a declared run under the current training semantics. */
export function planKey(plan: TrainingPlan, semantics: number = TRAINING_SEMANTICS): string {
  return hash(keyFields(plan, semantics));
}

/** What a data file records of its run: the plan it answers and the semantics it was trained under. */
export function filePlan(file: Pick<DataFile, "model" | "config" | "levels">): TrainingPlan {
  return { kind: file.model, config: file.config, densities: file.levels.map((l) => l.density) };
}

/** The cache key of a data file, from its recorded config, densities and semantics. */
export function fileKey(file: Pick<DataFile, "schema" | "semantics" | "model" | "config" | "levels">): string {
  return planKey(filePlan(file), fileSemantics(file));
}

const show = (v: unknown) => (Array.isArray(v) ? (v.length > 6 ? `[${v.slice(0, 3).join(", ")}, … ${v.length} entries]` : `[${v.join(", ")}]`) : String(v));

/** How a file's recorded run differs from the declared one: "steps: file 500, declared 10000", …;
 *  [] exactly when the keys agree. */
export function keyDifferences(plan: TrainingPlan, file: Pick<DataFile, "schema" | "semantics" | "model" | "config" | "levels">): string[] {
  return differingFields(plan, file).map(describeField);
}

const FIELD_LABELS: Record<string, string> = { levelSteps: "per-level steps", stage2: "stage-2 sample (min draws, min present)", optimizer: "optimizer (name, lr, β1, β2, ε, weight decay)", semantics: "training semantics" };
const describeField = ({ name, file, declared }: { name: string; file: unknown; declared: unknown }) => `${FIELD_LABELS[name] ?? name}: file ${show(file)}, declared ${show(declared)}`;

function differingFields(plan: TrainingPlan, file: Pick<DataFile, "schema" | "semantics" | "model" | "config" | "levels">): { name: string; file: unknown; declared: unknown }[] {
  const want = keyFields(plan, TRAINING_SEMANTICS), have = keyFields(filePlan(file), fileSemantics(file));
  return want.flatMap(([name, v], k) => (JSON.stringify(v) === JSON.stringify(have[k][1]) ? [] : [{ name, file: have[k][1], declared: v }]));
}

/** Fields in which a stale file may differ and still be extended (`npm run train -- NAME --extend`
 *  keeps its levels that are trained the same way and trains only the others). */
const EXTENDABLE_FIELDS = new Set(["densities", "levelSteps"]);

export type Freshness = "fresh" | "stale" | "missing" | "invalid";

export interface ExperimentStatus {
  experiment: ExperimentDeclaration;
  path: string;
  state: Freshness;
  /** stale: what differs; invalid: why the file cannot be read; missing: "file not found". */
  reasons: string[];
  /** The validated file (fresh or stale). */
  file?: DataFile;
  /** Stale only in its densities or per-level steps: `--extend` can keep its other levels. */
  extendable: boolean;
}

/** The data file of an experiment in `dir`. */
export function experimentPath(dir: string, e: ExperimentDeclaration): string {
  return join(dir, `${e.name}.json`);
}

/** Whether `dir` holds a fresh data file for `e`: read and validated, then its key compared. */
export function experimentStatus(e: ExperimentDeclaration, dir: string): ExperimentStatus {
  const path = experimentPath(dir, e);
  const plan = experimentPlan(e);
  let file: DataFile;
  try {
    file = readDataFile(path);
  } catch (err) {
    const message = (err as Error).message;
    const reason = message.startsWith(path) ? message.slice(path.length + 2) : message;
    return { experiment: e, path, state: reason === "file not found" ? "missing" : "invalid", reasons: [reason], extendable: false };
  }
  const fields = differingFields(plan, file);
  const reasons = fields.map(describeField);
  return { experiment: e, path, state: reasons.length ? "stale" : "fresh", reasons, file, extendable: fields.length > 0 && fields.every((f) => EXTENDABLE_FIELDS.has(f.name)) };
}
