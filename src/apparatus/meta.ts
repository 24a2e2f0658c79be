// The apparatus of the article page, computed at build time from the sections' front-matter, the
// committed CHANGELOG.md and git: byline, dates, version, the "Cite this" BibTeX, the references list,
// and the citation_* / OpenGraph / Twitter meta tags. Pure functions besides `buildVersion` (git) and
// `readChangelog` (a file), so tests can check each piece.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { z } from "astro/zod";
import type { referenceSchema } from "./front-matter.ts";

export type Reference = z.infer<typeof referenceSchema>;

/** What the page needs from a section's front-matter (src/content.config.ts). */
export interface SectionFront {
  title: string;
  description: string;
  authors?: string[];
  published?: Date;
  references?: Reference[];
}

/** The commit the page was built from. */
export interface Version {
  commit: string;
  /** Committer date, YYYY-MM-DD. */
  date: string;
  /** The working tree differed from the commit when the page was built. */
  modified: boolean;
}

export interface ChangelogEntry {
  date: string;
  text: string;
}

export interface Apparatus {
  title: string;
  description: string;
  authors: string[];
  /** YYYY-MM-DD */
  published: string;
  version: Version | undefined;
  changelog: ChangelogEntry[];
  references: Reference[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The apparatus of the page made of `sections` (in reading order). The byline and first publication
 * date come from the page's first section, or, on a chapter whose first section names neither, from
 * `front` (the front page's first section: a chapter is by the report's authors); one of them must
 * have them. References come from every section of the page, each id once.
 */
export function apparatusOf(sections: SectionFront[], changelog: ChangelogEntry[], version: Version | undefined, front?: SectionFront): Apparatus {
  const first = sections[0];
  if (!first) throw new Error("content/ holds no article sections (*.mdx)");
  const byline = !first.authors && !first.published && front ? front : first;
  if (!byline.authors?.length) throw new Error(`content: the first section ("${byline.title}") needs \`authors\` in its front-matter (the byline)`);
  if (!byline.published) throw new Error(`content: the first section ("${byline.title}") needs \`published: YYYY-MM-DD\` in its front-matter`);
  const references: Reference[] = [];
  for (const s of sections) {
    for (const r of s.references ?? []) {
      if (references.some((x) => x.id === r.id)) throw new Error(`content: reference id "${r.id}" is listed twice (section "${s.title}")`);
      references.push(r);
    }
  }
  return { title: first.title, description: first.description, authors: byline.authors, published: day(byline.published), version, changelog, references };
}

/**
 * CHANGELOG.md's entries, newest first: every line "- YYYY-MM-DD: what changed" (other lines are
 * prose). A line that starts like an entry but does not parse stops the build naming it.
 */
export function parseChangelog(text: string, file = "CHANGELOG.md"): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  text.split("\n").forEach((line, k) => {
    if (!line.startsWith("- ")) return;
    const m = /^- (\d{4}-\d{2}-\d{2}): (\S.*)$/.exec(line.trimEnd());
    if (!m || Number.isNaN(Date.parse(m[1]))) throw new Error(`${file}:${k + 1}: an entry is "- YYYY-MM-DD: what changed", got "${line}"`);
    entries.push({ date: m[1], text: m[2] });
  });
  if (!entries.length) throw new Error(`${file}: no entries ("- YYYY-MM-DD: what changed")`);
  for (let k = 1; k < entries.length; k++) {
    if (entries[k].date > entries[k - 1].date) throw new Error(`${file}: entries must be newest first ("${entries[k].date}" comes after "${entries[k - 1].date}")`);
  }
  return entries;
}

export function readChangelog(path: string): ChangelogEntry[] {
  return parseChangelog(readFileSync(path, "utf8"), path.split("/").pop());
}

/**
 * The commit checked out in `root` (with its date, and whether the tree has uncommitted changes), or
 * undefined where there is no git or no repository (a source tarball): the page then says it is an
 * unversioned build rather than failing.
 */
export function buildVersion(root: string): Version | undefined {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const [commit, date] = git("log", "-1", "--format=%H %cI").split(" ");
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    // Only tracked content counts: build outputs and test results are ignored by git.
    const modified = git("status", "--porcelain", "--untracked-files=no").length > 0;
    return { commit, date: date.slice(0, 10), modified };
  } catch {
    return undefined;
  }
}

/** Lowercase words that belong to a person's surname ("van", "de"), not to a group's name. */
const PARTICLES = new Set(["van", "von", "de", "der", "den", "du", "da", "di", "le", "la"]);

/**
 * BibTeX wants "Surname, Given" for a person ("Ada Lovelace" → "Lovelace, Ada"), and a group's name
 * ("The privileged-basis contributors", recognised by a lowercase word) in braces, as one name.
 */
function bibtexName(name: string): string {
  const parts = name.trim().split(/\s+/);
  if (parts.some((w) => /^\p{Ll}/u.test(w) && !PARTICLES.has(w))) return `{${name.trim()}}`;
  // The surname starts at its first particle ("Ludwig van Beethoven" → "van Beethoven, Ludwig").
  const particle = parts.findIndex((w, k) => k > 0 && PARTICLES.has(w));
  const split = particle > 0 ? particle : parts.length - 1;
  return split > 0 ? `${parts.slice(split).join(" ")}, ${parts.slice(0, split).join(" ")}` : parts[0];
}

const bibEscape = (s: string) => s.replace(/([&%$#_{}])/g, "\\$1");

/** A BibTeX key: first author's surname, year, first word of the title. */
export function bibtexKey(authors: string[], year: number | string, title: string): string {
  const surname = (authors[0] ?? "anon").trim().split(/\s+/).pop()!;
  const word = title.split(/\s+/).find((w) => w.length > 3 && !/^(the|and|with|from|into)$/i.test(w)) ?? title.split(/\s+/)[0];
  return `${surname}${year}${word}`.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** The BibTeX entry for this page as published at `url` (undefined when the build has no PB_SITE). */
export function bibtex(a: Apparatus, url: string | undefined): string {
  const year = a.published.slice(0, 4);
  // Double braces keep the title's capitals in every bibliography style.
  const fields: [string, string][] = [
    ["author", a.authors.map((x) => bibtexName(bibEscape(x))).join(" and ")],
    ["title", a.title],
    ["year", year],
    ["month", String(Number(a.published.slice(5, 7)))],
    ["note", `${a.references[0] ? `A reproduction of ${a.references[0].authors[0].split(/\s+/).pop()} et al. (${a.references[0].year})` : "A reproduction"}${a.version ? `; version ${a.version.commit.slice(0, 12)} of ${a.version.date}` : ""}`],
  ];
  if (url) fields.push(["url", url]);
  const key = bibtexKey(a.authors, year, a.title);
  const value = (k: string, v: string) => (k === "url" ? v : k === "title" ? `{${bibEscape(v)}}` : k === "author" ? v : bibEscape(v));
  return `@misc{${key},\n${fields.map(([k, v]) => `  ${k.padEnd(6)} = {${value(k, v)}}`).join(",\n")}\n}`;
}

/** The same citation as a sentence. */
export function plainCitation(a: Apparatus, url: string | undefined): string {
  const authors = a.authors.length > 2 ? `${a.authors[0]} et al.` : a.authors.join(" and ");
  return `${authors} (${a.published.slice(0, 4)}). ${a.title}.${a.version ? ` Version ${a.version.commit.slice(0, 12)}.` : ""}${url ? ` ${url}` : ""}`;
}

/** One reference as a sentence, e.g. for the references list. */
export function referenceText(r: Reference): string {
  return `${formatAuthors(r.authors)} (${r.year}). ${r.title}. ${r.venue}.`;
}

/** "A", "A and B", "A, B and C" — long lists in full, as the Circuits thread does. */
export function formatAuthors(authors: string[]): string {
  return authors.length <= 1 ? (authors[0] ?? "") : `${authors.slice(0, -1).join(", ")} and ${authors[authors.length - 1]}`;
}

export interface MetaTag {
  name?: string;
  property?: string;
  content: string;
}

/**
 * Highwire Press `citation_*` tags (read by Google Scholar and reference managers), OpenGraph and
 * Twitter card tags. `url` is the page's absolute address, when the build knows it (PB_SITE).
 */
export function metaTags(a: Apparatus, url: string | undefined): MetaTag[] {
  const slash = (d: string) => d.replace(/-/g, "/");
  const tags: MetaTag[] = [
    { name: "citation_title", content: a.title },
    ...a.authors.map((author) => ({ name: "citation_author", content: author })),
    { name: "citation_publication_date", content: slash(a.published) },
    ...(a.version ? [{ name: "citation_online_date", content: slash(a.version.date) }] : []),
    ...(url ? [{ name: "citation_fulltext_html_url", content: url }] : []),
    ...a.references.map((r) => ({
      name: "citation_reference",
      content: [`citation_title=${r.title}`, ...r.authors.map((x) => `citation_author=${x}`), `citation_publication_date=${r.year}`, `citation_journal_title=${r.venue}`, ...(r.doi ? [`citation_doi=${r.doi}`] : []), `citation_fulltext_html_url=${r.url}`].join("; "),
    })),
    { property: "og:type", content: "article" },
    { property: "og:title", content: a.title },
    { property: "og:description", content: a.description },
    ...(url ? [{ property: "og:url", content: url }] : []),
    { property: "article:published_time", content: a.published },
    ...(a.version ? [{ property: "article:modified_time", content: a.version.date }] : []),
    ...a.authors.map((author) => ({ property: "article:author", content: author })),
    { name: "twitter:card", content: "summary" },
    { name: "twitter:title", content: a.title },
    { name: "twitter:description", content: a.description },
  ];
  return tags;
}
