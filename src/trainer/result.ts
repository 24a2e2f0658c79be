// What the trainer shows of a finished run, computed by the article's own code: the analysis of the
// winner's W (src/analysis: regime, roles, canonical order), its summary as the explorer words it
// (levelSummary), the selection's margin, and the matrix and stack plot specs of the article's figure
// functions (src/figures), drawn on one scale with the committed winner at the same density, if the
// article's data has that density.

import { analyse, type Analysis } from "../analysis/index.ts";
import { dataFileName, type DataFile } from "../data/schema.ts";
import { formatDensity, formatLoss } from "../figures/format.ts";
import { featureLegendPlot, weightLegendPlot } from "../figures/legends.ts";
import { matrixPlot, positiveColourCap, sharedMaxAbs, weightExtent } from "../figures/matrix.ts";
import { stackExtent, stackPlot } from "../figures/stack.ts";
import type { PlotSpec } from "../figures/types.ts";
import { levelSummary, type ExplorerData, type ExplorerLevel, type LevelSummary } from "../components/explorer-data.ts";
import type { ModelKind } from "../model/config.ts";

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
  legends: PlotSpec[];
  /** Why there is no committed winner beside the run's, when there is none. */
  noCommitted?: string;
}

function explorerData(kind: ModelKind, importance: number[], K: number, level: ExplorerLevel): ExplorerData {
  const m = level.W.length, n = level.W[0]?.length ?? 0;
  return { model: kind, features: n, neurons: m, importance, modelsPerLevel: K, levels: [level] };
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
  const level = data.levels[0];
  const kind = data.model;
  const runLevel: ExplorerLevel = { density: level.density, loss: level.best.loss, finished: level.losses.length, diverged: level.diverged, ...(level.best.model !== undefined && { winner: level.best.model }), W: level.best.W, b: level.best.b };
  const entries: { key: ShownModel["key"]; title: string; data: ExplorerData }[] = [
    { key: "run", title: "Your run", data: explorerData(kind, data.config.importance, data.config.modelsPerLevel, runLevel) },
  ];
  const file = committed[kind];
  const same = file?.levels.find((l) => l.density === level.density);
  let noCommitted: string | undefined;
  if (file && same) entries.push({ key: "committed", title: `The article's winner (${file.file})`, data: explorerData(kind, file.importance, file.modelsPerLevel, same) });
  else if (file) noCommitted = `The article's data (${file.file}) has no level at density ${formatDensity(level.density)}; its densities are ${file.levels.map((l) => formatDensity(l.density)).join(", ")}.`;
  const Ws = entries.map((e) => e.data.levels[0].W);
  // One colour scale and stack height for both, as in the article's side-by-side figure.
  const maxAbs = kind === "relu-hidden" ? positiveColourCap(...Ws) : sharedMaxAbs(...Ws);
  const yMax = stackExtent(...Ws);
  const models = entries.map(({ key, title, data: d }): ShownModel => {
    const l = d.levels[0];
    const analysis = analyse(l.W, l.b, { importance: d.importance });
    const at = `density ${formatDensity(l.density)}`;
    const common = { neuronOrder: analysis.order, roles: analysis.roles };
    return {
      key, title, analysis,
      summary: levelSummary(d, 0, analysis),
      matrix: matrixPlot(l.W, { ...common, maxAbs, ariaLabel: `${title}: weight matrix W at ${at}, ${d.neurons} neurons by ${d.features} features` }),
      stack: stackPlot(l.W, { ...common, yMax, ariaLabel: `${title}: stack plot of W at ${at}` }),
    };
  });
  return {
    models,
    margin: marginSentence(level),
    legends: [weightLegendPlot(maxAbs, { width: 240, extent: weightExtent(...Ws) }), featureLegendPlot(data.config.features)],
    ...(noCommitted && { noCommitted }),
  };
}

/** The run as the bytes of a data file (as src/data/io.ts writes one). */
export function dataFileText(data: DataFile): string {
  return JSON.stringify(data) + "\n";
}
