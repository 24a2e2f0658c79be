// The article's winners for the trainer (src/article-components/trainer/): every level's best W and b, loss and model counts
// of both data files, a small static JSON file (dist/trainer/committed.json) that the trainer fetches
// when a reader opens it, to draw the committed winner beside the reader's at the same density.

import type { APIRoute } from "astro";
import { loadDataFiles } from "../../site/content.ts";
import { committedData } from "../../article-components/trainer/result.ts";

export const GET: APIRoute = async () => {
  const { relu, linear } = await loadDataFiles();
  return new Response(JSON.stringify(committedData([relu, linear])), { headers: { "content-type": "application/json" } });
};
