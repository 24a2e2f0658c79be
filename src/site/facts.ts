// Every number the article's prose quotes, computed from the data files and named, as a typed value
// (a count, a density, a list of densities, a loss, a label, …), so that the MDX writes
// <Value name="relu.K" /> instead of a number and builds its sentences itself with <If>/<Plural>
// (src/article-components). `formatFact` is the one place a value becomes text; an unknown name stops
// the build. Pure.

import { convergenceSteps, type DataFile } from "../data/schema.ts";
import { countWord, formatDensity, formatDuration, formatLoss } from "../figures/format.ts";
import { DEFAULT_DROP_THRESHOLD, DEFAULT_STORE_THRESHOLD, REGIME_PHRASES, analyse } from "../analysis/index.ts";
import { findExperiment, inverseDensityRule } from "../experiments/declarations.ts";
import { codeSizeShift, experimentCodeSizes, shareDistance, type PopulationCodeLevel } from "./code-sizes.ts";
import { pairCodes, separatorGeometry, threeInTwoGeometry, type SeparatorGeometry } from "../analysis/geometry.ts";
import type { LevelPopulation, SeparatorCount } from "./population.ts";
import { NEARLY_ALL, populationClaims } from "./population.ts";
import { betterModels, winnerCertainty } from "./certainty.ts";
import { readableDevice } from "../text/device.ts";
import { levelStepsPhrases } from "../text/steps.ts";
import { PAPER_BANDS, analyseFile, comparisonLevels, levelsBetweenBands, regimeTally, selectBandLevels } from "./experiment.ts";
import type { AnalysedLevel, BandSelection } from "./experiment.ts";

export interface Experiment {
  relu: DataFile;
  linear: DataFile;
  reluPopulation?: readonly LevelPopulation[];
}

function list(xs: readonly string[]): string {
  if (xs.length <= 2) return xs.join(" and ");
  return `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

function date(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** One value the article quotes, with its kind, which says how it is written. */
export type Fact =
  | { kind: "count"; value: number }
  | { kind: "number"; value: number }
  | { kind: "density"; value: number }
  | { kind: "densities"; value: number[] }
  | { kind: "loss"; value: number }
  /** Step counts and the like, written "20,000 and 40,000". */
  | { kind: "counts"; value: number[] }
  /** A percentage, written "1.86%" (`digits` decimals, default two), or "−1.50%"/"+0.04%" when `signed`. */
  | { kind: "percent"; value: number; signed?: boolean; digits?: number }
  /** A span of signed percentages, written "−1.50% to +0.04%". */
  | { kind: "percentRange"; value: [number, number] }
  | { kind: "seconds"; value: number }
  | { kind: "date"; value: string }
  | { kind: "label"; value: string }
  | { kind: "flag"; value: boolean }
  /** Runs of densities, written "densities 0.3–0.2 and density 0.12". */
  | { kind: "densityRuns"; value: { from: number; to: number }[] }
  /** A span of signed values (cosines), written "−0.99 to −0.98", or one value when both ends agree. */
  | { kind: "range"; value: [number, number] }
  | { kind: "labelledDensities"; value: { label: string; densities: number[] }[] }
  /** Densities that train their own number of steps, written "20,000 steps at density 0.02 and
   *  40,000 at 0.01" (densest first). */
  | { kind: "levelSteps"; value: { density: number; steps: number }[] };

export type Facts = Record<string, Fact>;

/** How <Value as="…"> may write a fact besides its kind's default: a small count in words, the
 *  length of a list (as digits or words). */
export type FactFormat = "words" | "length" | "lengthWords";

const count = (value: number): Fact => ({ kind: "count", value });
const num = (value: number): Fact => ({ kind: "number", value });
const density = (value: number): Fact => ({ kind: "density", value });
/** A p-value as the text quotes it ("p = …"): two decimals, one significant digit below 0.01 (a test of
 *  2,000 shuffles reaches 0.0005), "NaN" without one. */
const pValue = (p: number): Fact => label(Number.isNaN(p) ? "NaN" : p < 0.01 ? p.toPrecision(1) : p.toFixed(2));
const densitiesOf = (value: number[]): Fact => ({ kind: "densities", value: [...value].sort((a, b) => b - a) });
const label = (value: string): Fact => ({ kind: "label", value });
const flag = (value: boolean): Fact => ({ kind: "flag", value });
const percent = (value: number, signed = false): Fact => ({ kind: "percent", value, signed });
// Signed, but a value that rounds to zero is written without a sign.
const signedPercent = (v: number) => {
  const digits = Math.abs(v).toFixed(2);
  return `${Number(digits) === 0 ? "" : v < 0 ? "−" : "+"}${digits}%`;
};

/** How many things a fact counts: a count's value, a list's length, 1/0 for a flag or a label. */
export function factSize(f: Fact): number {
  switch (f.kind) {
    case "densities":
    case "counts":
    case "labelledDensities":
    case "densityRuns":
    case "levelSteps":
      return f.value.length;
    case "percent":
      return Number.isFinite(f.value) ? 1 : 0;
    case "flag":
      return f.value ? 1 : 0;
    case "range":
    case "percentRange":
      return Number.isFinite(f.value[0]) ? 1 : 0;
    case "label":
    case "date":
      return f.value ? 1 : 0;
    default:
      return f.value;
  }
}

/** A fact as text: counts with thousands separators, densities and losses as the figures write them,
 *  lists joined with "and", durations in the unit that reads best, dates in words. */
export function formatFact(f: Fact, as?: FactFormat): string {
  if (as === "length") return String(factSize(f));
  if (as === "lengthWords") return countWord(factSize(f));
  if (as === "words") {
    if (f.kind !== "count") throw new Error(`as="words" needs a count, not a ${f.kind}`);
    return countWord(f.value);
  }
  switch (f.kind) {
    case "count":
      return f.value.toLocaleString("en");
    case "number":
      return String(f.value);
    case "density":
      return formatDensity(f.value);
    case "densities":
      return list(f.value.map(formatDensity));
    case "loss":
      return formatLoss(f.value);
    case "counts":
      return list(f.value.map((v) => v.toLocaleString("en")));
    case "percent":
      return f.signed ? signedPercent(f.value) : `${f.value.toFixed(f.digits ?? 2)}%`;
    case "percentRange": {
      const [lo, hi] = f.value.map(signedPercent);
      return lo === hi ? lo : `${lo} to ${hi}`;
    }
    case "seconds":
      return formatDuration(f.value);
    case "date":
      return date(f.value);
    case "label":
      return f.value;
    case "flag":
      return f.value ? "yes" : "no";
    case "range": {
      const [lo, hi] = f.value.map((v) => cos(v));
      return lo === hi ? lo : `${lo} to ${hi}`;
    }
    case "labelledDensities":
      return list(f.value.map((g) => `“${g.label}” at ${g.densities.length === 1 ? "density" : "densities"} ${list(g.densities.map(formatDensity))}`));
    case "densityRuns":
      return list(f.value.map((r) => (r.from === r.to ? `density ${formatDensity(r.from)}` : `densities ${formatDensity(r.from)}–${formatDensity(r.to)}`)));
    case "levelSteps":
      return list(levelStepsPhrases(f.value, " steps"));
  }
}

/** Where steps ∝ 1/density starts, from the densest level with its own steps: its density × its steps
 *  / config.steps, to two significant digits (the entries are rounded up to a thousand steps); NaN
 *  without one. */
function levelStepsFrom(densest: { density: number; steps: number } | undefined, steps: number): number {
  return densest ? Number(((densest.density * densest.steps) / steps).toPrecision(2)) : NaN;
}

function fileFacts(prefix: string, file: DataFile): Facts {
  const c = file.config;
  const densities = file.levels.map((l) => l.density).sort((a, b) => b - a);
  const diverged = file.levels.reduce((s, l) => s + l.diverged, 0);
  const decay = c.importance.length > 1 && c.importance[0] > 0 ? c.importance[1] / c.importance[0] : NaN;
  const geometric = Number.isFinite(decay) && c.importance.every((v, i) => Math.abs(v - c.importance[0] * decay ** i) <= 1e-9 * Math.max(1, c.importance[0]));
  const losses = file.levels.map((l) => l.best.loss);
  // Densities trained longer (or shorter) than `steps`, densest first.
  const levelSteps = [...(c.levelSteps ?? [])].sort((a, b) => b.density - a.density).map(({ density, steps }) => ({ density, steps }));
  const stepsFrom = levelStepsFrom(levelSteps[0], c.steps);
  return {
    [`${prefix}.n`]: count(c.features),
    [`${prefix}.m`]: count(c.neurons),
    [`${prefix}.K`]: count(c.modelsPerLevel),
    [`${prefix}.steps`]: count(c.steps),
    // The per-level steps, the most steps of any level, the density from which steps grow as 1/density
    // (src/experiments/declarations.ts inverseDensitySteps), read back from the data, and the densities
    // that train fewer steps than that rule gives (a cap, or a declared exception).
    [`${prefix}.levelSteps`]: { kind: "levelSteps", value: levelSteps },
    [`${prefix}.stepsMax`]: count(Math.max(c.steps, ...levelSteps.map((l) => l.steps))),
    [`${prefix}.levelStepsFrom`]: density(stepsFrom),
    [`${prefix}.levelStepsShortAt`]: densitiesOf(levelSteps.filter((l) => l.steps < inverseDensityRule(c.steps, stepsFrom, l.density)).map((l) => l.density)),
    [`${prefix}.batchSize`]: count(c.batchSize),
    [`${prefix}.lr`]: num(c.optimizer.lr),
    [`${prefix}.beta1`]: num(c.optimizer.beta1),
    [`${prefix}.beta2`]: num(c.optimizer.beta2),
    [`${prefix}.eps`]: num(c.optimizer.eps),
    [`${prefix}.weightDecay`]: num(c.optimizer.weightDecay),
    [`${prefix}.seed`]: num(c.seed),
    [`${prefix}.evalSamples`]: count(c.evalSamples),
    [`${prefix}.importanceDecay`]: geometric ? num(Number(decay.toPrecision(6))) : label("(not geometric)"),
    [`${prefix}.lastFeature`]: num(c.features - 1),
    [`${prefix}.importanceLast`]: num(Number(c.importance[c.importance.length - 1].toPrecision(3))),
    [`${prefix}.levels`]: count(file.levels.length),
    [`${prefix}.densities`]: densitiesOf(densities),
    [`${prefix}.densityMax`]: density(densities[0]),
    [`${prefix}.densityMin`]: density(densities[densities.length - 1]),
    [`${prefix}.modelsTrained`]: count(c.modelsPerLevel * file.levels.length),
    [`${prefix}.diverged`]: count(diverged),
    [`${prefix}.bestLossMax`]: { kind: "loss", value: Math.max(...losses) },
    [`${prefix}.bestLossMin`]: { kind: "loss", value: Math.min(...losses) },
    [`${prefix}.engine`]: label(file.run.engine),
    [`${prefix}.engineDetail`]: label(engineDetail(file.run)),
    [`${prefix}.device`]: label(readableDevice(file.run.device)),
    [`${prefix}.trainTime`]: { kind: "seconds", value: file.run.trainSeconds },
    [`${prefix}.createdAt`]: { kind: "date", value: file.run.createdAt },
    [`${prefix}.commit`]: label(file.run.commit === "unknown" ? "unknown (trained outside a git checkout)" : file.run.commit.slice(0, 12)),
  };
}

/** The engine with what the run records: "webgpu: private kernel, 64-thread workgroups, 3.21 s of GPU
 *  time", "cpu: simd kernel"; just the engine's name for files that record no kernel. */
export function engineDetail(run: DataFile["run"]): string {
  const parts: string[] = [];
  if (run.kernel) parts.push(`${run.kernel.name} kernel`);
  if (run.kernel?.workgroupSize !== undefined) parts.push(`${run.kernel.workgroupSize}-thread workgroups`);
  if (run.gpuSeconds !== undefined) parts.push(`${run.gpuSeconds.toFixed(2)} s of GPU time`);
  return parts.length ? `${run.engine}: ${parts.join(", ")}` : run.engine;
}

const built = new WeakMap<Experiment, Facts>();

/** buildFacts, once per experiment object: the article has dozens of <Value>s. */
export function factsOf(exp: Experiment): Facts {
  let facts = built.get(exp);
  if (!facts) built.set(exp, (facts = buildFacts(exp)));
  return facts;
}

/** How a file's winners were chosen, for the MDX to word: the two stages' numbers ("….stage1Z"
 *  standard errors, at least "….stage1Min" candidates, stage-2 samples of "….stage2DrawsMin" to
 *  "….stage2DrawsMax" million draws), where the file has them ("….hasSelection"). Every name exists
 *  for every file, because the build looks up the facts in both branches of an <If>; a file without
 *  the selection gets NaN, which is only written if the MDX forgets its <If> (the build test looks
 *  for NaN in the page). */
export function selectionMethodFacts(prefix: string, file: DataFile): Facts {
  const s = file.levels.every((l) => l.selection) ? file.levels[0].selection : undefined;
  const draws = file.levels.map((l) => l.selection?.samples ?? NaN);
  return {
    [`${prefix}.stage1Z`]: num(s ? s.stage1.z : NaN),
    [`${prefix}.stage1Min`]: count(s ? s.stage1.min : NaN),
    [`${prefix}.stage2DrawsMin`]: num(s ? Number((Math.min(...draws) / 1e6).toFixed(1)) : NaN),
    // Whole millions from ten million on, one decimal below.
    [`${prefix}.stage2DrawsMax`]: num(s ? Number((Math.max(...draws) / 1e6).toFixed(Math.max(...draws) < 1e7 ? 1 : 0)) : NaN),
  };
}

/**
 * What the two-stage selection found, for the MDX to word: whether the file has it ("….hasSelection"),
 * the densities whose winner is a tie with its runner-up ("….ties", at "….tieSE" standard errors) and
 * those where the larger sample overturned the held-out ranking ("….overturned"); with the
 * diagnostics ("….hasDiagnostics"), the densities where another density's winner does better on the
 * own data ("….beatenOn"), by how much at most (as a share of the own winner's loss, "….beatenByMax", at
 * "….beatenByMaxAt"), and where another winner, fine-tuned there, beats the from-scratch winner
 * ("….continuationBeats").
 */
export function selectionFacts(prefix: string, file: DataFile): Facts {
  const levels = file.levels;
  const has = levels.every((l) => l.selection);
  const tieSE = levels[0].selection?.tieSE ?? 2;
  const d = has ? file.diagnostics : undefined;
  // How much another density's winner beats a level's own, as a share of the own winner's stage-2 loss
  // (the sample the cross-evaluation scores both on).
  const margin = (f: NonNullable<typeof d>["failures"][number]) => {
    const sel = levels.find((l) => l.density === f.on)?.selection;
    const own = sel?.candidates.find((c) => c.model === sel.winner);
    return own ? -f.diff / own.loss : NaN;
  };
  const worst = d?.failures.reduce((a, f) => (margin(f) > margin(a) ? f : a), d.failures[0]);
  return {
    [`${prefix}.hasSelection`]: flag(has),
    [`${prefix}.tieSE`]: num(tieSE),
    [`${prefix}.ties`]: densitiesOf(has ? levels.filter((l) => l.selection!.tie).map((l) => l.density) : []),
    [`${prefix}.overturned`]: densitiesOf(has ? levels.filter((l) => l.selection!.winner !== l.selection!.stage1.best).map((l) => l.density) : []),
    [`${prefix}.hasDiagnostics`]: flag(Boolean(d)),
    [`${prefix}.beatenOn`]: densitiesOf([...new Set(d?.failures.map((f) => f.on) ?? [])]),
    [`${prefix}.beatenByMax`]: { kind: "percent", value: worst ? 100 * margin(worst) : NaN, digits: 1 },
    [`${prefix}.beatenByMaxAt`]: density(worst?.on ?? NaN),
    [`${prefix}.continuationBeats`]: densitiesOf(d ? d.continuation.levels.filter((c) => c.diff < -tieSE * c.se).map((c) => c.density) : []),
  };
}

const cos = (v: number) => (v < 0 ? `−${Math.abs(v).toFixed(2)}` : v.toFixed(2));
const signed = cos;

/**
 * The paper's finer claim about three features in two neurons, measured on every such winner, for the
 * MDX to word: the densities of those winners ("relu.threeInTwo.densities"); whether they all have
 * the shape the paper describes (the three most important features on neurons of their own, the next
 * three sharing two neurons, one of them on both: "….alike"), which feature is on both, and the
 * ranges of the cosines within the two shared neurons (of that feature with the other two, and of the
 * other two with each other); otherwise, per winner, what was found ("….details", a list of phrases).
 */
export function threeInTwoFacts(file: DataFile): Facts {
  const found = analyseFile(file).flatMap((a) => {
    const g = threeInTwoGeometry(a.analysis, a.W);
    return g ? [{ density: a.level.density, g }] : [];
  });
  const alike = found.length > 0 && found.every(({ g }) => g.dedicatedAreTopThree && g.sharedAreNextThree && g.onBoth !== null && g.onBoth === found[0].g.onBoth);
  const span = (xs: number[]): Fact => ({ kind: "range", value: xs.length ? [Math.min(...xs), Math.max(...xs)] : [NaN, NaN] });
  const one = ({ density, g }: (typeof found)[number]) => {
    const head = `at density ${formatDensity(density)}, features ${list(g.dedicated.map(String))} have neurons of their own${g.dedicatedAreTopThree ? " (the three most important)" : ""} and features ${list(g.shared.map(String))} share neurons n${g.neurons[0]} and n${g.neurons[1]}${g.sharedAreNextThree ? " (the next three)" : ""}`;
    if (g.onBoth === null || !g.pair || !g.onBothCosines) return `${head}, but no single shared feature is on both neurons`;
    return `${head}; feature ${g.onBoth} is on both, at cosines ${cos(g.onBothCosines[0])} and ${cos(g.onBothCosines[1])} with features ${g.pair[0]} and ${g.pair[1]} in those two neurons, and those two meet at cosine ${cos(g.pairCosine)}`;
  };
  return {
    "relu.threeInTwo.densities": densitiesOf(found.map((f) => f.density)),
    "relu.threeInTwo.alike": flag(alike),
    "relu.threeInTwo.onBoth": num(alike ? found[0].g.onBoth! : NaN),
    "relu.threeInTwo.onBothCosines": span(alike ? found.flatMap(({ g }) => g.onBothCosines!) : []),
    "relu.threeInTwo.pairCosines": span(alike ? found.map(({ g }) => g.pairCosine) : []),
    "relu.threeInTwo.details": label(alike ? "" : found.map(one).join("; ")),
  };
}

const span = (xs: readonly number[]) => (xs.length === 1 ? `feature ${xs[0]}` : xs.every((x, k) => k === 0 || x === xs[k - 1] + 1) ? `features ${xs[0]}–${xs[xs.length - 1]}` : `features ${list(xs.map(String))}`);

/**
 * The paper's description of six in four and eight in five — one neuron separates the important from the
 * unimportant features — measured on every winner with either label (separatorGeometry), and, with the
 * population, on every model with either label.
 */
export function separatorSentence(file: DataFile, population?: readonly LevelPopulation[]): string {
  const winners = analyseFile(file).filter((a) => a.analysis.regime.id === "six-in-four" || a.analysis.regime.id === "eight-in-five");
  const parts: string[] = [];
  if (!winners.length) parts.push("None of our winners is labelled six in four or eight in five.");
  const at = (xs: readonly AnalysedLevel[]) => `${xs.length === 1 ? "density" : "densities"} ${list(xs.map((a) => formatDensity(a.level.density)))}`;
  const lo = (xs: number[]) => Math.min(...xs), hi = (xs: number[]) => Math.max(...xs);
  const groups = new Map<string, AnalysedLevel[]>();
  for (const a of winners) groups.set(a.analysis.regime.id, [...(groups.get(a.analysis.regime.id) ?? []), a]);
  for (const [id, group] of groups) {
    const phrase = REGIME_PHRASES[id as keyof typeof REGIME_PHRASES];
    const geos = group.map((a) => ({ a, g: separatorGeometry(a.analysis, a.W) }));
    const sep = geos.filter((x) => x.g?.byImportance) as { a: AnalysedLevel; g: SeparatorGeometry }[];
    const split = geos.filter((x) => x.g && !x.g.byImportance) as { a: AnalysedLevel; g: SeparatorGeometry }[];
    const none = geos.filter((x) => !x.g).map((x) => x.a);
    const of = (k: number) => (group.length === 1 ? `our winner labelled ${phrase}` : k === group.length ? `all ${countWord(k)} of our winners labelled ${phrase}` : `${countWord(k)} of our ${countWord(group.length)} winners labelled ${phrase}`);
    if (sep.length) {
      const same = sep.every(({ g }) => g.negative.join() === sep[0].g.negative.join() && g.positive.join() === sep[0].g.positive.join());
      const neg = sep.flatMap(({ g }) => g.negativeWeights), pos = sep.flatMap(({ g }) => g.positiveWeights);
      let t = `In ${of(sep.length)} (${at(sep.map((x) => x.a))}), one neuron separates the important features from the unimportant ones: it has negative weights (${signed(lo(neg))} to ${signed(hi(neg))}) on ${same ? span(sep[0].g.negative) : "the more important features"} and stores ${same ? span(sep[0].g.positive) : "the less important ones"} (${signed(lo(pos))} to ${signed(hi(pos))})`;
      const loo = sep.filter(({ g }) => g.leaveOneOut).length, pairs = sep.filter(({ g }) => g.pairsWithSeparator).length;
      const others = sep[0].g.blockNeurons.length - 1;
      const inHowMany = (k: number) => (k === sep.length ? (sep.length === 1 ? "" : "in every one, ") : `in ${k} of them, `);
      if (loo) t += `; ${inHowMany(loo)}each important feature is stored by ${countWord(others - 1)} of the other ${countWord(others)} neurons and silenced by the remaining one, a different one for each`;
      if (pairs) t += `; ${inHowMany(pairs)}each unimportant feature by the separating neuron and one more, a different one each`;
      parts.push(`${t}.`);
    }
    if (split.length) {
      const one = ({ a, g }: (typeof split)[number]) => `${span(g.negative)} against ${span(g.positive)}${split.length > 1 ? ` at ${formatDensity(a.level.density)}` : ""}`;
      parts.push(`In ${sep.length ? `the other ${split.length === 1 ? "one" : countWord(split.length)}` : of(split.length)} (${at(split.map((x) => x.a))}), one neuron also splits the block in two, negative on one group and storing the other, but not by importance: ${list(split.map(one))}.`);
    }
    // Where such a winner is beaten by another density's winner fine-tuned there: is the better model the
    // paper's picture?
    const tie = file.levels[0].selection?.tieSE ?? 2;
    const beaten = [...split, ...none.map((a) => ({ a }))].flatMap(({ a }) => {
      const c = file.diagnostics?.continuation.levels.find((x) => x.density === a.level.density);
      if (!c || !(c.diff < -tie * c.se)) return [];
      const g = separatorGeometry(analyse(c.W, c.b, { importance: file.config.importance }), c.W);
      return [{ a, paper: !!g?.byImportance && g.leaveOneOut && g.pairsWithSeparator }];
    });
    const paper = beaten.filter((x) => x.paper).map((x) => x.a);
    if (beaten.length) {
      parts.push(paper.length
        ? `At ${at(paper)}${paper.length < beaten.length ? ` (of the ${countWord(beaten.length)} where a fine-tuned model wins)` : ""}, the other density's winner fine-tuned there beats the winner and has exactly the paper's separating neuron, with both codes: there the paper's picture is the better arrangement, and training from scratch did not find it.`
        : `Where another density's winner fine-tuned there beats the winner (${at(beaten.map((x) => x.a))}), it has no such neuron either.`);
    }
    if (none.length) parts.push(`In ${sep.length || split.length ? `the remaining ${none.length === 1 ? "one" : countWord(none.length)}` : of(none.length)} (${at(none)}), no neuron splits the block so.`);
  }
  const counts = population?.flatMap((l) => l.separators ?? []) ?? [];
  if (counts.length) {
    const sum = (cs: SeparatorCount[], key: Exclude<keyof SeparatorCount, "regime">) => cs.reduce((t, c) => t + c[key], 0).toLocaleString("en");
    const bits = ["six-in-four", "eight-in-five"].flatMap((id) => {
      const cs = counts.filter((c) => c.regime === id);
      return cs.length ? [`of the ${sum(cs, "models")} ${id} models, ${sum(cs, "separated")} have a neuron that separates the important from the unimportant features (${sum(cs, "leaveOneOut")} with both codes as described) and ${sum(cs, "split")} one that splits the block in two in any way`] : [];
    });
    parts.push(`Across the whole population (every density), ${list(bits)}.`);
  }
  return parts.join(" ");
}

/**
 * Whether the file's step counts are enough, from the convergence diagnostic (src/train/diagnostics.ts), for
 * the MDX to word, under "<prefix>.convergence" ("relu" for the first chapter's file, an experiment's name
 * for the others): the sample trained longer ("relu.convergence.models", ".leading", ".spread"), the longer
 * readings (".steps": their step counts where a density trains config.steps; ".factors": the same as
 * multiples of a density's steps; ".factor": the last of them), whether each run reproduced the winner bit
 * for bit (".exact"), how the winner's own loss moves trained longest (".winnerChange": [min, max],
 * ".winnerMedian", as percentages), the densities where the best of them then beats the winner beyond the
 * tie rule (".beatsAt", of ".levels"), its largest gain (".largestGain" %, ".largestGainAt") and where its
 * regime label differs from the winner's (".changedAt", with the longer-trained model's label), and where
 * that gain is beyond the tie rule and at least ".substantialGain" of the loss (".substantialAt"; whether
 * the sparsest density is one of them: ".sparsestImproving").
 * ".recorded" is false for a file without the diagnostic, and then every other value is empty.
 */
/** A gain from training longer that is more than noise and more than this share of the loss (%) means
 *  the file's step count is not enough at that density: the models there are still improving. */
export const SUBSTANTIAL_GAIN = 1;

export function convergenceFacts(file: DataFile, prefix = "relu"): Facts {
  const cv = file.diagnostics?.convergence;
  const p = `${prefix}.convergence`;
  if (!cv)
    return {
      [`${p}.recorded`]: flag(false), [`${p}.models`]: count(0), [`${p}.leading`]: count(0), [`${p}.spread`]: count(0),
      [`${p}.steps`]: { kind: "counts", value: [] }, [`${p}.factors`]: { kind: "counts", value: [] }, [`${p}.factor`]: count(0), [`${p}.exact`]: flag(false),
      [`${p}.winnerChange`]: { kind: "percentRange", value: [NaN, NaN] }, [`${p}.winnerMedian`]: percent(NaN, true),
      [`${p}.beatsAt`]: densitiesOf([]), [`${p}.levels`]: count(0), [`${p}.largestGain`]: percent(NaN),
      [`${p}.largestGainAt`]: density(NaN), [`${p}.changedAt`]: { kind: "labelledDensities", value: [] },
      [`${p}.substantialAt`]: densitiesOf([]), [`${p}.substantialGain`]: { kind: "percent", value: SUBSTANTIAL_GAIN, digits: 0 }, [`${p}.sparsestImproving`]: flag(false),
    };
  const last = cv.steps.length - 1, tie = file.levels[0].selection?.tieSE ?? 2;
  const analysed = analyseFile(file);
  const rows = cv.levels.map((c, li) => {
    const own = c.losses[0][0].loss - c.losses[0][0].diff;
    const winnerRow = c.losses[c.models.indexOf(file.levels[li].selection!.winner)];
    const best = c.losses[c.models.indexOf(c.best.model)][last];
    const regime = analyse(c.best.W, c.best.b, { importance: file.config.importance }).regime;
    return { density: c.density, winnerRel: winnerRow[last].diff / own, bestRel: best.diff / own, beats: best.diff < -tie * best.se, regimeChanged: regime.id !== analysed[li].analysis.regime.id, regime: regime.phrase };
  });
  const sorted = rows.map((r) => r.winnerRel).sort((a, b) => a - b);
  const beats = rows.filter((r) => r.beats);
  const worst = beats.length ? beats.reduce((a, b) => (b.bestRel < a.bestRel ? b : a)) : null;
  const substantial = beats.filter((r) => -100 * r.bestRel >= SUBSTANTIAL_GAIN);
  return {
    [`${p}.recorded`]: flag(true),
    [`${p}.models`]: count(cv.levels[0].models.length),
    [`${p}.leading`]: count(cv.levels[0].leading),
    [`${p}.spread`]: count(cv.levels[0].models.length - cv.levels[0].leading),
    [`${p}.steps`]: { kind: "counts", value: cv.steps.slice(1) },
    [`${p}.factors`]: { kind: "counts", value: cv.steps.slice(1).map((s) => s / cv.steps[0]) },
    [`${p}.factor`]: count(cv.steps[last] / cv.steps[0]),
    [`${p}.exact`]: flag(cv.levels.every((c) => c.reproduction === 0)),
    [`${p}.winnerChange`]: { kind: "percentRange", value: [100 * sorted[0], 100 * sorted[sorted.length - 1]] },
    [`${p}.winnerMedian`]: percent(100 * sorted[Math.floor(sorted.length / 2)], true),
    [`${p}.beatsAt`]: densitiesOf(beats.map((r) => r.density)),
    [`${p}.levels`]: count(rows.length),
    [`${p}.largestGain`]: percent(worst ? -100 * worst.bestRel : NaN),
    [`${p}.largestGainAt`]: density(worst?.density ?? NaN),
    [`${p}.changedAt`]: { kind: "labelledDensities", value: groupByLabel(beats.filter((r) => r.regimeChanged)) },
    [`${p}.substantialAt`]: densitiesOf(substantial.map((r) => r.density)),
    [`${p}.substantialGain`]: { kind: "percent", value: SUBSTANTIAL_GAIN, digits: 0 },
    [`${p}.sparsestImproving`]: flag(substantial.some((r) => r.density === Math.min(...file.levels.map((l) => l.density)))),
  };
}

/**
 * The paper's finer claim about feature pairs, for the MDX to word: the densities of the winners that
 * code features as pairs of neurons ("relu.pairs.densities"), those where every such feature has a pair
 * of its own ("….distinctAt") or where some share one ("….reusedAt", with "….reused": which features
 * share which neurons, as phrases), and how many pairs m neurons have ("….possible").
 */
export function pairCodeFacts(file: DataFile): Facts {
  const found = analyseFile(file).filter((a) => a.analysis.regime.id === "feature-pairs").map((a) => ({ density: a.level.density, p: pairCodes(a.analysis) }));
  const reused = found.filter((f) => f.p.reused.length);
  return {
    "relu.pairs.densities": densitiesOf(found.map((f) => f.density)),
    "relu.pairs.distinctAt": densitiesOf(found.filter((f) => !f.p.reused.length).map((f) => f.density)),
    "relu.pairs.reusedAt": densitiesOf(reused.map((f) => f.density)),
    "relu.pairs.reused": label(reused.map((f) => `at ${formatDensity(f.density)}, ${f.p.reused.map((r) => `features ${list(r.features.map(String))} share n${r.pair.replace("-", " and n")}`).join("; ")}`).join("; ")),
    "relu.pairs.possible": count((file.config.neurons * (file.config.neurons - 1)) / 2),
  };
}

/**
 * The facts of an experiment beyond the first chapter's, under its name: its config and run (as fileFacts:
 * "<name>.n", ".K", ".levels", ".densities", …), its selection and diagnostics (selectionFacts: ".ties",
 * ".beatenOn", …; convergenceFacts: ".convergence.*") and how its feature codes grow as density falls
 * (src/analysis/codes.ts) — for its winners:
 *   ".regimes": the paper's labels where they apply, with their densities; ".unnamedAt": the others;
 *   ".codes.possible": 2^m − 1 non-empty codes; ".codes.threeNeuronAt": densities whose winner codes some
 *   feature with three or more neurons; ".codes.largest", ".codes.largestAt": the largest code size and
 *   the densest level with it; ".codes.mostRepresented", ".codes.mostRepresentedAt": the most features a
 *   winner represents; ".codes.mostDistinct": the most distinct codes; ".codes.pairsAt": densities whose
 *   winner codes at least half its represented features with exactly two neurons; ".codes.settled": the
 *   sparsest densities over which the winners' code sizes stop changing; ".codes.sharedAt": densities whose
 *   winner gives two features the same code; ".codes.pairsAndSingles": m + m(m − 1)/2 codes of one or two
 *   neurons; ".codes.denseAt": densities whose winner has a dense binary code — more distinct codes than
 *   that, and most represented features on three or more neurons;
 * and, with the population (`population`, one entry per level), over all K models of each level:
 *   ".population.threeNeuronShareMax" (%) and ".…MaxAt": the largest share of represented features coded
 *   with ≥ 3 neurons; ".population.threeNeuronShareSparsest" (%): that share at the sparsest density, and
 *   ".population.oneNeuronShareSparsest" (%) the share coded with one neuron there;
 *   ".population.modelsWithThreeSparsest": models with such a code there (of ".population.modelsSparsest");
 *   ".population.threeNeuronMinority": whether that share stays under half at every density;
 *   ".population.settledAt": the sparsest densities between which the population's code sizes move by less
 *   than ".population.settledShift" of its features (the total variation distance; at least the sparsest
 *   density), ".population.lastShift": how far they move between the two sparsest, ".population.previousShift":
 *   between the two before them (the second and third sparsest), and ".…ShiftP" for each: the p-value of
 *   a permutation test of that move against shuffling the two levels' models (codeSizeShift);
 *   ".population.largest": the largest code in any model; ".population.hasData": whether there is one.
 */
/** Code sizes are "settled" over densities between which they move by less than this share (%) of the
 *  features. In the committed chapter-2 populations three pairs of neighbours differ by less: n = 20 from
 *  0.005 to 0.003 (3.8%, after which it moved again, by 7.4% and 9.0%) and from 0.001 to 0.0005 (2.5%),
 *  and n = 32 from 0.0005 to 0.0002 (1.5%); every other pair differs by 5.3–44% (the least, 5.3%: n = 20
 *  from 0.1 to 0.07 and n = 32 from 0.002 to 0.001). With K = 100 models a move of about 5% is at the edge
 *  of what the permutation test (codeSizeShift) tells from chance, which is why the text gives its p. */
export const SETTLED_SHIFT = 5;

export function experimentFacts(name: string, file: DataFile, population?: readonly PopulationCodeLevel[]): Facts {
  const m = file.config.neurons;
  const { winners } = experimentCodeSizes(file);
  const rows = winners.rows;
  const analysed = analyseFile(file);
  const named = analysed.filter((a) => a.analysis.regime.id !== "unlabelled");
  const most = (key: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => (key(r) > key(a) ? r : a), rows[0]);
  const represented = most((r) => r.structure.represented);
  const distinct = most((r) => r.structure.distinct);
  // A dense binary code: more distinct codes than codes of one or two neurons could give, and most
  // represented features coded with three or more neurons.
  const dense = (r: (typeof rows)[number]) => r.structure.distinct > m + (m * (m - 1)) / 2 && r.structure.sizes.slice(3).reduce((t, c) => t + c, 0) > r.structure.represented / 2;
  const threeShare = (p: PopulationCodeLevel) => 100 * p.sizeShares.slice(3).reduce((t, x) => t + x, 0);
  const pop = population?.length ? [...population].sort((a, b) => b.density - a.density) : undefined;
  const popMax = pop ? pop.reduce((a, p) => (threeShare(p) > threeShare(a) ? p : a), pop[0]) : undefined;
  const sparsest = pop?.at(-1);
  // How far the population's code sizes move from one density to the next: the total variation distance
  // between the two distributions of represented features over code sizes, i.e. the share of features
  // whose size would have to change. Settled: the sparsest run of densities between which every move is
  // under SETTLED_SHIFT.
  const shift = (a: PopulationCodeLevel, b: PopulationCodeLevel) => shareDistance(a.sizeShares.slice(1), b.sizeShares.slice(1));
  // Whether a move is more than chance: the permutation test's p over the two levels' models.
  const shiftP = (a: PopulationCodeLevel, b: PopulationCodeLevel) => (a.modelSizes && b.modelSizes ? codeSizeShift(a.modelSizes, b.modelSizes).p : NaN);
  let from = pop ? pop.length - 1 : 0;
  while (pop && from > 0 && shift(pop[from - 1], pop[from]) < SETTLED_SHIFT) from--;
  return {
    ...fileFacts(name, file),
    ...selectionFacts(name, file),
    ...convergenceFacts(file, name),
    [`${name}.regimes`]: { kind: "labelledDensities", value: labelGroups(named) },
    [`${name}.unnamedAt`]: densitiesOf(analysed.filter((a) => a.analysis.regime.id === "unlabelled").map((a) => a.level.density)),
    [`${name}.codes.possible`]: count(2 ** m - 1),
    [`${name}.codes.threeNeuronAt`]: densitiesOf(winners.threeNeuronDensities),
    [`${name}.codes.largest`]: count(winners.largest.size),
    [`${name}.codes.largestAt`]: density(winners.largest.density ?? NaN),
    [`${name}.codes.mostRepresented`]: count(represented.structure.represented),
    [`${name}.codes.mostRepresentedAt`]: density(represented.density),
    [`${name}.codes.mostDistinct`]: count(distinct.structure.distinct),
    [`${name}.codes.pairsAt`]: densitiesOf(rows.filter((r) => r.structure.represented && r.structure.sizes[2] >= r.structure.represented / 2).map((r) => r.density)),
    [`${name}.codes.settled`]: densitiesOf(winners.settled),
    [`${name}.codes.sharedAt`]: densitiesOf(rows.filter((r) => r.structure.sharedCodes > 0).map((r) => r.density)),
    [`${name}.codes.pairsAndSingles`]: count(m + (m * (m - 1)) / 2),
    [`${name}.codes.denseAt`]: densitiesOf(rows.filter(dense).map((r) => r.density)),
    [`${name}.population.hasData`]: flag(Boolean(pop)),
    // Shares of thousands of features from K models: whole percents.
    [`${name}.population.threeNeuronShareMax`]: { kind: "percent", value: popMax ? threeShare(popMax) : NaN, digits: 0 },
    [`${name}.population.threeNeuronShareMaxAt`]: density(popMax?.density ?? NaN),
    [`${name}.population.threeNeuronShareSparsest`]: { kind: "percent", value: sparsest ? threeShare(sparsest) : NaN, digits: 0 },
    [`${name}.population.oneNeuronShareSparsest`]: { kind: "percent", value: sparsest ? 100 * sparsest.sizeShares[1] : NaN, digits: 0 },
    [`${name}.population.modelsWithThreeSparsest`]: count(sparsest?.withThreeNeuronCode ?? NaN),
    [`${name}.population.modelsSparsest`]: count(sparsest?.models ?? NaN),
    [`${name}.population.threeNeuronMinority`]: flag(popMax ? threeShare(popMax) < 50 : false),
    [`${name}.population.settledShift`]: { kind: "percent", value: SETTLED_SHIFT, digits: 0 },
    [`${name}.population.settledAt`]: densitiesOf(pop ? pop.slice(from).map((p) => p.density) : []),
    [`${name}.population.lastShift`]: { kind: "percent", value: pop && pop.length > 1 ? shift(pop[pop.length - 2], pop[pop.length - 1]) : NaN, digits: 0 },
    [`${name}.population.previousShift`]: { kind: "percent", value: pop && pop.length > 2 ? shift(pop[pop.length - 3], pop[pop.length - 2]) : NaN, digits: 0 },
    [`${name}.population.lastShiftP`]: pValue(pop && pop.length > 1 ? shiftP(pop[pop.length - 2], pop[pop.length - 1]) : NaN),
    [`${name}.population.previousShiftP`]: pValue(pop && pop.length > 2 ? shiftP(pop[pop.length - 3], pop[pop.length - 2]) : NaN),
    [`${name}.population.largest`]: count(pop ? Math.max(...pop.map((p) => p.largest)) : NaN),
  };
}

/** All named facts. Keys: "relu.*", "linear.*" (see fileFacts), "analysis.*", "defaults.*" and the
 *  derived ones below. */
export function buildFacts(exp: Experiment): Facts {
  const facts: Facts = { ...fileFacts("relu", exp.relu), ...fileFacts("linear", exp.linear) };
  facts["analysis.storeThreshold"] = num(DEFAULT_STORE_THRESHOLD);
  facts["analysis.dropThreshold"] = num(DEFAULT_DROP_THRESHOLD);
  facts["defaults.K"] = count(findExperiment("relu-hidden")!.modelsPerLevel);
  Object.assign(facts, selectionMethodFacts("relu", exp.relu), selectionMethodFacts("linear", exp.linear));
  Object.assign(facts, selectionFacts("relu", exp.relu), selectionFacts("linear", exp.linear));
  facts["relu.hasPopulation"] = flag(Boolean(exp.relu.population));
  Object.assign(facts, bandFacts(selectBandLevels(exp.relu)));
  Object.assign(facts, threeInTwoFacts(exp.relu), pairCodeFacts(exp.relu), betterModelFacts(exp.relu, exp.reluPopulation), populationFacts(exp.reluPopulation));
  facts["relu.separatorGeometry"] = label(separatorSentence(exp.relu, exp.reluPopulation));
  Object.assign(facts, convergenceFacts(exp.relu));
  const compare = comparisonLevels(exp.relu, exp.linear);
  facts["compare.density"] = density(compare.relu.level.density);
  facts["compare.linearDensity"] = density(compare.linear.level.density);
  facts["compare.sameDensity"] = flag(compare.same);
  facts["compare.dedicatedNeurons"] = count(compare.relu.roles.filter((r) => r === "monosemantic").length);
  const tally = regimeTally(exp.relu);
  const named = tally.filter((t) => t.id !== "unlabelled");
  const namedLevels = named.reduce((s, t) => s + t.densities.length, 0);
  facts["relu.namedLevels"] = count(namedLevels);
  facts["relu.unlabelledLevels"] = count(exp.relu.levels.length - namedLevels);
  facts["relu.paperBands"] = count(PAPER_BANDS.length);
  facts["relu.betweenBands"] = { kind: "labelledDensities", value: labelGroups(levelsBetweenBands(exp.relu)) };
  facts["relu.betweenBandsLevels"] = count(levelsBetweenBands(exp.relu).length);
  facts["relu.regimesSeen"] = count(named.length);
  const analysed = analyseFile(exp.relu);
  const maxRepresented = Math.max(...analysed.map((a) => a.analysis.counts.represented));
  facts["relu.maxRepresented"] = count(maxRepresented);
  const atMax = analysed.filter((a) => a.analysis.counts.represented === maxRepresented).map((a) => a.level.density);
  facts["relu.maxRepresentedDensity"] = density(Math.max(...atMax));
  const densest = analysed.reduce((a, b) => (b.level.density > a.level.density ? b : a));
  facts["relu.densestDensity"] = density(densest.level.density);
  facts["relu.representedAtDensest"] = count(densest.analysis.counts.represented);
  facts["relu.allMonoDensities"] = densitiesOf(analysed.filter((a) => a.analysis.counts.polysemantic === 0).map((a) => a.level.density));
  Object.assign(facts, nearBestFacts(exp.relu));
  facts["relu.maxMonosemantic"] = count(Math.max(...analysed.map((a) => a.analysis.counts.monosemantic)));
  Object.assign(facts, shiftFacts(analysed), superpositionFacts(analysed), lossComparisonFacts(exp));
  return facts;
}

/**
 * How neurons go from monosemantic to polysemantic as the inputs grow sparser: the sparsest density
 * that still has a monosemantic neuron ("relu.lastMonoDensity"), the densest from which on every
 * sparser model has only polysemantic neurons ("relu.allPolyFrom"; each a list of one density, or
 * empty when there is none), and how many monosemantic neurons the densest and the sparsest model have.
 */
export function shiftFacts(levels: readonly AnalysedLevel[]): Facts {
  const byDensity = [...levels].sort((a, b) => b.level.density - a.level.density);
  const mono = (a: AnalysedLevel) => a.analysis.counts.monosemantic;
  const withMono = byDensity.filter((a) => mono(a) > 0);
  let from = byDensity.length;
  while (from > 0 && mono(byDensity[from - 1]) === 0) from--;
  const out: Facts = {
    "relu.monoAtDensest": count(mono(byDensity[0])),
    "relu.monoAtSparsest": count(mono(byDensity[byDensity.length - 1])),
    "relu.sparsestDensity": density(byDensity[byDensity.length - 1].level.density),
    "relu.allPolyLevels": count(byDensity.length - from),
  };
  // Lists of one density, or none (so that the MDX can test them with <If>).
  out["relu.lastMonoDensity"] = densitiesOf(withMono.length ? [withMono[withMono.length - 1].level.density] : []);
  out["relu.allPolyFrom"] = densitiesOf(from < byDensity.length ? [byDensity[from].level.density] : []);
  return out;
}

/** The largest superposition of a kept feature over the levels, and where it is. */
export function superpositionFacts(levels: readonly AnalysedLevel[]): Facts {
  let best = { v: 0, d: levels[0].level.density };
  for (const a of levels) a.analysis.superposition.forEach((v, i) => !a.analysis.dropped.includes(i) && v > best.v && (best = { v, d: a.level.density }));
  const above = levels.filter((a) => a.analysis.superposition.some((v, i) => !a.analysis.dropped.includes(i) && v > 1 + 1e-9)).map((a) => a.level.density);
  return {
    "relu.superpositionMax": num(Number(best.v.toFixed(1))),
    "relu.superpositionMaxDensity": density(best.d),
    "relu.superpositionAboveOne": densitiesOf(above),
  };
}

/**
 * The two models' best losses where both were trained: the densities where the linear hidden layer's is
 * lower by more than 1% ("compare.linearLowerAt") or higher ("compare.reluLowerAt"), and the smallest
 * ratio linear / ReLU with its density.
 */
export function lossComparisonFacts(exp: Experiment): Facts {
  const relu = analyseFile(exp.relu);
  const pairs = analyseFile(exp.linear).flatMap((l) => {
    const r = relu.find((x) => x.level.density === l.level.density);
    return r ? [{ density: l.level.density, ratio: l.level.best.loss / r.level.best.loss }] : [];
  });
  const lowest = pairs.reduce((a, b) => (b.ratio < a.ratio ? b : a), pairs[0] ?? { density: NaN, ratio: NaN });
  return {
    "compare.commonDensities": densitiesOf(pairs.map((p) => p.density)),
    "compare.linearLowerAt": densitiesOf(pairs.filter((p) => p.ratio < 0.99).map((p) => p.density)),
    "compare.reluLowerAt": densitiesOf(pairs.filter((p) => p.ratio > 1.01).map((p) => p.density)),
    "compare.lossRatioMin": num(Number(lowest.ratio.toPrecision(2))),
    "compare.lossRatioMinDensity": density(lowest.density),
  };
}

/** Densities grouped by the label of their winner, in order (densest first). */
function labelGroups(members: readonly AnalysedLevel[]): { label: string; densities: number[] }[] {
  return groupByLabel(members.map((m) => ({ density: m.level.density, regime: m.analysis.regime.phrase })));
}

/** Densities grouped by their regime phrase, groups in order of first appearance. */
function groupByLabel(members: readonly { density: number; regime: string }[]): { label: string; densities: number[] }[] {
  const groups: { label: string; densities: number[] }[] = [];
  for (const m of members) {
    const g = groups.find((x) => x.label === m.regime);
    if (g) g.densities.push(m.density);
    else groups.push({ label: m.regime, densities: [m.density] });
  }
  return groups;
}

/** Models of a level whose held-out loss is within `within` (relative) of the best one's. */
export function nearBestCount(level: DataFile["levels"][number], within = 0.01): number {
  return level.losses.filter((v) => v <= level.best.loss * (1 + within)).length;
}

/**
 * How rare the best solution is: how many of the K models come within 1% of the best loss at the
 * densest level ("relu.nearBest.densest" at "relu.densestDensity"), and, where there is one, the
 * sparse run of levels (down to the sparsest) at which at most 1% of the models do: from which density
 * ("relu.nearBest.rareFrom"), the most and fewest there, and where the fewest are ("….rareFewestAt",
 * empty when there is no such run).
 */
export function nearBestFacts(file: DataFile): Facts {
  const levels = [...file.levels].sort((a, b) => b.density - a.density);
  const K = file.config.modelsPerLevel;
  const counts = levels.map((l) => nearBestCount(l));
  let start = levels.length;
  while (start > 0 && counts[start - 1] <= K / 100) start--;
  const rare = start === 0 ? [] : counts.slice(start);
  const fewest = rare.length ? Math.min(...rare) : 0;
  return {
    "relu.nearBest.densest": count(counts[0]),
    "relu.nearBest.rareFrom": density(rare.length ? levels[start].density : levels[levels.length - 1].density),
    "relu.nearBest.rareMost": count(rare.length ? Math.max(...rare) : 0),
    "relu.nearBest.rareFewest": count(fewest),
    "relu.nearBest.rareFewestAt": densitiesOf(rare.length ? levels.slice(start).filter((_, k) => rare[k] === fewest).map((l) => l.density) : []),
  };
}

/**
 * The models the diagnostics found better than a density's from-scratch winner (src/site/certainty.ts):
 * the densities that have one ("relu.better.densities"), those where one has another regime label than
 * the winner ("….changed"), whether some were trained longer ("….longer") and to how many steps
 * ("….longerSteps", NaN when the file has no convergence check).
 */
export function betterModelFacts(file: DataFile, population?: readonly LevelPopulation[]): Facts {
  const rows = betterModels(file, winnerCertainty(file, population));
  const winner = (density: number) => analyseFile(file).find((a) => a.level.density === density)!;
  const cv = file.diagnostics?.convergence;
  const longest = cv ? Math.max(...cv.levels.map((_, k) => convergenceSteps(cv, k).at(-1)!)) : NaN;
  return {
    "relu.better.densities": densitiesOf(rows.map((r) => r.density)),
    "relu.better.changed": densitiesOf(rows.filter((r) => r.better.some((b) => b.analysis.regime.id !== winner(r.density).analysis.regime.id)).map((r) => r.density)),
    "relu.better.longer": flag(rows.some((r) => r.better.some((b) => b.how === "longer"))),
    "relu.better.longerSteps": count(longest),
  };
}

/**
 * The paper's two claims about whole populations, measured (src/site/population.ts): the densities where
 * the winner's regime is also the commonest among the K models ("relu.population.winnerTypical") or is
 * not ("….winnerRare"), of "….levels" analysed, and the runs of densities where at least "….nearlyAll"
 * per cent of the models share one weight configuration ("….uniform"). Empty for a file without a
 * population.
 */
export function populationFacts(population?: readonly LevelPopulation[]): Facts {
  const claims = population ? populationClaims(population) : { winnerIsTypical: [], winnerIsRare: [], uniformRanges: [] };
  return {
    "relu.population.levels": count(population?.length ?? 0),
    "relu.population.winnerTypical": densitiesOf(claims.winnerIsTypical),
    "relu.population.winnerRare": densitiesOf(claims.winnerIsRare),
    "relu.population.uniform": { kind: "densityRuns", value: claims.uniformRanges.map((r) => ({ from: r.from, to: r.to })) },
    "relu.population.nearlyAll": num(Math.round(NEARLY_ALL * 100)),
  };
}

/** Looks a fact up, or throws naming the unknown key and the known ones (stops the build). */
export function fact(facts: Facts, name: string): Fact {
  const v = facts[name];
  if (v === undefined) throw new Error(`<Value name="${name}" />: no such fact. Known: ${Object.keys(facts).sort().join(", ")}`);
  return v;
}
/**
 * What our models in each of the paper's bands show, for the MDX to word ("band.<id>.*"): the trained
 * densities in the band ("members"), those whose label is the paper's ("matching"), the others grouped
 * by their label ("others") and the paper's label ("paper").
 */
export function bandFacts(selections: readonly BandSelection[]): Facts {
  const out: Facts = {};
  for (const sel of selections) {
    const b = `band.${sel.band.id}`;
    const others = sel.members.filter((m) => m.analysis.regime.id !== sel.band.expected);
    out[`${b}.members`] = densitiesOf(sel.members.map((m) => m.level.density));
    out[`${b}.matching`] = densitiesOf(sel.members.filter((m) => m.analysis.regime.id === sel.band.expected).map((m) => m.level.density));
    out[`${b}.others`] = { kind: "labelledDensities", value: labelGroups(others) };
    out[`${b}.paper`] = label(REGIME_PHRASES[sel.band.expected as keyof typeof REGIME_PHRASES] ?? sel.band.expected);
  }
  return out;
}
