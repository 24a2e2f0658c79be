// The article's apparatus in MDX front-matter: who wrote it, when it was first published, and the works
// it cites. Any section may list references (the page merges them, in section order); the byline and
// date belong to the first section, next to the title and description. Checked by the `article`
// collection's schema (src/content.config.ts), so a malformed entry stops the build naming the field.

import { z } from "astro/zod";

export const referenceSchema = z.object({
  /** Anchor of the entry in the references list: cite it in MDX as [Author, year](#ref-<id>). */
  id: z.string().regex(/^[a-z0-9-]+$/, "a reference id is lowercase letters, digits and hyphens"),
  authors: z.array(z.string().min(1)).min(1),
  title: z.string().min(1),
  /** Journal, thread or site. */
  venue: z.string().min(1),
  year: z.number().int(),
  url: z.string().url(),
  doi: z.string().optional(),
});

export const apparatusFields = {
  authors: z.array(z.string().min(1)).min(1).optional(),
  /** First publication (YYYY-MM-DD); later changes are listed in CHANGELOG.md. */
  published: z.coerce.date().optional(),
  references: z.array(referenceSchema).optional(),
};
