// Figure and equation numbers. The article refers to figures and equations by id; their numbers come
// from the order here, so inserting one renumbers every reference. An unknown id stops the build.

export const FIGURES = [
  "fig-privileged-basis",
  "fig-reading-w",
  "fig-regimes",
  "fig-sweep",
  "fig-superposition-sweep",
  "fig-cross-eval",
  "fig-better",
  "fig-population",
] as const;

export const EQUATIONS = ["eq-hidden", "eq-output", "eq-linear", "eq-data", "eq-loss", "eq-superposition"] as const;

export type FigureId = (typeof FIGURES)[number];
export type EquationId = (typeof EQUATIONS)[number];

export function figureNumber(id: string): number {
  const k = (FIGURES as readonly string[]).indexOf(id);
  if (k < 0) throw new Error(`Unknown figure id "${id}" (known: ${FIGURES.join(", ")}); add it to src/site/registry.ts`);
  return k + 1;
}

export function equationNumber(id: string): number {
  const k = (EQUATIONS as readonly string[]).indexOf(id);
  if (k < 0) throw new Error(`Unknown equation id "${id}" (known: ${EQUATIONS.join(", ")}); add it to src/site/registry.ts`);
  return k + 1;
}
