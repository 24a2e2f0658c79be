// Counted nouns in messages and prose, shared by the analysis and the trainer (kept out of
// src/figures/ so that analysis and training code need not import figure code).

/** "1 model", "3 models"; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
