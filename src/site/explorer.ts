// The explorer's frames for a model, computed once per build from the analysed experiment (the frames
// endpoint and the server-rendered explorer both show them, so they are rendered only once and cannot
// differ). Astro-only: reads the data collection.

import type { ExplorerFrames } from "../article-components/explorer/explorer-data.ts";
import { explorerFrames } from "../article-components/explorer/explorer-frames.ts";
import { dataFileName } from "../data/schema.ts";
import type { AnalysedExperiment } from "./experiment.ts";
import { loadExperiment } from "./content.ts";
import type { ModelKind } from "./content.ts";
import { siteUrl } from "./urls.ts";

// Keyed by the analysed file, so that `astro dev` recomputes the frames when a data file changes.
const cache = new WeakMap<AnalysedExperiment, ExplorerFrames>();

/** Every level of the model's data file as an explorer frame (ids in its SVGs start with `explorer-<model>-`). */
export async function explorerFramesFor(model: ModelKind): Promise<ExplorerFrames> {
  const exp = await loadExperiment(model);
  let frames = cache.get(exp);
  if (!frames) cache.set(exp, (frames = explorerFrames(exp, { idPrefix: `explorer-${model}`, dataFile: dataFileName(model) })));
  return frames;
}

/** Site-relative URL of the frames file (src/pages/explorer/[model].json.ts) under the base path. */
export function explorerFramesUrl(model: ModelKind, base: string): string {
  return siteUrl(base, `explorer/${model}.json`);
}
