// npm run bench: flag errors and the JSON it prints, on tiny workloads (no timing is asserted: speed
// targets live in BENCHMARKS.md). The webgpu case runs on SwiftShader where there is no GPU.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const bench = (args: readonly string[]) => spawnSync(process.execPath, ["scripts/bench.ts", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

describe("npm run bench", () => {
  it("exits 2 with one line naming the flag on bad input", () => {
    for (const [args, message] of [
      [["--engine", "tpu"], /^bench: --engine: expected one of auto, cpu, webgpu, got 'tpu'$/],
      [["--models", "0"], /^bench: --models: must be between 1/],
      [["--density", "2"], /^bench: --density: density 2 is outside/],
      [["--engine", "cpu", "--kernel", "private"], /^bench: --kernel and --workgroup apply to the webgpu engine only$/],
      [["--engine", "webgpu", "--workgroup", "48"], /^bench: --workgroup: must be a power of two, got 48$/],
      [["--bogus"], /^bench: .*--bogus/],
      // train's limit: a K in the billions would only exhaust the heap.
      [["--models", "4294967295"], /^bench: --models: must be between 1 and 1000000, got 4294967295$/],
      [["--steps", "-3"], /^bench: --steps: expected an integer, got '-3'$/],
      [["--steps", "3", "--steps", "4"], /^bench: --steps: given more than once$/],
    ] as const) {
      const r = bench(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });

  it("prints help", () => {
    for (const flag of ["--help", "-h"]) {
      const r = bench([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("usage: npm run bench");
      expect(r.stdout).toContain("--full");
    }
  });

  it("--json prints one result: engine, device, kernel (webgpu), model-steps and GPU time", () => {
    const cpu = bench(["--engine", "cpu", "--models", "2", "--steps", "3", "--json"]);
    expect(cpu.status, cpu.stderr).toBe(0);
    const c = JSON.parse(cpu.stdout);
    expect(c).toMatchObject({ engine: "cpu", models: 2, steps: 3 });
    expect(c.modelStepsPerSecond).toBeGreaterThan(0);
    expect(c.kernel).toBeUndefined();

    const gpu = bench(["--engine", "webgpu", "--kernel", "workgroup", "--workgroup", "32", "--models", "2", "--steps", "3", "--json"]);
    expect(gpu.status, gpu.stderr).toBe(0);
    const g = JSON.parse(gpu.stdout);
    expect(g).toMatchObject({ engine: "webgpu", models: 2, steps: 3, kernel: { name: "workgroup", workgroupSize: 32 } });
    expect(g.gpuSeconds).toBeGreaterThan(0);
    expect(g.gpuSeconds).toBeLessThanOrEqual(g.seconds);
  });
});
