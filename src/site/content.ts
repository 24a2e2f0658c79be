// Access to the content collections from pages and components (Astro-only: imports astro:content).
// Everything that computes something from the data lives in pure modules next to this one.

import { getCollection, getEntry } from "astro:content";
import type { DataFile } from "../data/schema.ts";
import { MODEL_KINDS } from "../data/schema.ts";
import { CHAPTER_ONE_EXPERIMENTS, declaredExperiments } from "../experiments/declarations.ts";
import type { LevelPopulation, PopulationClaims } from "./population.ts";
import type { PopulationCodeLevel } from "./code-sizes.ts";
import { analysedExperiment } from "./experiment.ts";
import type { AnalysedExperiment } from "./experiment.ts";
import { experimentFacts, factsOf, type Facts } from "./facts.ts";

export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ExperimentData {
  relu: DataFile;
  linear: DataFile;
  /** The ReLU file's population, analysed (undefined for a file without one). */
  reluPopulation?: LevelPopulation[];
}

/** One declared experiment's data file (src/experiments/declarations.ts), as validated by the `data`
 *  collection's loader (src/content.config.ts). An undeclared name stops the build, naming the declared ones. */
export async function loadData(name: string): Promise<DataFile> {
  const entry = await getEntry("data", name);
  if (!entry) throw new Error(`No experiment "${name}" has data (declared: ${declaredExperiments().map((e) => e.name).join(", ")}; see src/experiments/declarations.ts)`);
  return entry.data as DataFile;
}

/** A data file's whole population, analysed (src/site/population.ts); undefined for a file without one
 *  (schema 1). */
export interface PopulationSummary {
  levels: LevelPopulation[];
  claims: PopulationClaims;
  /** Per level, how many neurons the models' feature codes use (src/site/code-sizes.ts). */
  codeSizes: PopulationCodeLevel[];
}
export async function loadPopulation(name: string): Promise<PopulationSummary | undefined> {
  const entry = await getEntry("population", name);
  return entry?.data as PopulationSummary | undefined;
}

let both: Promise<ExperimentData> | undefined;

/** A data file analysed (src/site/experiment.ts: one analysis per file, shared by figures, facts and the
 *  explorer). */
export async function loadExperiment(name: string): Promise<AnalysedExperiment> {
  return analysedExperiment(await loadData(name), name);
}

/** Both data files, and the ReLU file's population analysed (loaded once per build). */
export function loadDataFiles(): Promise<ExperimentData> {
  both ??= Promise.all([loadData("relu-hidden"), loadData("linear-hidden"), loadPopulation("relu-hidden")]).then(([relu, linear, pop]) => ({ relu, linear, reluPopulation: pop?.levels }));
  return both;
}

let facts: Promise<Facts> | undefined;

/** Every fact the MDX can quote (src/site/facts.ts): the first chapter's ("relu.*", "linear.*", …) and,
 *  for every other declared experiment, its own under its name ("relu-n20.K", "relu-n20.codes.…"). */
export function loadFacts(): Promise<Facts> {
  facts ??= (async () => {
    const all: Facts = { ...factsOf(await loadDataFiles()) };
    for (const { name } of declaredExperiments()) {
      if (CHAPTER_ONE_EXPERIMENTS.includes(name)) continue;
      const entry = await getEntry("data", name);
      if (!entry) continue; // missing data: only in a PB_ALLOW_STALE build, which says so in its banner
      Object.assign(all, experimentFacts(name, entry.data as DataFile, (await loadPopulation(name))?.codeSizes));
    }
    return all;
  })();
  return facts;
}

/** A declared experiment whose data is not fresh: only in a build with PB_ALLOW_STALE=1 (any other build
 *  stops instead). */
export interface StaleExperiment {
  name: string;
  state: "stale" | "missing";
  reasons: string[];
  command: string;
}
export async function loadStaleExperiments(): Promise<StaleExperiment[]> {
  const entry = await getEntry("freshness", "experiments");
  return ((entry?.data as { stale?: StaleExperiment[] } | undefined)?.stale ?? []);
}

type Section = { data: { order: number; page: string; title: string; description: string } };

/** The MDX sections of one page ("" the front page, else a chapter's page name) in reading order. */
export async function loadArticle(page = ""): Promise<any[]> {
  const entries = (await getCollection("article")) as Section[];
  return entries.filter((e) => e.data.page === page).sort((a, b) => a.data.order - b.data.order);
}

/** Every page other than the front page that some section names, with its first section's title. */
export async function loadChapterPages(): Promise<{ page: string; title: string }[]> {
  const entries = (await getCollection("article")) as Section[];
  const pages = [...new Set(entries.map((e) => e.data.page).filter((p) => p !== ""))];
  return Promise.all(pages.map(async (page) => ({ page, title: (await loadArticle(page))[0].data.title })));
}
