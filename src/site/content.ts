// Access to the content collections from pages and components (Astro-only: imports astro:content).
// Everything that computes something from the data lives in pure modules next to this one.

import { getCollection, getEntry } from "astro:content";
import type { DataFile } from "../data/schema.ts";
import { MODEL_KINDS } from "../data/schema.ts";
import type { LevelPopulation, PopulationClaims } from "./population.ts";
import { analysedExperiment } from "./experiment.ts";
import type { AnalysedExperiment } from "./experiment.ts";

export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ExperimentData {
  relu: DataFile;
  linear: DataFile;
  /** The ReLU file's population, analysed (undefined for a file without one). */
  reluPopulation?: LevelPopulation[];
}

/** One data file, as validated by the `data` collection's loader (src/content.config.ts). */
export async function loadData(model: ModelKind): Promise<DataFile> {
  const entry = await getEntry("data", model);
  if (!entry) throw new Error(`The data collection has no entry "${model}" (see src/content.config.ts)`);
  return entry.data as DataFile;
}

/** A data file's whole population, analysed (src/site/population.ts); undefined for a file without one
 *  (schema 1). */
export interface PopulationSummary {
  levels: LevelPopulation[];
  claims: PopulationClaims;
}
export async function loadPopulation(model: ModelKind): Promise<PopulationSummary | undefined> {
  const entry = await getEntry("population", model);
  return entry?.data as PopulationSummary | undefined;
}

let both: Promise<ExperimentData> | undefined;

/** A data file analysed (src/site/experiment.ts: one analysis per file, shared by figures, facts and the
 *  explorer). */
export async function loadExperiment(model: ModelKind): Promise<AnalysedExperiment> {
  return analysedExperiment(await loadData(model));
}

/** Both data files, and the ReLU file's population analysed (loaded once per build). */
export function loadDataFiles(): Promise<ExperimentData> {
  both ??= Promise.all([loadData("relu-hidden"), loadData("linear-hidden"), loadPopulation("relu-hidden")]).then(([relu, linear, pop]) => ({ relu, linear, reluPopulation: pop?.levels }));
  return both;
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
  return (await getCollection("freshness")).map((e: { data: unknown }) => e.data as StaleExperiment);
}

/** The article's MDX sections in reading order. */
export async function loadArticle() {
  const entries = await getCollection("article");
  return [...entries].sort((a: { data: { order: number } }, b: { data: { order: number } }) => a.data.order - b.data.order);
}
