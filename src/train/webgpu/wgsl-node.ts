// The WGSL files' texts in Node: read from beside this module (in a bundle, scripts/gpu-bundle.sh copies
// them beside the .mjs files).

import { readFileSync } from "node:fs";
import { WGSL_FILES, type WgslFile, type WgslSources } from "./engine-core.ts";

let cached: WgslSources | undefined;

export function nodeWgslSources(): WgslSources {
  cached ??= Object.fromEntries(WGSL_FILES.map((f) => [f, readFileSync(new URL(`./${f}`, import.meta.url), "utf8")])) as Record<WgslFile, string>;
  return cached;
}
