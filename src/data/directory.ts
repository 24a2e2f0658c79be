// Where the site reads its data files: $PB_DATA_DIR (relative to the working directory) or public/data/.
// Shared by the content collection (which validates them) and astro.config.mjs (which serves the same
// files for download, so the page's links never point at other files than the ones it was built from).

import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The data files' directory: $PB_DATA_DIR if set, else `data/` inside the public directory. */
export function dataDirectory(publicDir: URL): string {
  const override = process.env.PB_DATA_DIR;
  if (override) return isAbsolute(override) ? override : resolve(process.cwd(), override);
  return fileURLToPath(new URL("data/", publicDir));
}
