// The explorer's frames for a model, computed once per build (the frames endpoint and the static
// fallback in Explorer.astro both show them, so they are rendered only once and cannot differ).
// Astro-only: reads the data collection.

import { parseExplorerData } from "../article-components/explorer/explorer-data.ts";
import type { ExplorerFrames } from "../article-components/explorer/explorer-data.ts";
import { explorerFrames } from "../article-components/explorer/explorer-frames.ts";
import { dataFileName } from "../data/schema.ts";
import type { DataFile } from "../data/schema.ts";
import { loadData } from "./content.ts";
import type { ModelKind } from "./content.ts";
import { siteUrl } from "./urls.ts";

// Keyed by the loaded file, so that `astro dev` recomputes the frames when a data file changes.
const cache = new WeakMap<DataFile, ExplorerFrames>();

/** Every level of the model's data file as an explorer frame (ids in its SVGs start with `explorer-<model>-`). */
export async function explorerFramesFor(model: ModelKind): Promise<ExplorerFrames> {
  const file = await loadData(model);
  let frames = cache.get(file);
  if (!frames) {
    frames = explorerFrames(parseExplorerData(file), { idPrefix: `explorer-${model}`, dataFile: dataFileName(model) });
    cache.set(file, frames);
  }
  return frames;
}

/** Site-relative URL of the frames file (src/pages/explorer/[model].json.ts) under the base path. */
export function explorerFramesUrl(model: ModelKind, base: string): string {
  return siteUrl(base, `explorer/${model}.json`);
}
