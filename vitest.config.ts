import { randomUUID } from "node:crypto";
import { defineConfig } from "vitest/config";

// One id per test run, inherited by every worker: the shared site build (test/helpers/site-build.ts)
// is made once per run and never reused from an earlier one.
process.env.PB_TEST_RUN ??= randomUUID();

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    // The machine has 2 cores; the CPU-engine and build tests spawn their own workers.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
