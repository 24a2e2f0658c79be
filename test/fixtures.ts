// Small hand-made inputs and helpers shared by tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../src/model/config.ts";
import { SCHEMA_ID, type DataFile } from "../src/data/schema.ts";

/**
 * A valid two-level data file (K = 3). The first level records its winner (model 2); the second, like a
 * file from before winners were recorded, does not, and has one diverged model.
 */
export function sampleDataFile(): DataFile {
  const config = defaultConfig({ modelsPerLevel: 3, steps: 10 });
  const W = Array.from({ length: 5 }, (_, j) => Array.from({ length: 10 }, (_, i) => (i === j ? 1 : 0.01 * (i - j))));
  return {
    schema: SCHEMA_ID,
    model: "relu-hidden",
    config,
    run: { engine: "cpu", device: "test CPU × 1 thread", trainSeconds: 1.5, createdAt: "2026-11-24T12:00:00.000Z", commit: "abc123" },
    levels: [
      { density: 1, losses: [0.001, 0.002, 0.003], diverged: 0, best: { model: 2, loss: 0.001, W, b: new Array(10).fill(0.1) } },
      { density: 0.1, losses: [0.0004, 0.0005], diverged: 1, best: { loss: 0.0004, W, b: new Array(10).fill(-0.1) } },
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
