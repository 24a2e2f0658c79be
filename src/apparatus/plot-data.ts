// The numbers a figure plots, for its CSV download: at build time, each Plot panel's marks' data rows
// (the objects the figure function hands to Plot, each once however many marks draw it), with their
// number, string and boolean fields. Embedded next to the panel's SVG as JSON in a
// <script type="application/json" class="plot-data">, which the page never executes; the reader's
// click turns a figure's panels into one CSV (src/apparatus/client.ts).

import type { PlotSpec } from "../figures/types.ts";

export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;

/** A panel's rows as embedded in the page: column names once, then one array of cells per row. */
export interface PanelData {
  /** The panel's id prefix, unique on the page. */
  panel: string;
  /** Its title, or its text alternative. */
  title: string;
  columns: string[];
  rows: Cell[][];
}

/** Marks as the figure functions build them: Plot marks (with `data`), nested arrays, or null. */
function marksOf(spec: PlotSpec): unknown[] {
  const out: unknown[] = [];
  const walk = (m: unknown) => (Array.isArray(m) ? m.forEach(walk) : m && out.push(m));
  walk(spec.marks ?? []);
  return out;
}

/**
 * The data rows of `spec`'s marks. Colour-ramp legends (text alternative "Colour legend …") plot
 * no data, only a scale, and rows without a single number (a list of labels) are not plotted numbers:
 * both are left out.
 */
export function plotRows(spec: PlotSpec): Row[] {
  if (/^Colour legend/i.test(spec.ariaLabel ?? "")) return [];
  const seen = new Set<object>();
  const rows: Row[] = [];
  for (const mark of marksOf(spec)) {
    const data = (mark as { data?: unknown }).data;
    if (!Array.isArray(data)) continue;
    for (const d of data) {
      if (!d || typeof d !== "object" || Array.isArray(d) || seen.has(d)) continue;
      seen.add(d);
      const row: Row = {};
      for (const [k, v] of Object.entries(d)) {
        if (typeof v === "number") row[k] = Number.isFinite(v) ? v : null;
        else if (typeof v === "string" || typeof v === "boolean") row[k] = v;
      }
      if (Object.values(row).some((v) => typeof v === "number")) rows.push(row);
    }
  }
  return rows;
}

/** The <script type="application/json"> that carries a panel's rows, or "" when it plots none. */
export function plotDataElement(spec: PlotSpec, panel: string): string {
  const rows = plotRows(spec);
  if (!rows.length) return "";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const data: PanelData = { panel, title: spec.title ? String(spec.title) : (spec.ariaLabel ?? panel), columns, rows: rows.map((r) => columns.map((k) => r[k] ?? null)) };
  // "<" escaped, so no string in the data can end the element.
  return `<script type="application/json" class="plot-data">${JSON.stringify(data).replace(/</g, "\\u003c")}</script>`;
}

/** A figure's panels as one CSV table: the columns "panel" and "panel_title", then every field of any row. */
export function panelsCsv(panels: PanelData[]): string {
  const columns = [...new Set(panels.flatMap((p) => p.columns))];
  const cell = (v: Cell | undefined) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [["panel", "panel_title", ...columns].map(cell).join(",")];
  for (const p of panels) {
    for (const r of p.rows) lines.push([p.panel, p.title, ...columns.map((k) => (p.columns.includes(k) ? r[p.columns.indexOf(k)] : null))].map(cell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
