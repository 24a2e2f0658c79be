// The apparatus of a built page: its sections' front-matter (a chapter's byline falling back to the
// front page's), CHANGELOG.md and the commit being built.

import { join } from "node:path";
import { apparatusOf, buildVersion, readChangelog } from "./meta.ts";
import type { Apparatus, SectionFront } from "./meta.ts";

/** `astro build` and `astro dev` run in the project root. */
export function loadApparatus(sections: SectionFront[], front?: SectionFront, root = process.cwd()): Apparatus {
  return apparatusOf(sections, readChangelog(join(root, "CHANGELOG.md")), buildVersion(root), front);
}
