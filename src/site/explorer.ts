// The explorer's frames for a model, computed once per build (the frames endpoint and the static
// fallback in Explorer.astro both show them, so they are rendered only once and cannot differ).
// Astro-only: reads the data collection.

import { parseExplorerData } from "../components/explorer-data.ts";
import type { ExplorerFrames } from "../components/explorer-data.ts";
import { explorerFrames } from "../components/explorer-frames.ts";
import { dataFileName } from "../data/schema.ts";
import { loadData } from "./content.ts";
import type { ModelKind } from "./content.ts";

const cache = new Map<ModelKind, Promise<ExplorerFrames>>();

/** Every level of the model's data file as an explorer frame (ids in its SVGs start with `explorer-<model>-`). */
export function explorerFramesFor(model: ModelKind): Promise<ExplorerFrames> {
  let frames = cache.get(model);
  if (!frames) {
    frames = loadData(model).then((file) => explorerFrames(parseExplorerData(file), { idPrefix: `explorer-${model}`, dataFile: dataFileName(model) }));
    cache.set(model, frames);
  }
  return frames;
}

/** Site-relative URL of the frames file (src/pages/explorer/[model].json.ts) under the base path. */
export function explorerFramesUrl(model: ModelKind, base: string): string {
  return `${base.replace(/\/?$/, "/")}explorer/${model}.json`;
}
