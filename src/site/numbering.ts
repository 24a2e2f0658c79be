// Figure and equation numbers, in document order, with no hand-kept list. A remark plugin
// (`remarkNumbered`, in astro.config.mjs) lists, for each MDX section, the figures and equations it
// places — any JSX element named `Equation` or `…Figure` — with their `id` props, in the order they
// appear; the page (src/layouts/ArticlePage.astro) joins the sections' lists in reading order into one
// `Numbering` and hands it to the components through `Astro.locals`. So inserting a figure anywhere
// renumbers every figure and reference after it, a reference may point forward, and an id placed twice
// or referred to but never placed stops the build with the id's name.

export type NumberedKind = "figure" | "equation";

export interface NumberedItem {
  kind: NumberedKind;
  id: string;
}

/** What a JSX element's name makes it: `Equation` an equation, `Figure` or `…Figure` a figure. */
export function numberedKind(name: string | null | undefined): NumberedKind | null {
  if (!name) return null;
  if (name === "Equation") return "equation";
  if (/^[A-Z]\w*Figure$/.test(name) || name === "Figure") return "figure";
  return null;
}

interface JsxNode {
  type: string;
  name?: string | null;
  attributes?: { type: string; name?: string; value?: unknown }[];
  children?: JsxNode[];
  position?: { start: { line: number } };
}

/** The numbered elements of an MDX syntax tree, in document order. Throws when one has no literal `id`. */
export function numberedItems(tree: JsxNode, where = "MDX"): NumberedItem[] {
  const items: NumberedItem[] = [];
  const visit = (node: JsxNode) => {
    if (node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement") {
      const kind = numberedKind(node.name);
      if (kind) {
        const attr = node.attributes?.find((a) => a.type === "mdxJsxAttribute" && a.name === "id");
        const line = node.position ? `:${node.position.start.line}` : "";
        if (!attr || typeof attr.value !== "string" || !attr.value) throw new Error(`${where}${line}: <${node.name}> needs id="…" (a plain string), so that it can be numbered and referred to`);
        items.push({ kind, id: attr.value });
      }
    }
    node.children?.forEach(visit);
  };
  visit(tree);
  return items;
}

/** Remark plugin: puts the section's numbered items in its frontmatter as `numbered` (read back by
 *  `render(entry).remarkPluginFrontmatter`). */
export function remarkNumbered() {
  return (tree: JsxNode, file: { path?: string; data: { astro?: { frontmatter?: Record<string, unknown> } } }) => {
    const items = numberedItems(tree, file.path ?? "MDX");
    file.data.astro ??= {};
    file.data.astro.frontmatter ??= {};
    file.data.astro.frontmatter.numbered = items;
  };
}

export class Numbering {
  private readonly numbers: Record<NumberedKind, Map<string, number>> = { figure: new Map(), equation: new Map() };

  /** The numbered items of every section, sections in reading order. Throws on an id placed twice. */
  constructor(sections: readonly (readonly NumberedItem[])[]) {
    for (const { kind, id } of sections.flat()) {
      const taken = this.numbers.figure.has(id) || this.numbers.equation.has(id);
      if (taken) throw new Error(`The id "${id}" is placed twice in the article; give each figure and equation an id of its own`);
      this.numbers[kind].set(id, this.numbers[kind].size + 1);
    }
  }

  /** The number of the figure or equation `id`; throws naming the known ids if there is none. */
  of(kind: NumberedKind, id: string): number {
    const n = this.numbers[kind].get(id);
    if (n === undefined) throw new Error(`No ${kind} with id "${id}" is placed in the article (${kind}s: ${[...this.numbers[kind].keys()].join(", ") || "none"})`);
    return n;
  }
}

/** The page's numbering, set by the page before its sections render. */
export function numberingOf(locals: { numbering?: Numbering }): Numbering {
  if (!locals.numbering) throw new Error("No numbering on this page: render the article through src/layouts/ArticlePage.astro, which sets Astro.locals.numbering");
  return locals.numbering;
}
