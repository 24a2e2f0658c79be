// The WGSL files' texts in a page: imported as strings by Vite (`?raw`), so the site bundles the very
// files the Node engine reads from disk (wgsl-node.ts); nothing is copied or generated.

import pcg from "./pcg.wgsl?raw";
import common from "./common.wgsl?raw";
import trainPrivate from "./train-private.wgsl?raw";
import trainWorkgroup from "./train-workgroup.wgsl?raw";
import rngDebug from "./rng-debug.wgsl?raw";
import type { WgslSources } from "./engine-core.ts";

export const BUNDLED_WGSL: WgslSources = {
  "pcg.wgsl": pcg,
  "common.wgsl": common,
  "train-private.wgsl": trainPrivate,
  "train-workgroup.wgsl": trainWorkgroup,
  "rng-debug.wgsl": rngDebug,
};
