// Pure logic of the W explorer: a light structural check of the frames file the island fetches
// (explorer-frames.ts makes it at build time from the analysed experiment, src/site/experiment.ts),
// level selection, the per-level summary (regime, loss, K), the hover details of one weight and the
// explorer's state in the page's URL. No DOM, no zod, no Plot (the island imports this module, and all
// of it ships to the browser); the data file itself is checked once, at build time
// (src/content.config.ts), so the frames check only guards against a wrong or truncated file.

import type { Analysis } from "../../analysis/index.ts";
import type { AnalysedLevel } from "../../site/experiment.ts";
import { formatDensity, formatLoss, formatSigned } from "../../figures/format.ts";

export class ExplorerDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExplorerDataError";
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Index of the level whose density is nearest `density` (on a log scale); ties go to the denser level. */
export function levelIndexForDensity(levels: readonly { density: number }[], density: number | undefined): number {
  if (levels.length === 0) throw new ExplorerDataError("no levels");
  if (density === undefined || !(density > 0)) return 0;
  let best = 0;
  let bestGap = Infinity;
  levels.forEach((level, k) => {
    const gap = Math.abs(Math.log(level.density) - Math.log(density));
    if (gap < bestGap - 1e-12) {
      best = k;
      bestGap = gap;
    }
  });
  return best;
}

/** Clamps a slider value to a valid level index. */
export function clampLevelIndex(index: number, count: number): number {
  if (!Number.isFinite(index)) return 0;
  return Math.min(count - 1, Math.max(0, Math.round(index)));
}

/** The slider's accessible value text, e.g. "density 0.1 (sparsity 0.9)". */
export function densityValueText(density: number): string {
  return `density ${formatDensity(density)} (sparsity ${formatDensity(1 - density)})`;
}

/** What the explorer prints about the selected level. */
export interface LevelSummary {
  density: number;
  densityText: string;
  sparsityText: string;
  /** Best held-out loss, formatted. */
  lossText: string;
  /** K. */
  modelsPerLevel: number;
  /** "all 4 models finished" or "3 of 4 finished, 1 diverged", then "; the best is model 2 (of 0–3)" where recorded. */
  modelsText: string;
  regimeId: Analysis["regime"]["id"];
  /** The paper's phrase (or the unlabelled description). */
  regimeLabel: string;
  /** Which rule fired, and on what facts. */
  regimeReason: string;
  represented: number;
  dropped: number;
  monosemantic: number;
  polysemantic: number;
  /** False for a linear hidden layer: its neurons are an arbitrary basis, so the analysis's regime,
   *  roles and kept features (rules about a ReLU's neurons) are not shown for it. */
  privileged: boolean;
}

/** What levelSummary reads of a level: a data file's level, or the trainer's copy of an article's winner
 *  (src/article-components/trainer/result.ts), which keeps the count of finished models, not their losses. */
export type SummarisedLevel = Pick<AnalysedLevel["level"], "density" | "diverged"> & {
  losses: { readonly length: number };
  best: Pick<AnalysedLevel["level"]["best"], "loss" | "model">;
};

/** The summary of one analysed level of a file that trained `modelsPerLevel` models per density;
 *  `privileged` is false for a linear hidden layer. */
export function levelSummary({ level, analysis }: { level: SummarisedLevel; analysis: Analysis }, modelsPerLevel: number, privileged = true): LevelSummary {
  const K = modelsPerLevel.toLocaleString("en");
  const finished = level.losses.length;
  const winner = level.best.model;
  const modelsText =
    (level.diverged > 0 ? `${finished.toLocaleString("en")} of ${K} finished, ${level.diverged} diverged` : finished === modelsPerLevel ? `all ${K} models finished` : `${finished.toLocaleString("en")} of ${K} finished`) +
    (winner === undefined ? "" : `; the best is model ${winner.toLocaleString("en")} (of 0–${(modelsPerLevel - 1).toLocaleString("en")})`);
  const c = analysis.counts;
  return {
    density: level.density,
    densityText: formatDensity(level.density),
    sparsityText: formatDensity(1 - level.density),
    lossText: formatLoss(level.best.loss),
    modelsPerLevel,
    modelsText,
    regimeId: analysis.regime.id,
    regimeLabel: privileged ? analysis.regime.phrase : "none: no privileged basis",
    regimeReason: privileged ? analysis.regime.reason : "A linear hidden layer's neurons are an arbitrary rotation of its hidden space: the regimes, which say which neurons store which features, do not apply.",
    represented: c.represented,
    dropped: c.dropped,
    monosemantic: c.monosemantic,
    polysemantic: c.polysemantic,
    privileged,
  };
}

/** One weight of W and its context, shown when the pointer (or keyboard) is on it. */
export interface CellDetail {
  neuron: number;
  feature: number;
  weight: number;
  /** Σ_{j≠i} (Ŵ_i · W_j)² of the feature, from the analysis. */
  superposition: number;
  /** ‖W_i‖. */
  norm: number;
  /** Neuron j stores feature i (W[j][i] above the analysis threshold); absent for a linear hidden
   *  layer, whose neurons are an arbitrary basis (the analysis's rules are for a ReLU's). */
  stored?: boolean;
  /** The feature is dropped. */
  dropped: boolean;
  /** The neuron's role; absent for a linear hidden layer, as `stored`. */
  neuronRole?: Analysis["roles"][number];
}

/** The details of W[neuron][feature]; `privileged` is false for a linear hidden layer (no roles). */
export function cellDetail(W: readonly (readonly number[])[], analysis: Analysis, neuron: number, feature: number, privileged = true): CellDetail {
  const row = W[neuron];
  if (!row || !(feature >= 0 && feature < row.length)) throw new ExplorerDataError(`no weight for neuron ${neuron}, feature ${feature}`);
  return {
    neuron,
    feature,
    weight: row[feature],
    superposition: analysis.superposition[feature],
    norm: analysis.norms[feature],
    dropped: analysis.codes[feature].length === 0,
    ...(privileged && { stored: analysis.codes[feature].includes(neuron), neuronRole: analysis.roles[neuron] }),
  };
}

/** The details as label/value rows for the details panel. */
export function cellDetailRows(d: CellDetail): [label: string, value: string][] {
  return [
    ["Feature", `${d.feature}${d.dropped ? " (dropped)" : ""}`],
    ["Neuron", d.neuronRole ? `n${d.neuron} (${d.neuronRole})` : `n${d.neuron}`],
    ["Weight W", formatSigned(d.weight, 3)],
    ["Superposition of the feature", formatSigned(d.superposition, 3)],
    ["Feature norm ‖W_i‖", formatSigned(d.norm, 3)],
    ...(d.stored === undefined ? [] : [["Stored by this neuron", d.stored ? "yes" : "no"] as [string, string]]),
  ];
}

/** The same details in one line, for the SVG <title> tooltip of a cell or stack segment. */
export function cellDetailTitle(d: CellDetail): string {
  return `Feature ${d.feature}, neuron n${d.neuron}: w = ${formatSigned(d.weight, 3)}; superposition of feature ${d.feature} = ${formatSigned(d.superposition, 3)}${d.dropped ? " (dropped)" : ""}`;
}

/** Moves a (row, column) selection by an arrow key within rows × columns; null for other keys. */
export function moveSelection(sel: { row: number; col: number }, key: string, rows: number, cols: number): { row: number; col: number } | null {
  const step: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (key === "Home") return { row: sel.row, col: 0 };
  if (key === "End") return { row: sel.row, col: cols - 1 };
  const d = step[key];
  if (!d) return null;
  return { row: Math.min(rows - 1, Math.max(0, sel.row + d[0])), col: Math.min(cols - 1, Math.max(0, sel.col + d[1])) };
}

export type ExplorerView = "both" | "matrix" | "stack";
export const EXPLORER_VIEWS: readonly { id: ExplorerView; label: string }[] = [
  { id: "both", label: "Both" },
  { id: "matrix", label: "Matrix" },
  { id: "stack", label: "Stack" },
];

/** Schema tag of the explorer's frames file (src/pages/explorer/[model].json.ts). */
export const EXPLORER_FRAMES_SCHEMA = "privileged-basis-explorer/1";

/** One density level of the explorer, computed and rendered at build time. */
export interface ExplorerFrame {
  density: number;
  summary: LevelSummary;
  /** Neurons in the matrix's row order, top to bottom (the analysis's canonical order). */
  order: number[];
  /** Details of W[j][i] at cells[j × features + i]. */
  cells: CellDetail[];
  /** The matrix and stack plot as SVG markup, rects tagged with data-neuron/data-feature and titled. */
  matrixSvg: string;
  stackSvg: string;
}

/** The explorer's frames file: every level of one data file, densest first. */
export interface ExplorerFrames {
  schema: typeof EXPLORER_FRAMES_SCHEMA;
  model: string;
  /** The data file the frames were computed from, e.g. "relu-hidden.json". */
  dataFile: string;
  features: number;
  neurons: number;
  modelsPerLevel: number;
  /** "ReLU hidden layer" / "Linear hidden layer". */
  label: string;
  /** Half-width of every frame's matrix colour scale (see explorerScales). */
  maxAbs: number;
  /** The colour legends of every frame (weights; features), as SVG markup. */
  legendSvg: string;
  frames: ExplorerFrame[];
}

const SUMMARY_TEXT_FIELDS = ["densityText", "sparsityText", "lossText", "modelsText", "regimeLabel", "regimeReason"] as const;
const CELL_NUMBER_FIELDS = ["neuron", "feature", "weight", "superposition", "norm"] as const;

/**
 * Checks the shape of a fetched frames file (schema, sizes, and for every frame its density,
 * summary texts, row order, m × n cell details and two SVGs; densities strictly decreasing) and
 * returns it. Throws an ExplorerDataError naming the first problem.
 */
export function parseExplorerFrames(json: unknown): ExplorerFrames {
  if (!isObject(json)) throw new ExplorerDataError("the explorer file is not a JSON object");
  if (json.schema !== EXPLORER_FRAMES_SCHEMA) throw new ExplorerDataError(`unknown schema ${JSON.stringify(json.schema)}`);
  const { features: n, neurons: m, modelsPerLevel: K, frames } = json;
  if (!isPositiveInt(n) || !isPositiveInt(m) || !isPositiveInt(K)) throw new ExplorerDataError("features, neurons and modelsPerLevel must be positive integers");
  if (!isFiniteNumber(json.maxAbs) || json.maxAbs <= 0) throw new ExplorerDataError("maxAbs must be a positive number");
  if (typeof json.label !== "string" || typeof json.legendSvg !== "string") throw new ExplorerDataError("label and legendSvg must be text");
  if (!Array.isArray(frames) || frames.length === 0) throw new ExplorerDataError("frames must be a non-empty array");
  frames.forEach((frame: unknown, k: number) => {
    const at = `frames[${k}]`;
    if (!isObject(frame)) throw new ExplorerDataError(`${at} is not an object`);
    const { density, summary, order, cells, matrixSvg, stackSvg } = frame;
    if (!isFiniteNumber(density) || density <= 0 || density > 1) throw new ExplorerDataError(`${at}.density must be in (0, 1]`);
    if (k > 0 && !(density < Number((frames[k - 1] as Json).density))) throw new ExplorerDataError(`${at}.density must be below the previous frame's`);
    if (!isObject(summary) || !SUMMARY_TEXT_FIELDS.every((f) => typeof summary[f] === "string")) throw new ExplorerDataError(`${at}.summary is incomplete`);
    if (!Array.isArray(order) || order.length !== m || !order.every((j) => Number.isInteger(j) && j >= 0 && j < m)) throw new ExplorerDataError(`${at}.order must list the ${m} neurons`);
    if (!Array.isArray(cells) || cells.length !== m * n) throw new ExplorerDataError(`${at}.cells must hold ${m * n} weights`);
    cells.forEach((cell: unknown, c: number) => {
      if (!isObject(cell) || !CELL_NUMBER_FIELDS.every((f) => isFiniteNumber(cell[f])) || cell.neuron !== Math.floor(c / n) || cell.feature !== c % n) {
        throw new ExplorerDataError(`${at}.cells[${c}] is not the weight of neuron ${Math.floor(c / n)}, feature ${c % n}`);
      }
    });
    for (const [name, svg] of [["matrixSvg", matrixSvg], ["stackSvg", stackSvg]] as const) {
      if (typeof svg !== "string" || !svg.startsWith("<svg")) throw new ExplorerDataError(`${at}.${name} is not SVG markup`);
    }
  });
  return json as unknown as ExplorerFrames;
}

/** What the explorer shows, as the page's URL keeps it: ?model=linear&density=0.1&view=stack. */
export interface ExplorerUrlState {
  model?: string;
  density?: number;
  view?: ExplorerView;
}

/** The explorer's state read from a URL's query (unknown or malformed values are ignored). */
export function readUrlState(search: string, models: readonly string[]): ExplorerUrlState {
  const q = new URLSearchParams(search);
  const out: ExplorerUrlState = {};
  const model = q.get("model");
  const full = model && (models.includes(model) ? model : models.find((m) => m === `${model}-hidden`));
  if (full) out.model = full;
  const density = Number(q.get("density"));
  if (q.has("density") && density > 0 && density <= 1) out.density = density;
  const view = q.get("view");
  if (EXPLORER_VIEWS.some((v) => v.id === view)) out.view = view as ExplorerView;
  return out;
}

/** `search` with the explorer's state written in (other parameters kept): "?density=0.12&view=stack". */
export function writeUrlState(search: string, state: { model: string; density: number; view: ExplorerView }, defaultModel: string): string {
  const q = new URLSearchParams(search);
  if (state.model === defaultModel) q.delete("model");
  else q.set("model", state.model.replace(/-hidden$/, ""));
  q.set("density", formatDensity(state.density));
  if (state.view === "both") q.delete("view");
  else q.set("view", state.view);
  const text = q.toString();
  return text ? `?${text}` : "";
}
