// Prints one plain closing line, "tests: N passed, N failed[, N skipped]", after vitest's own summary,
// so CI logs end with a count any reader (or tool) can parse.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0, failed = 0, skipped = 0;
    for (const m of modules) {
      // In a file that failed (e.g. in a beforeAll hook), tests that were meant to run but did not count
      // as failed: a "skipped" there is not a skip anyone chose. Tests left out on purpose (a -t filter,
      // .skip, .todo) stay skipped.
      const fileFailed = m.state() === "failed";
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed" || (fileFailed && t.options.mode === "run")) failed++;
        else skipped++;
      }
      // A file that failed to load counts as a failure even though it holds no test cases.
      if (m.state() === "failed" && [...m.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
