// What the trainer shows of a finished run, computed by the article's own code: the analysis of the
// winner's W (src/analysis: regime, roles, canonical order, superposition), its summary as the explorer
// words it (levelSummary), the selection's margin, and the matrix, stack plot and legend specs that the
// article's explorer draws (explorer-specs.ts, through the figure functions of src/figures), on one
// scale with the committed winner at the same density, if the article's data has that density.

import { analyse } from "../../analysis/index.ts";
import type { Analysis } from "../../analysis/index.ts";
import { dataFileName, type DataFile } from "../../data/schema.ts";
import { formatDensity, formatLoss } from "../../figures/format.ts";
import type { PlotSpec } from "../../figures/types.ts";
import type { ModelKind } from "../../model/config.ts";
import { analysedExperiment } from "../../site/experiment.ts";
import { levelSummary, type LevelSummary, type SummarisedLevel } from "../explorer/explorer-data.ts";
import { explorerLegends, explorerScales, explorerSpecs, type DrawnLevel } from "../explorer/explorer-specs.ts";

/** A committed winner, as the site was built with it (src/pages/trainer/committed.json.ts). */
export interface CommittedLevel {
  density: number;
  loss: number;
  finished: number;
  diverged: number;
  winner?: number;
  W: number[][];
  b: number[];
}
export interface CommittedFile {
  /** The data file's name, e.g. "relu-hidden.json". */
  file: string;
  modelsPerLevel: number;
  importance: number[];
  levels: CommittedLevel[];
}
export type CommittedData = Partial<Record<ModelKind, CommittedFile>>;

/** Every level's winner of each data file: what the trainer draws beside a reader's run. */
export function committedData(files: readonly DataFile[]): CommittedData {
  return Object.fromEntries(
    files.map((file) => [
      file.model,
      {
        file: dataFileName(file.model),
        modelsPerLevel: file.config.modelsPerLevel,
        importance: file.config.importance,
        levels: file.levels.map((l) => ({
          density: l.density, loss: l.best.loss, finished: l.losses.length, diverged: l.diverged,
          ...(l.best.model !== undefined && { winner: l.best.model }), W: l.best.W, b: l.best.b,
        })),
      } satisfies CommittedFile,
    ]),
  );
}

/** Checks the fetched committed.json enough to draw from it (the build validated the data it came from). */
export function parseCommittedData(json: unknown): CommittedData {
  const ok = (f: unknown): f is CommittedFile =>
    typeof f === "object" && f !== null && Array.isArray((f as CommittedFile).levels) && Array.isArray((f as CommittedFile).importance) &&
    (f as CommittedFile).levels.every((l) => typeof l.density === "number" && Array.isArray(l.W) && Array.isArray(l.b));
  if (typeof json !== "object" || json === null) throw new Error("the article's winners are not a JSON object");
  for (const [kind, f] of Object.entries(json)) if (!ok(f)) throw new Error(`the article's winners of ${kind} are malformed`);
  return json as CommittedData;
}

export interface ShownModel {
  key: "run" | "committed";
  title: string;
  summary: LevelSummary;
  analysis: Analysis;
  matrix: PlotSpec;
  stack: PlotSpec;
}

export interface RunResult {
  models: ShownModel[];
  /** The selection in one sentence: the winner's stage-2 loss and the runner-up's margin. */
  margin: string;
  /** Weights, superposition and (ReLU) neuron roles, as the explorer's. */
  legends: PlotSpec[];
  /** Why there is no committed winner beside the run's, when there is none. */
  noCommitted?: string;
}

/** A committed winner analysed as the article analyses its levels (src/site/experiment.ts). */
function analysedCommitted(c: CommittedLevel, importance: number[]): DrawnLevel & { level: SummarisedLevel } {
  const analysis = analyse(c.W, c.b, { importance });
  // Only what levelSummary reads: the committed file's K losses stay in it (the count is enough here).
  const level: SummarisedLevel = { density: c.density, diverged: c.diverged, losses: { length: c.finished }, best: { loss: c.loss, model: c.winner } };
  return { level, analysis, W: c.W, roles: analysis.roles, order: analysis.order };
}

/** The selection of the run's level in words (numbers from the file). */
export function marginSentence(level: DataFile["levels"][number]): string {
  const sel = level.selection;
  if (!sel) return "";
  const win = sel.candidates.find((c) => c.model === sel.winner)!;
  const runner = sel.paired.find((p) => p.model === sel.runnerUp);
  const first = `Model ${sel.winner} won among ${sel.candidates.length} candidate${sel.candidates.length === 1 ? "" : "s"}, with a loss of ${formatLoss(win.loss)} ± ${formatLoss(win.se, 2)} on ${sel.samples.toLocaleString("en")} fresh draws`;
  if (!runner) return `${first}.`;
  const margin = `the runner-up, model ${runner.model}, is ${formatLoss(runner.diff, 2)} ± ${formatLoss(runner.se, 2)} worse on the same draws`;
  return `${first}; ${margin}${sel.tie ? ": a statistical tie (within 2 standard errors)" : ""}.`;
}

export function runResult(data: DataFile, committed: CommittedData): RunResult {
  const kind = data.model;
  // The run's level, analysed as every level of the article's data is.
  const run = analysedExperiment(data).levels[0];
  const level = run.level;
  const entries: { key: ShownModel["key"]; title: string; a: DrawnLevel & { level: SummarisedLevel }; K: number }[] = [{ key: "run", title: "Your run", a: run, K: data.config.modelsPerLevel }];
  const file = committed[kind];
  const same = file?.levels.find((l) => l.density === level.density);
  let noCommitted: string | undefined;
  if (file && same) entries.push({ key: "committed", title: `The article's winner (${file.file})`, a: analysedCommitted(same, file.importance), K: file.modelsPerLevel });
  else if (file) noCommitted = `The article's data (${file.file}) has no level at density ${formatDensity(level.density)}; its densities are ${file.levels.map((l) => formatDensity(l.density)).join(", ")}.`;
  // One colour scale, stack height and superposition scale for both, as in the article's side-by-side figure.
  const drawn = { model: kind, levels: entries.map((e) => e.a) };
  const scales = explorerScales(drawn);
  const models = entries.map(({ key, title, a, K }): ShownModel => {
    const { matrix, stack } = explorerSpecs(drawn, a, scales);
    return {
      key, title, analysis: a.analysis,
      summary: levelSummary(a, K, kind === "relu-hidden"),
      matrix: { ...matrix, ariaLabel: `${title}: ${matrix.ariaLabel}` },
      stack: { ...stack, ariaLabel: `${title}: ${stack.ariaLabel}` },
    };
  });
  return {
    models,
    margin: marginSentence(level),
    legends: explorerLegends(drawn, scales),
    ...(noCommitted && { noCommitted }),
  };
}

/** The run as the bytes of a data file (as src/data/io.ts writes one). */
export function dataFileText(data: DataFile): string {
  return JSON.stringify(data) + "\n";
}
