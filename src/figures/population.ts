// Figures of the whole population and of the winners' checks:
//   populationPlot   — for each density, how the K models divide among the regimes (a bar per density,
//                      split by regime share), with the winner's regime marked;
//   crossEvalPlot    — the cross-evaluation: the winner of density a on the data of density b, as the
//                      relative loss difference to b's own winner; cells where a's winner is better by
//                      more than the tie rule's standard errors are outlined.
// Both draw rows prepared by src/site/population.ts and the data file's diagnostics.

import * as Plot from "@observablehq/plot";
import { formatDensity } from "./format.ts";
import { REGIME_COLOURS, REGIME_ORDER } from "./sweep.ts";
import type { CommonPlotOptions, PlotSpec } from "./types.ts";

export interface PopulationRow {
  density: number;
  regimes: readonly { id: string; share: number; count: number }[];
  winnerRegime: string;
  /** The regime's words, for titles. */
  phrases: Readonly<Record<string, string>>;
}

export function populationPlot(rows: readonly PopulationRow[], options: CommonPlotOptions = {}): PlotSpec {
  const present = REGIME_ORDER.filter((id) => rows.some((r) => r.regimes.some((g) => g.id === id)));
  const cells = rows.flatMap((r) => {
    let x = 0;
    return REGIME_ORDER.flatMap((id) => {
      const g = r.regimes.find((q) => q.id === id);
      if (!g) return [];
      const cell = { density: formatDensity(r.density), id, x1: x, x2: x + g.share, count: g.count, share: g.share, winner: id === r.winnerRegime, phrase: r.phrases[id] ?? id };
      x += g.share;
      return [cell];
    });
  });
  const densities = rows.map((r) => formatDensity(r.density));
  return {
    width: options.width ?? 640,
    height: options.height ?? 28 + 18 * rows.length,
    marginLeft: 56,
    ariaLabel: options.ariaLabel ?? "Share of the K models in each regime, per density",
    ariaDescription: options.ariaDescription ?? rows.map((r) => `density ${formatDensity(r.density)}: ${r.regimes.map((g) => `${g.count} ${g.id}`).join(", ")}; winner ${r.winnerRegime}`).join(". "),
    x: { domain: [0, 1], label: "share of the K models →", tickFormat: (v: number) => `${Math.round(v * 100)}%` },
    y: { domain: densities, label: "density", padding: 0.15 },
    color: { type: "ordinal", domain: [...present], range: present.map((id) => REGIME_COLOURS[id]) },
    marks: [
      Plot.rectX(cells, {
        x1: "x1", x2: "x2", y: "density", fill: "id", stroke: "white", strokeWidth: 0.5,
        title: (d: (typeof cells)[number]) => `density ${d.density}: ${d.count} models (${(d.share * 100).toFixed(1)}%) — ${d.phrase}${d.winner ? " — the winner's regime" : ""}`,
      }),
      // The winner's regime: a ring at the middle of its segment.
      Plot.dot(cells.filter((c) => c.winner), { x: (d: (typeof cells)[number]) => (d.x1 + d.x2) / 2, y: "density", r: 4, stroke: "black", strokeWidth: 1.5, fill: "white" }),
    ],
  };
}

export interface CrossEvalCell {
  /** Whose winner (its density). */
  winnerOf: number;
  /** On whose data. */
  on: number;
  /** (loss − own winner's loss) / own winner's loss. */
  relative: number;
  /** The same, in standard errors of the paired difference (0 on the diagonal). */
  z: number;
  failure: boolean;
}

export function crossEvalPlot(cells: readonly CrossEvalCell[], options: CommonPlotOptions & { tieSE?: number } = {}): PlotSpec {
  const densities = [...new Set(cells.map((c) => c.on))].sort((a, b) => b - a).map(formatDensity);
  const cap = 0.2; // the colour scale saturates at ±20 %
  const rows = cells.map((c) => ({ ...c, a: formatDensity(c.winnerOf), b: formatDensity(c.on) }));
  return {
    width: options.width ?? 640,
    height: options.height ?? 60 + 22 * densities.length,
    marginLeft: 56,
    marginBottom: 44,
    ariaLabel: options.ariaLabel ?? "Cross-evaluation of the winners: each winner on every density's data, relative to that density's own winner",
    ariaDescription: options.ariaDescription ?? `${cells.filter((c) => c.failure).length} cells where another density's winner beats the density's own winner`,
    x: { domain: densities, label: "data of density →", tickRotate: -45 },
    y: { domain: densities, label: "winner of density ↓" },
    color: { type: "diverging", scheme: "RdBu", domain: [-cap, cap], reverse: true, label: "loss vs. own winner", tickFormat: (v: number) => `${v > 0 ? "+" : ""}${Math.round(v * 100)}%`, legend: false },
    marks: [
      Plot.cell(rows, {
        x: "b", y: "a", fill: (d: (typeof rows)[number]) => Math.max(-cap, Math.min(cap, d.relative)),
        title: (d: (typeof rows)[number]) =>
          d.winnerOf === d.on
            ? `density ${d.b}: its own winner`
            : `winner of ${d.a} on the data of ${d.b}: ${d.relative >= 0 ? "+" : ""}${(d.relative * 100).toFixed(2)}% (${d.z.toFixed(1)} SE)${d.failure ? " — better than the own winner" : ""}`,
      }),
      Plot.cell(rows.filter((d) => d.failure), { x: "b", y: "a", fill: "none", stroke: "black", strokeWidth: 2, inset: 1 }),
    ],
  };
}
