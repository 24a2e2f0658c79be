// Astro configuration: a fully static site (dist/), the article written in MDX, equations typeset at
// build time by KaTeX, Preact for the few interactive islands.
//
// Environment knobs (all optional):
//   PB_SITE      absolute URL the site is deployed at (canonical links); default: none.
//   PB_BASE      path prefix when served from a sub-directory, e.g. "/privileged-basis/"; default "/".
//   PB_DATA_DIR  where the data collection reads relu-hidden.json / linear-hidden.json
//                (src/data/directory.ts; default public/data), and the files served at <base>/data/
//                for download (src/site/serve-data.ts). Used by the build tests.
//   PB_CONTENT_DIR where the article's MDX sections are read (default content/). Used by the fixture
//                test (test/authoring.test.ts).
//   PB_CACHE_DIR Astro's cache directory (content data store); default node_modules/.astro. The build
//                tests give each build its own, so they never share state with other builds.

import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";
import preact from "@astrojs/preact";
import { rehypeHeadingIds, unified } from "@astrojs/markdown-remark";
import remarkMath from "remark-math";
import rehypeKatex from "rehype-katex";
import { serveDataFiles } from "./src/site/serve-data.ts";
import { rehypeHeadingAnchors, rehypeNoBreakEquals, rehypeSectionFootnotes } from "./src/apparatus/rehype.ts";
import { remarkNumbered } from "./src/site/numbering.ts";

// Astro 7's default Markdown processor ignores remark/rehype plugins, so select the unified
// (remark/rehype) processor explicitly and give MDX the very same one.
const markdownProcessor = unified({
  // remarkNumbered lists each section's figures and equations in order, for their numbers.
  remarkPlugins: [remarkMath, remarkNumbered],
  // `output: "htmlAndMathml"` keeps MathML next to the visual HTML for screen readers; `strict`
  // turns LaTeX that KaTeX cannot render into a build error instead of red text in the article.
  // Then every heading gets its id (Astro would add them after our plugins) and a permalink, and GFM
  // footnotes ids unique per section, under a "Notes" label that stays out of the heading outline.
  rehypePlugins: [
    [rehypeKatex, { output: "htmlAndMathml", strict: "error", throwOnError: true }],
    rehypeHeadingIds,
    rehypeHeadingAnchors,
    rehypeSectionFootnotes,
    rehypeNoBreakEquals,
  ],
  remarkRehype: {
    footnoteLabel: "Notes",
    footnoteLabelTagName: "p",
    footnoteLabelProperties: { className: ["notes-label"] },
    footnoteBackLabel: (k) => `Back to the text of note ${k + 1}`,
  },
});

export default defineConfig({
  output: "static",
  outDir: "./dist",
  ...(process.env.PB_CACHE_DIR ? { cacheDir: process.env.PB_CACHE_DIR } : {}),
  site: process.env.PB_SITE || undefined,
  base: process.env.PB_BASE || "/",
  trailingSlash: "ignore",
  build: {
    // One page: inline small stylesheets, keep KaTeX's (large) CSS as a cached file.
    inlineStylesheets: "auto",
  },
  markdown: { processor: markdownProcessor, shikiConfig: { theme: "github-light" } },
  integrations: [mdx({ processor: markdownProcessor }), preact(), serveDataFiles()],
  devToolbar: { enabled: false },
});
