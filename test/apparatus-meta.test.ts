// The article's apparatus computed at build time (src/apparatus/): changelog parsing, the version
// from git, BibTeX and the citation/OpenGraph tags, the heading-anchor and footnote rehype plugins, and
// the figures' CSV data. The built page itself is checked in test/apparatus.test.ts.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Plot from "@observablehq/plot";
import { describe, expect, it } from "vitest";
import { apparatusOf, bibtex, buildVersion, metaTags, parseChangelog, plainCitation } from "../src/apparatus/meta.ts";
import type { Apparatus, SectionFront } from "../src/apparatus/meta.ts";
import { rehypeHeadingAnchors, rehypeNoBreakEquals, rehypeSectionFootnotes } from "../src/apparatus/rehype.ts";
import { panelsCsv, plotDataElement, plotRows } from "../src/apparatus/plot-data.ts";
import { ROOT } from "./helpers/site-build.ts";

const paper = { id: "elhage2022", authors: ["Nelson Elhage", "Christopher Olah"], title: "Toy Models of Superposition", venue: "Transformer Circuits Thread", year: 2022, url: "https://transformer-circuits.pub/2022/toy_model/index.html" };
const sections: SectionFront[] = [
  { title: "A title with 50% & {braces}", description: "d", authors: ["Ada Lovelace", "Alan Turing"], published: new Date("2026-11-24"), references: [paper] },
  { title: "Methods", description: "m", references: [{ ...paper, id: "olah2020", title: "Zoom In" }] },
];
const version = { commit: "0123456789abcdef0123456789abcdef01234567", date: "2026-11-30", modified: false };
const changelog = [{ date: "2026-11-30", text: "second" }, { date: "2026-11-24", text: "first" }];

describe("apparatusOf", () => {
  it("takes the byline from the first section and the references from all, in order", () => {
    const a = apparatusOf(sections, changelog, version);
    expect(a.authors).toEqual(["Ada Lovelace", "Alan Turing"]);
    expect(a.published).toBe("2026-11-24");
    expect(a.references.map((r) => r.id)).toEqual(["elhage2022", "olah2020"]);
  });

  it("stops on a missing byline or date and on a reference listed twice, naming it", () => {
    expect(() => apparatusOf([{ ...sections[0], authors: undefined }], changelog, version)).toThrow(/needs `authors`/);
    expect(() => apparatusOf([{ ...sections[0], published: undefined }], changelog, version)).toThrow(/needs `published/);
    expect(() => apparatusOf([sections[0], { ...sections[1], references: [paper] }], changelog, version)).toThrow(/"elhage2022" is listed twice/);
  });

  it("gives a chapter the front page's byline and date unless its first section names its own", () => {
    const chapter = [{ title: "A chapter", description: "c", references: [{ ...paper, id: "olah2020" }] }];
    const a = apparatusOf(chapter, changelog, version, sections[0]);
    expect([a.title, a.authors, a.published]).toEqual(["A chapter", ["Ada Lovelace", "Alan Turing"], "2026-11-24"]);
    expect(a.references.map((r) => r.id)).toEqual(["olah2020"]);
    const own = apparatusOf([{ ...chapter[0], authors: ["Grace Hopper"], published: new Date("2026-12-01") }], changelog, version, sections[0]);
    expect([own.authors, own.published]).toEqual([["Grace Hopper"], "2026-12-01"]);
    expect(() => apparatusOf(chapter, changelog, version)).toThrow(/needs `authors`/);
  });
});

describe("parseChangelog", () => {
  it("reads the committed CHANGELOG.md, newest first", () => {
    const entries = parseChangelog(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8"));
    expect(entries.length).toBeGreaterThan(0);
    expect([...entries].sort((a, b) => b.date.localeCompare(a.date))).toEqual(entries);
  });

  it("names the line of a malformed entry, and refuses entries out of order or none at all", () => {
    expect(() => parseChangelog("# Changelog\n\n- 2026-11-30: fine\n- yesterday: broken\n")).toThrow(/CHANGELOG\.md:4: an entry is/);
    expect(() => parseChangelog("- 2026-11-24: old\n- 2026-11-30: new\n")).toThrow(/newest first/);
    expect(() => parseChangelog("# nothing\n")).toThrow(/no entries/);
  });
});

describe("buildVersion", () => {
  it("is the checked-out commit with its date", () => {
    const head = execFileSync("git", ["log", "-1", "--format=%H %cI"], { cwd: ROOT, encoding: "utf8" }).trim().split(" ");
    const v = buildVersion(ROOT)!;
    expect(v.commit).toBe(head[0]);
    expect(v.date).toBe(head[1].slice(0, 10));
  });

  it("is undefined outside a git repository (a source tarball), and notices uncommitted changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-version-"));
    try {
      expect(buildVersion(dir)).toBeUndefined();
      const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir });
      git("init", "-q");
      writeFileSync(join(dir, "a.txt"), "1");
      git("add", "a.txt");
      git("commit", "-q", "-m", "one");
      expect(buildVersion(dir)!.modified).toBe(false);
      writeFileSync(join(dir, "a.txt"), "2");
      expect(buildVersion(dir)!.modified).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("citation", () => {
  const a: Apparatus = apparatusOf(sections, changelog, version);

  it("writes a BibTeX entry with escaped fields, the version and the address", () => {
    const bib = bibtex(a, "https://example.org/pb/");
    expect(bib).toMatch(/^@misc\{lovelace2026title,\n/);
    expect(bib).toContain("author = {Lovelace, Ada and Turing, Alan}");
    expect(bib).toContain("title  = {{A title with 50\\% \\& \\{braces\\}}}");
    expect(bib).toContain("year   = {2026}");
    expect(bib).toContain("note   = {A reproduction of Elhage et al. (2022); version 0123456789ab of 2026-11-30}");
    expect(bib).toContain("url    = {https://example.org/pb/}");
    // Braces balance, as BibTeX needs.
    let depth = 0;
    for (const c of bib.replace(/\\[{}]/g, "")) {
      depth += c === "{" ? 1 : c === "}" ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(bibtex(a, undefined)).not.toContain("url");
    // A group is one name, in braces; a surname particle is part of a person's name.
    const group = apparatusOf([{ ...sections[0], authors: ["The privileged-basis contributors", "Ludwig van Beethoven"] }], changelog, version);
    expect(bibtex(group, undefined)).toContain("author = {{The privileged-basis contributors} and van Beethoven, Ludwig}");
    expect(plainCitation(a, undefined)).toBe("Ada Lovelace and Alan Turing (2026). A title with 50% & {braces}. Version 0123456789ab.");
  });

  it("gives citation_*, OpenGraph and Twitter tags", () => {
    const tags = metaTags(a, "https://example.org/pb/");
    const named = (n: string) => tags.filter((t) => t.name === n || t.property === n).map((t) => t.content);
    expect(named("citation_title")).toEqual([a.title]);
    expect(named("citation_author")).toEqual(["Ada Lovelace", "Alan Turing"]);
    expect(named("citation_publication_date")).toEqual(["2026/11/24"]);
    expect(named("citation_reference")[0]).toContain("citation_title=Toy Models of Superposition; citation_author=Nelson Elhage");
    expect(named("og:type")).toEqual(["article"]);
    expect(named("og:url")).toEqual(["https://example.org/pb/"]);
    expect(named("twitter:card")).toEqual(["summary"]);
    expect(metaTags(a, undefined).some((t) => t.property === "og:url" || t.name === "citation_fulltext_html_url")).toBe(false);
  });
});

describe("rehype plugins", () => {
  const h = (tag: string, id: string | undefined, text: string) => ({ type: "element", tagName: tag, properties: id ? { id } : {}, children: [{ type: "text", value: text }] });

  it("gives every h2–h6 with an id a text-less link to itself, once", () => {
    const tree = { type: "root" as const, children: [h("h2", "a", "Alpha"), h("h3", "b", "Beta"), h("h3", undefined, "no id"), h("p", "p", "para")] };
    rehypeHeadingAnchors()(tree as never);
    rehypeHeadingAnchors()(tree as never);
    const anchors = (n: { children: { tagName?: string; properties?: Record<string, unknown>; children?: unknown[] }[] }) => n.children.filter((c) => c.tagName === "a");
    expect(anchors(tree.children[0] as never)).toEqual([{ type: "element", tagName: "a", properties: { className: ["heading-anchor"], href: "#a", ariaLabel: "Link to this section: Alpha" }, children: [] }]);
    expect(anchors(tree.children[1] as never)).toHaveLength(1);
    expect(anchors(tree.children[2] as never)).toHaveLength(0);
    expect(anchors(tree.children[3] as never)).toHaveLength(0);
  });

  it("prefixes footnote ids and their links with the section's file name, less its order prefix", () => {
    const ref = { type: "element", tagName: "a", properties: { id: "user-content-fnref-x", href: "#user-content-fn-x", ariaDescribedBy: ["footnote-label"] }, children: [] };
    const label = { type: "element", tagName: "p", properties: { id: "footnote-label" }, children: [] };
    const other = { type: "element", tagName: "a", properties: { id: "setup", href: "#fig-sweep" }, children: [] };
    const tree = { type: "root" as const, children: [ref, label, other] };
    rehypeSectionFootnotes()(tree as never, { path: "/x/content/01-intro.mdx" });
    expect(ref.properties).toEqual({ id: "intro-fnref-x", href: "#intro-fn-x", ariaDescribedBy: ["intro-footnote-label"] });
    expect(label.properties.id).toBe("intro-footnote-label");
    expect(other.properties).toEqual({ id: "setup", href: "#fig-sweep" });
  });
});

describe("rehypeNoBreakEquals", () => {
  it("glues a one-letter name, '=' and the number (or the component that writes it), outside code and math", () => {
    const text = (value: string) => ({ type: "text", value });
    const el = (tagName: string, children: unknown[], className?: string[]) => ({ type: "element", tagName, properties: className ? { className } : {}, children });
    const p = el("p", [text("K = 100 for n = 20, and for n = "), el("span", [text("32")]), text(". a = b, x = −1; lane = 4; ")]);
    const code = el("code", [text("n = 20")]);
    const math = el("span", [text("m = 5")], ["katex"]);
    rehypeNoBreakEquals()({ type: "root", children: [p, code, math] } as never);
    expect((p.children[0] as { value: string }).value).toBe("K\u00a0=\u00a0100 for n\u00a0=\u00a020, and for n\u00a0=\u00a0");
    expect((p.children[2] as { value: string }).value).toBe(". a = b, x\u00a0=\u00a0−1; lane = 4; ");
    expect((code.children[0] as { value: string }).value).toBe("n = 20");
    expect((math.children[0] as { value: string }).value).toBe("m = 5");
  });
});

describe("figure data for the CSV download", () => {
  const cells = [{ neuron: 0, feature: 1, w: 0.5, label: "a,b" }, { neuron: 1, feature: 0, w: -Infinity, label: 'say "x"' }];
  const spec = { title: "W", marks: [Plot.cell(cells, { x: "feature", y: "neuron", fill: "w" }), [Plot.text(cells.filter((c) => c.w > 0), { text: "label" }), null], Plot.ruleY([0])] };

  it("takes each mark's data objects once, with their plain fields", () => {
    expect(plotRows(spec)).toEqual([{ neuron: 0, feature: 1, w: 0.5, label: "a,b" }, { neuron: 1, feature: 0, w: null, label: 'say "x"' }]);
    expect(plotRows({ ariaLabel: "Colour legend: weight", marks: [Plot.cell(cells, { fill: "w" })] })).toEqual([]);
  });

  it("embeds them as inert JSON and joins a figure's panels into one CSV", () => {
    const el = plotDataElement(spec, "m");
    expect(el).toMatch(/^<script type="application\/json" class="plot-data">\{.*\}<\/script>$/);
    const data = JSON.parse(el.replace(/^<script[^>]*>|<\/script>$/g, ""));
    expect(data).toEqual({ panel: "m", title: "W", columns: ["neuron", "feature", "w", "label"], rows: [[0, 1, 0.5, "a,b"], [1, 0, null, 'say "x"']] });
    const csv = panelsCsv([data, { panel: "n", title: "Norms", columns: ["feature", "norm"], rows: [[0, 1.25]] }]);
    expect(csv.split("\r\n")).toEqual([
      "panel,panel_title,neuron,feature,w,label,norm",
      'm,W,0,1,0.5,"a,b",',
      'm,W,1,0,,"say ""x""",',
      "n,Norms,,0,,,1.25",
      "",
    ]);
    expect(plotDataElement({ marks: [Plot.ruleY([0])] }, "r")).toBe("");
  });
});
