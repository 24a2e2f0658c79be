// The version of what training computes beyond its config. A data file is a cache of its experiment's
// declaration (src/experiments/): it is fresh while the declared config and this version are the ones
// it was written with (src/experiments/cache.ts). The config covers every number a run takes (n, m,
// importance, K, steps, batch, optimizer, seed, evaluation sizes, densities); this version covers the
// code that turns those numbers into a file, where a change makes an old file answer a different
// question: the random streams (src/model/rng.ts) and initialisation, the optimizer's update
// (src/train/adamw.ts), the held-out evaluation and the selection of each level's winner
// (src/train/selection.ts). Engines, kernels and workgroup sizes are not in it: they differ only in the
// last bits of float32 sums, and a file records which one wrote it.
//
// History (bump the number, and add a line, when any of the above changes):
//   1  the winner is the model with the lowest loss on the level's 32,768 held-out draws (schema-1 files);
//   2  two-stage selection with stated confidence, every model's loss and the population (schema 2).

export const TRAINING_SEMANTICS = 2;

/** The semantics a data file was trained under: recorded in files written since the field exists;
 *  earlier ones are known by their schema (schema 1 ⇒ 1, schema 2 ⇒ 2). */
export function fileSemantics(file: { schema: string; semantics?: number }): number {
  return file.semantics ?? (file.schema === "privileged-basis/1" ? 1 : 2);
}
