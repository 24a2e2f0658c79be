// Rehype plugins of the article's apparatus (astro.config.mjs): a permalink on every heading, footnotes
// whose ids stay unique when several MDX sections share one page, and no line break inside "n = 20".

// The few hast shapes these plugins touch (a tree of elements and text).
interface Text {
  type: "text";
  value: string;
}
interface Element {
  type: "element";
  tagName: string;
  properties: Record<string, unknown>;
  children: Node[];
}
type Node = Element | Text | { type: string; children?: Node[] };
type Root = { type: "root"; children: Node[] };

/** Every element of `tree`, parents before children. */
function eachElement(tree: Root | Node, f: (e: Element) => void): void {
  if (tree.type === "element") f(tree as Element);
  for (const c of ("children" in tree ? tree.children : undefined) ?? []) eachElement(c, f);
}

const HEADING = /^h[2-6]$/;

/**
 * Appends to every h2–h6 that has an id (rehypeHeadingIds must run first) a link to itself:
 * `<a class="heading-anchor" href="#id" aria-label="Link to this section: …">`. The link has no text
 * (CSS draws its mark), so the heading's text, and the table of contents Astro collects from it, stay
 * as written.
 */
export function rehypeHeadingAnchors() {
  return (tree: Root) => {
    eachElement(tree, (node) => {
      if (!HEADING.test(node.tagName) || typeof node.properties?.id !== "string") return;
      if (node.children.some((c) => c.type === "element" && ((c as Element).properties?.className as string[] | undefined)?.includes("heading-anchor"))) return;
      node.children.push({
        type: "element",
        tagName: "a",
        properties: { className: ["heading-anchor"], href: `#${node.properties.id}`, ariaLabel: `Link to this section: ${textOf(node)}` },
        children: [],
      });
    });
  };
}

function textOf(node: Node): string {
  if (node.type === "text") return (node as Text).value;
  return ("children" in node ? node.children : undefined)?.map(textOf).join("") ?? "";
}

/**
 * GFM footnotes number and name their ids per file ("user-content-fn-1", "footnote-label"), so two
 * sections with notes would repeat ids on the one page. Prefixes every footnote id, and the links to
 * them, with the section's file name ("privileged-basis-fn-1" in 01-privileged-basis.mdx).
 */
export function rehypeSectionFootnotes() {
  return (tree: Root, file: { path?: string; history?: string[] }) => {
    const path = file.path ?? file.history?.[0] ?? "";
    // The file name without its order prefix ("01-"), so the id starts with a letter (CSS selectors
    // need that without escapes).
    const section = (path.split("/").pop() ?? "").replace(/\.mdx?$/, "").replace(/^[\d-]+/, "").replace(/[^A-Za-z0-9-]/g, "-") || "section";
    const rename = (id: string) => (/^(user-content-)?(fn|fnref)-|^footnote-label$/.test(id) ? `${section}-${id.replace(/^user-content-/, "")}` : id);
    eachElement(tree, (node) => {
      const p = node.properties ?? {};
      if (typeof p.id === "string") p.id = rename(p.id);
      if (typeof p.href === "string" && p.href.startsWith("#")) p.href = `#${rename(p.href.slice(1))}`;
      for (const key of ["ariaDescribedBy", "ariaLabelledBy"] as const) {
        const v = p[key];
        if (Array.isArray(v)) p[key] = v.map((x) => rename(String(x)));
        else if (typeof v === "string") p[key] = v.split(/\s+/).map(rename).join(" ");
      }
    });
  };
}

/** A one-letter name and " = " before a number, or before the MDX component that writes one (the text
 *  node ends there): "n = 20", "K = <Value …/>". */
const NAME_EQUALS = /\b([A-Za-z]) = (?=\d|−|-|$)/g;
const NO_BREAK = new Set(["code", "pre", "script", "style"]);

/**
 * Writes "n = 20", "K = 1,000" and "n = <Value name=…/>" with no-break spaces, so that a line never ends
 * in "n" or "n =" with the number on the next (the text says n = … and K = … some hundred times). Code,
 * and KaTeX's output (which rehypeKatex has typeset before this runs), are left as they are.
 */
export function rehypeNoBreakEquals() {
  const visit = (node: Node) => {
    if (node.type === "text") (node as Text).value = (node as Text).value.replace(NAME_EQUALS, "$1\u00a0=\u00a0");
    if (node.type === "element") {
      const e = node as Element;
      if (NO_BREAK.has(e.tagName) || (e.properties?.className as string[] | undefined)?.some((c) => c.startsWith("katex"))) return;
    }
    for (const c of ("children" in node ? node.children : undefined) ?? []) visit(c);
  };
  return (tree: Root) => visit(tree as Node);
}
