// The article as an authoring system: a section written with components and props only (no imports)
// is added to a copy of the article — two figures of a model at an already trained density, a fact,
// references to an equation and to figures before and after it — and the built page is checked:
// figures numbered in document order across sections, references that agree with the numbers, the
// fact from the data, the figure drawing the model it names, and no id used twice. The build reads a
// schema-1 copy of the ReLU data file (no selection, diagnostics or population), so the article's
// figures and sentences for those must say what is missing rather than vanish. Then the pieces
// (numbering, the figure props' checks) on their own.

import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { SCHEMA_V1, dataFileSchema } from "../src/data/schema.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import { beforeAll, describe, expect, it } from "vitest";
import { readDataFile } from "../src/data/io.ts";
import { formatDensity } from "../src/figures/format.ts";
import { stackSegments } from "../src/figures/stack.ts";
import { analysedExperiment } from "../src/site/experiment.ts";
import { checkViews, experimentLevel } from "../src/site/figure-props.ts";
import { Numbering, numberedItems, numberedKind } from "../src/site/numbering.ts";
import { ROOT, builtSite } from "./helpers/site-build.ts";

const relu = readDataFile(join(ROOT, "public", "data", "relu-hidden.json"));
// A trained density that no figure of the article shows by default: the fixture must draw what it names.
const level = relu.levels[Math.floor(relu.levels.length / 2)];
const D = level.density;

const FIXTURE = `---
title: Fixture
description: A section added by the authoring test.
order: 99
---

## An added section

As <FigRef id="fig-added" /> shows, reading back to <FigRef id="fig-privileged-basis" /> and the loss
<EqRef id="eq-loss" />, each of the <Value name="relu.levels" /> densities had K = <Value name="relu.K" /> models.

<WeightFigure id="fig-added" experiment="relu-hidden" density={${D}} views={["stack", "norms"]}>
**An added figure.** The best model at density <span class="fixture-density">${D}</span>.
</WeightFigure>

<WeightFigure id="fig-added-again" density={${D}} views={["matrix", "stack"]}>
**The same model again**, placed twice on one page.
</WeightFigure>

See also <FigRef id="fig-added-again" />.
`;

describe("an MDX section written with components and props only", () => {
  let doc: Document;
  let html: string;

  beforeAll(async () => {
    const dir = join(tmpdir(), `pb-authoring-fixture-${process.env.PB_TEST_RUN ?? process.pid}`);
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(join(ROOT, "content"))) if (name.endsWith(".mdx")) copyFileSync(join(ROOT, "content", name), join(dir, name));
    writeFileSync(join(dir, "99-fixture.mdx"), FIXTURE);
    // The ReLU file as schema 1 wrote it: winners and sorted losses only.
    const data = join(dir, "data");
    mkdirSync(data, { recursive: true });
    const v1 = JSON.parse(readFileSync(join(ROOT, "public", "data", "relu-hidden.json"), "utf8"));
    v1.schema = SCHEMA_V1;
    delete v1.diagnostics;
    delete v1.population;
    delete v1.run.selectSeconds;
    delete v1.config.levelSteps; // schema 3's
    // Schema 1 kept the held-out winner: its loss is the smallest held-out loss.
    for (const l of v1.levels) delete l.modelLosses, delete l.selection, (l.best.loss = l.losses[0]);
    expect(dataFileSchema.safeParse(v1).error?.message).toBeUndefined();
    writeFileSync(join(data, "relu-hidden.json"), JSON.stringify(v1));
    // Every other experiment's files as committed (a data file names its population file, which must be there).
    for (const name of readdirSync(join(ROOT, "public", "data"))) if (!name.startsWith("relu-hidden.")) copyFileSync(join(ROOT, "public", "data", name), join(data, name));
    // A schema-1 file is stale under the declared semantics: build it anyway, as an author with old data would.
    const outDir = await builtSite({ PB_CONTENT_DIR: dir, PB_DATA_DIR: data, PB_ALLOW_STALE: "1" });
    html = readFileSync(join(outDir, "index.html"), "utf8");
    doc = new JSDOM(html).window.document;
  });

  it("numbers every figure and equation in document order, the added ones last", () => {
    const figures = [...doc.querySelectorAll("figure.figure")];
    expect(figures.length).toBeGreaterThanOrEqual(4);
    expect(figures.map((f) => f.querySelector(".figure-number")?.textContent)).toEqual(figures.map((_, k) => `Figure ${k + 1}.`));
    expect(figures.slice(-2).map((f) => f.id)).toEqual(["fig-added", "fig-added-again"]);
    const equations = [...doc.querySelectorAll(".equation .equation-number")].map((e) => e.textContent);
    expect(equations).toEqual(equations.map((_, k) => `(${k + 1})`));
  });

  it("resolves references to figures before and after them, and to equations, with their numbers", () => {
    const refs = [...doc.querySelectorAll("a.xref")];
    const ref = (id: string) => refs.find((a) => a.getAttribute("href") === `#${id}`)!;
    const number = (id: string) => doc.getElementById(id)!.querySelector(".figure-number")!.textContent!.replace(/^Figure (\d+)\.$/, "$1");
    for (const id of ["fig-added", "fig-added-again", "fig-privileged-basis"]) expect(ref(id).textContent).toBe(`Figure ${number(id)}`);
    expect(ref("eq-loss").textContent).toBe(doc.querySelector("#eq-loss .equation-number")!.textContent);
  });

  it("quotes facts from the data", () => {
    const section = doc.getElementById("an-added-section")!.nextElementSibling!;
    expect(section.querySelector('[data-fact="relu.K"]')!.textContent).toBe(relu.config.modelsPerLevel.toLocaleString("en"));
    expect(section.querySelector('[data-fact="relu.levels"]')!.textContent).toBe(String(relu.levels.length));
  });

  it("draws the model at the density it names, with the views it asks for and the author's caption", () => {
    const fig = doc.getElementById("fig-added")!;
    expect(fig.querySelector(".panel-group-title")!.textContent).toContain(`density ${formatDensity(D)}`);
    expect(fig.querySelector("figcaption")!.textContent).toContain("An added figure.");
    const svgs = [...fig.querySelectorAll(".figure-body svg[role='img']")].map((s) => s.getAttribute("aria-label"));
    expect(svgs.filter((l) => /stack plot/.test(l ?? ""))).toHaveLength(1);
    expect(svgs.filter((l) => /Feature norms/.test(l ?? ""))).toHaveLength(1);
    expect(svgs.filter((l) => /as a matrix/.test(l ?? ""))).toHaveLength(0);
    const rects = fig.querySelectorAll('svg[aria-label*="stack plot"] rect[data-feature]');
    expect(rects).toHaveLength(stackSegments(level.best.W).length);
    expect(doc.getElementById("fig-added-again")!.querySelectorAll('svg[aria-label*="as a matrix"] g[aria-label="cell"] rect')).toHaveLength(relu.config.features * relu.config.neurons);
  });

  it("says what a schema-1 file lacks instead of leaving a gap: no selection, diagnostics or population", () => {
    for (const id of ["fig-cross-eval", "fig-better", "fig-population"]) {
      expect(doc.getElementById(id)!.querySelector(".missing")?.textContent, id).toMatch(/nothing to draw\.$/);
    }
    expect(doc.body.textContent).toContain("This data file predates the two-stage selection, so its winners carry no stated uncertainty.");
    expect(doc.body.textContent).not.toMatch(/\bNaN\b|undefined/);
  });

  it("never repeats an id, with the same model drawn twice", () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    const repeated = ids.filter((id, k) => ids.indexOf(id) !== k);
    expect(repeated).toEqual([]);
    expect(ids.filter((id) => id.startsWith("fig-added-again")).length).toBeGreaterThan(1);
  });
});

describe("numbering (src/site/numbering.ts)", () => {
  type Node = Parameters<typeof numberedItems>[0];
  const el = (name: string, id?: string, children: Node[] = []): Node => ({
    type: "mdxJsxFlowElement",
    name,
    attributes: id === undefined ? [] : [{ type: "mdxJsxAttribute", name: "id", value: id }],
    children,
    position: { start: { line: 7 } },
  });

  it("knows equations and figures by their component's name", () => {
    expect(["Equation", "Figure", "WeightFigure", "SweepFigure", "FigRef", "Value", "Figures", null].map(numberedKind)).toEqual(["equation", "figure", "figure", "figure", null, null, null, null]);
  });

  it("lists them in document order, nested ones included, and needs a literal id", () => {
    const tree: Node = { type: "root", children: [el("Equation", "eq-a"), { type: "paragraph", children: [el("WeightFigure", "fig-a"), el("FigRef", "fig-a")] }, el("Equation", "eq-b"), el("SweepFigure", "fig-b")] };
    expect(numberedItems(tree)).toEqual([
      { kind: "equation", id: "eq-a" },
      { kind: "figure", id: "fig-a" },
      { kind: "equation", id: "eq-b" },
      { kind: "figure", id: "fig-b" },
    ]);
    expect(() => numberedItems({ type: "root", children: [el("WeightFigure")] }, "content/x.mdx")).toThrow('content/x.mdx:7: <WeightFigure> needs id="…"');
  });

  it("numbers across sections in reading order, and stops on an id placed twice or never", () => {
    const n = new Numbering([[{ kind: "figure", id: "f1" }, { kind: "equation", id: "e1" }], [{ kind: "figure", id: "f2" }, { kind: "equation", id: "e2" }]]);
    expect([n.of("figure", "f1"), n.of("figure", "f2"), n.of("equation", "e1"), n.of("equation", "e2")]).toEqual([1, 2, 1, 2]);
    expect(() => n.of("figure", "f3")).toThrow('No figure with id "f3" is placed in the article (figures: f1, f2)');
    expect(() => n.of("figure", "e1")).toThrow(/No figure with id "e1"/);
    expect(() => new Numbering([[{ kind: "figure", id: "x" }], [{ kind: "equation", id: "x" }]])).toThrow('The id "x" is placed twice');
  });
});

describe("figure props (src/site/figure-props.ts)", () => {
  const exp = analysedExperiment(relu);

  it("finds a trained density, and names the trained ones for any other", () => {
    expect(experimentLevel(exp, D, "<WeightFigure>").level).toBe(level);
    expect(() => experimentLevel(exp, 0.123, '<WeightFigure id="x">')).toThrow(`<WeightFigure id="x">: relu-hidden.json has no model trained at density 0.123 (trained: ${exp.levels.map((l) => formatDensity(l.level.density)).join(", ")})`);
    expect(() => experimentLevel(exp, "0.1", "<W>")).toThrow("density={…} must be a number");
  });

  it("accepts only the known views", () => {
    expect(() => checkViews(["matrix", "stack", "norms"], "<W>")).not.toThrow();
    expect(() => checkViews(["matrix", "heatmap"], "<W>")).toThrow('<W>: views={[…]} must list some of "matrix", "stack", "norms" (not "heatmap")');
    expect(() => checkViews([], "<W>")).toThrow(/must list some of/);
  });
});
