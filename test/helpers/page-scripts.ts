// The JavaScript a built page loads: its inline scripts, the external scripts and module preloads it
// names, the component and renderer modules of its Astro islands, and every module those import,
// followed transitively through the built files. Used by the JS budget test.

import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { gzipSync } from "node:zlib";

export interface PageScript {
  /** Site path ("/_astro/x.js") or "inline #k". */
  name: string;
  bytes: number;
  gzipBytes: number;
  /** How the page reaches it. */
  via: "inline" | "script" | "modulepreload" | "island" | "static import" | "dynamic import";
}

const attr = (tag: string, name: string): string | undefined => {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, "i"));
  return m ? decodeEntities(m[2] ?? m[3] ?? m[4] ?? "") : undefined;
};

function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Static and dynamic import specifiers of a (minified) ES module. */
export function moduleImports(code: string): { static: string[]; dynamic: string[] } {
  const stat = new Set<string>();
  const dyn = new Set<string>();
  // import x from"./a.js" | import{a}from"./a.js" | export*from"./a.js" | import"./a.js"
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*(["'`])([^"'`\s]+\.m?js)\1/g)) stat.add(m[2]);
  // import("./a.js"), import(`./a.js`)
  for (const m of code.matchAll(/\bimport\s*\(\s*(["'`])([^"'`\s]+\.m?js)\1\s*\)/g)) dyn.add(m[2]);
  for (const d of dyn) stat.delete(d);
  return { static: [...stat], dynamic: [...dyn] };
}

const gzip = (buf: Buffer | string) => gzipSync(buf, { level: 9 }).length;

/**
 * Every script `pagePath` (e.g. "index.html") in the built site `siteDir` loads. Dynamic imports
 * are followed too and reported as such (they may load only on demand): the budget counts them.
 * Paths are resolved against the site root ("/"), so build with base "/".
 */
export function pageScripts(siteDir: string, pagePath = "index.html"): PageScript[] {
  const html = readFileSync(join(siteDir, pagePath), "utf8");
  const pageUrl = "/" + pagePath;
  const out: PageScript[] = [];
  const seen = new Set<string>();
  const queue: { path: string; via: PageScript["via"] }[] = [];
  const enqueue = (ref: string | undefined, from: string, via: PageScript["via"]) => {
    if (!ref || /^(?:[a-z]+:)?\/\//i.test(ref) || ref.startsWith("data:")) return;
    const path = posix.normalize(ref.startsWith("/") ? ref : posix.join(posix.dirname(from), ref)).split(/[?#]/)[0];
    if (seen.has(path)) return;
    seen.add(path);
    queue.push({ path, via });
  };

  let inline = 0;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const [, attrs, body] = m;
    const type = attr(`<script ${attrs}>`, "type");
    if (type && !/module|javascript/i.test(type)) continue; // JSON, templates…
    const src = attr(`<script ${attrs}>`, "src");
    if (src) enqueue(src, pageUrl, "script");
    else if (body.trim()) {
      out.push({ name: `inline #${++inline}`, bytes: Buffer.byteLength(body), gzipBytes: gzip(body), via: "inline" });
      for (const s of moduleImports(body).static) enqueue(s, pageUrl, "static import");
      for (const s of moduleImports(body).dynamic) enqueue(s, pageUrl, "dynamic import");
    }
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    if (/\brel\s*=\s*["']?modulepreload/i.test(m[0])) enqueue(attr(m[0], "href"), pageUrl, "modulepreload");
  }
  for (const m of html.matchAll(/<astro-island\b[^>]*>/gi)) {
    for (const name of ["component-url", "renderer-url", "before-hydration-url"]) enqueue(attr(m[0], name), pageUrl, "island");
  }

  while (queue.length) {
    const { path, via } = queue.shift()!;
    const code = readFileSync(join(siteDir, path));
    out.push({ name: path, bytes: code.length, gzipBytes: gzip(code), via });
    const imports = moduleImports(code.toString("utf8"));
    for (const s of imports.static) enqueue(s, path, "static import");
    for (const s of imports.dynamic) enqueue(s, path, "dynamic import");
  }
  return out;
}

/** The article page's JavaScript budget: 100 KB gzipped (decimal kilobytes, the stricter reading). */
export const BUDGET_BYTES = 100 * 1000;

/** Gzipped bytes of the scripts the page loads eagerly (all but dynamic-import-only chunks). */
export function loadedGzipBytes(scripts: readonly PageScript[]): number {
  return scripts.filter((s) => s.via !== "dynamic import").reduce((sum, s) => sum + s.gzipBytes, 0);
}
