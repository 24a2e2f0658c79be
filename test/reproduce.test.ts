// The committed data files are reproducible from their own config by today's code. Retraining a whole
// level takes the full run, but one model takes a second or two: model 0 of the densest and of the
// sparsest level is retrained from the file's config and seed, and its held-out loss must be one of the
// level's K losses, exactly for a file the CPU engine wrote (same float64 arithmetic, same order). This
// pins everything a silent change would alter: the random stream, the Xavier initialisation, the data
// distribution, the importance, AdamW and the evaluation. The paper's defaults are pinned too.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDataFile } from "../src/data/io.ts";
import { MODEL_KINDS, dataFileName } from "../src/data/schema.ts";
import { defaultConfig } from "../src/model/config.ts";
import { createCpuKernel } from "../src/train/cpu-codegen.ts";

const root = new URL("..", import.meta.url).pathname;

describe.each(MODEL_KINDS)("committed %s data", (model) => {
  const file = readDataFile(join(root, "public", "data", dataFileName(model)));

  it("was trained with the paper's configuration, which is the trainer's default", () => {
    expect(file.config).toEqual(defaultConfig());
    // The paper's setup, written out: n = 10, m = 5, I_i = 0.75^i, AdamW (lr 1e-3, decoupled weight decay
    // 0.01), batch 1024, 10,000 steps, best of 1000 per density.
    const c = file.config;
    expect([c.features, c.neurons, c.batchSize, c.steps, c.modelsPerLevel]).toEqual([10, 5, 1024, 10_000, 1000]);
    c.importance.forEach((v, i) => expect(v).toBeCloseTo(0.75 ** i, 12));
    expect(c.optimizer).toMatchObject({ name: "adamw", lr: 1e-3, weightDecay: 0.01 });
  });

  const densities = file.levels.map((l) => l.density);
  for (const density of [Math.max(...densities), Math.min(...densities)]) {
    it(`contains the loss of model 0 at density ${density}, retrained now from its config`, () => {
      const level = file.levels.find((l) => l.density === density)!;
      const kernel = createCpuKernel(model, file.config);
      const loss = kernel.evalLoss(density, kernel.train(density, 0).params);
      expect(Number.isFinite(loss)).toBe(true);
      if (file.run.engine === "cpu") {
        expect(level.losses).toContain(loss);
      } else {
        // A GPU engine computes in float32: the same model's loss agrees to float32 accuracy after
        // 10,000 steps only approximately (see test/webgpu.test.ts for the stated tolerances).
        const nearest = Math.min(...level.losses.map((l) => Math.abs(l - loss) / loss));
        expect(nearest).toBeLessThan(0.02);
      }
    }, 60_000);
  }
});
