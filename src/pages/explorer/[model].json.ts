// The explorer's frames, one static JSON file per data file (dist/explorer/relu-hidden.json, …):
// every level's summary, weight details and pre-rendered matrix and stack plot, computed at build
// time from the validated data collection (src/article-components/explorer/explorer-frames.ts). The explorer island
// fetches this instead of the data file, so it needs no Plot, d3 or analysis code in the browser.

import type { APIRoute, GetStaticPaths } from "astro";
import { MODEL_KINDS } from "../../data/schema.ts";
import type { ModelKind } from "../../site/content.ts";
import { explorerFramesFor } from "../../site/explorer.ts";

export const getStaticPaths = (() => MODEL_KINDS.map((model) => ({ params: { model } }))) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params }) => {
  const frames = await explorerFramesFor(params.model as ModelKind);
  return new Response(JSON.stringify(frames), { headers: { "content-type": "application/json" } });
};
