// Small hand-made inputs and helpers shared by tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../src/model/config.ts";
import { SCHEMA_ID, SCHEMA_V1, type DataFile } from "../src/data/schema.ts";

/**
 * A valid two-level data file (schema 2, K = 3). At density 1, stage 2 confirms the stage-1 best (model 2)
 * with a clear win; at density 0.1 model 1 diverged, and stage 2 overturns stage 1: model 0, second on
 * the held-out sample, wins on the larger sample, in a statistical tie with model 2.
 */
export function sampleDataFile(): DataFile {
  const config = defaultConfig({ modelsPerLevel: 3, steps: 10 });
  const W = Array.from({ length: 5 }, (_, j) => Array.from({ length: 10 }, (_, i) => (i === j ? 1 : 0.01 * (i - j))));
  return {
    schema: SCHEMA_ID,
    model: "relu-hidden",
    config,
    run: { engine: "cpu", device: "test CPU × 1 thread", kernel: { name: "simd" }, trainSeconds: 1.5, selectSeconds: 0.5, createdAt: "2026-11-24T12:00:00.000Z", commit: "abc123" },
    levels: [
      {
        density: 1, losses: [0.001, 0.002, 0.003], modelLosses: [0.003, 0.002, 0.001], diverged: 0,
        selection: {
          stage1: { best: 2, z: 3, min: 32 }, samples: 4194304,
          candidates: [{ model: 2, loss: 0.00101, se: 1e-6 }, { model: 1, loss: 0.00201, se: 2e-6 }, { model: 0, loss: 0.00301, se: 3e-6 }],
          winner: 2, runnerUp: 1, paired: [{ model: 1, diff: 0.001, se: 1e-5 }], tieSE: 2, tie: false, tied: [2],
        },
        best: { model: 2, loss: 0.001, W, b: new Array(10).fill(0.1) },
      },
      {
        density: 0.1, losses: [0.0004, 0.0005], modelLosses: [0.0005, null, 0.0004], diverged: 1,
        selection: {
          stage1: { best: 2, z: 3, min: 32 }, samples: 4194304,
          candidates: [{ model: 2, loss: 0.000452, se: 2e-6 }, { model: 0, loss: 0.00045, se: 2e-6 }],
          winner: 0, runnerUp: 2, paired: [{ model: 2, diff: 2e-6, se: 3e-6 }], tieSE: 2, tie: true, tied: [0, 2],
        },
        best: { model: 0, loss: 0.0005, W, b: new Array(10).fill(-0.1) },
      },
    ],
  };
}

/**
 * A valid schema-1 file (as committed before schema 2): sorted losses and the winner only. The first
 * level records its winner (model 2); the second, like a file from before winners were recorded, does
 * not, and has one diverged model.
 */
export function sampleDataFileV1(): DataFile {
  const d = sampleDataFile();
  return {
    schema: SCHEMA_V1,
    model: d.model,
    config: d.config,
    run: { engine: "cpu", device: "test CPU × 1 thread", trainSeconds: 1.5, createdAt: "2026-11-24T12:00:00.000Z", commit: "abc123" },
    levels: [
      { density: 1, losses: [0.001, 0.002, 0.003], diverged: 0, best: { model: 2, loss: 0.001, W: d.levels[0].best.W, b: new Array(10).fill(0.1) } },
      { density: 0.1, losses: [0.0004, 0.0005], diverged: 1, best: { loss: 0.0004, W: d.levels[0].best.W, b: new Array(10).fill(-0.1) } },
    ],
  };
}

/**
 * Temporary directories for one test file: `make(prefix)` creates one, `cleanup()` (an afterAll hook)
 * removes them all.
 */
export function tempDirs(): { make: (prefix: string) => string; cleanup: () => void } {
  const dirs: string[] = [];
  return {
    make: (prefix) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    cleanup: () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Eight in five with the paper's separator, as the trained winners at 0.07–0.12 have it (rounded):
 *  neuron 1 is −0.7 on features 0–3 and +0.67 on 4–7; feature i < 4 is on the other four neurons but
 *  others[i], which silences it (−2.4); feature 4 + i is on neuron 1 and others[i]. */
export function eightInFiveWithSeparator(): number[][] {
  const W = Array.from({ length: 5 }, () => new Array(10).fill(0));
  const others = [0, 2, 3, 4];
  for (let i = 0; i < 4; i++) {
    W[1][i] = -0.7;
    W[1][4 + i] = 0.67;
    others.forEach((k, r) => ((W[k][i] = r === i ? -2.4 : 0.55), (W[k][4 + i] = r === i ? 0.9 : -0.15)));
  }
  return W;
}
