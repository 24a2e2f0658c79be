// How full each page of a PDF that chromium printed is: for each page in order, the vertical extent
// of the text drawn on it (every text position, through the content stream's transforms), as a
// fraction of the page height. Figures count through their labels and ticks, which are text; shapes
// are left out because white backgrounds are shapes too. Enough to find near-empty pages (a figure
// too tall for the rest of a page pushed to the next one) without a PDF library: chromium (Skia)
// writes one Flate-compressed content stream per page and places text with Tm.

import { inflateSync } from "node:zlib";

export interface PageFill {
  /** Fraction of the page height between the highest and the lowest mark drawn. */
  fill: number;
  /** Text positions drawn on the page. */
  marks: number;
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const multiply = (a: Matrix, b: Matrix): Matrix => [
  a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
  a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
  a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
];

export function pageFills(pdf: Uint8Array): PageFill[] {
  const text = Buffer.from(pdf).toString("latin1");
  const objects = new Map<number, string>();
  for (const m of text.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) objects.set(Number(m[1]), m[2]);
  const root = [...objects.values()].find((b) => /\/Type\s*\/Pages\b/.test(b) && !/\/Parent/.test(b));
  if (!root) throw new Error("pageFills: no page tree in the PDF");
  const pages: string[] = [];
  const walk = (node: string) => {
    for (const k of /\/Kids\s*\[([^\]]*)\]/.exec(node)?.[1].matchAll(/(\d+) 0 R/g) ?? []) {
      const kid = objects.get(Number(k[1]))!;
      if (/\/Type\s*\/Pages\b/.test(kid)) walk(kid);
      else pages.push(kid);
    }
  };
  walk(root);
  return pages.map((page) => {
    const height = Number(/\/MediaBox\s*\[([^\]]*)\]/.exec(page)![1].trim().split(/\s+/)[3]);
    const contents = /\/Contents\s+(\d+) 0 R/.exec(page);
    if (!contents) return { fill: 0, marks: 0 };
    const body = objects.get(Number(contents[1]))!;
    let start = body.indexOf("stream") + 6;
    if (body[start] === "\r") start++;
    if (body[start] === "\n") start++;
    const ops = inflateSync(Buffer.from(body.slice(start, body.lastIndexOf("endstream")), "latin1")).toString("latin1").split(/\s+/);
    let ctm: Matrix = IDENTITY;
    const saved: Matrix[] = [];
    const operands: number[] = [];
    let [low, high, marks] = [Infinity, -Infinity, 0];
    const mark = (x: number, y: number) => {
      const py = ctm[1] * x + ctm[3] * y + ctm[5];
      if (py < 0 || py > height) return;
      [low, high, marks] = [Math.min(low, py), Math.max(high, py), marks + 1];
    };
    for (const op of ops) {
      if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(op)) {
        operands.push(Number(op));
        continue;
      }
      if (op === "q") saved.push(ctm);
      else if (op === "Q") ctm = saved.pop() ?? IDENTITY;
      else if (op === "cm") ctm = multiply(operands.slice(-6) as Matrix, ctm);
      else if (op === "Tm") mark(operands.at(-2)!, operands.at(-1)!);
      operands.length = 0;
    }
    return { fill: marks ? (high - low) / height : 0, marks };
  });
}
