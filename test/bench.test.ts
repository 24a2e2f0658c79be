// npm run bench (and npm run gpu-bench below): flag errors and the JSON they print, on tiny workloads
// (no timing is asserted: speed targets live in BENCHMARKS.md). The webgpu cases run on SwiftShader
// where there is no GPU.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const bench = (args: readonly string[]) => spawnSync(process.execPath, ["scripts/bench.ts", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

type Run = (args: readonly string[]) => ReturnType<typeof bench>;

/** Each bad command line exits 2 with one stderr line matching its message. */
function expectUsageErrors(run: Run, cases: readonly (readonly [readonly string[], RegExp])[]): void {
  for (const [args, message] of cases) {
    const r = run(args);
    expect(r.status, args.join(" ")).toBe(2);
    expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  }
}

/** --help and -h exit 0 and print the usage, which mentions `flag`. */
function expectHelp(run: Run, usage: string, flag: string): void {
  for (const help of ["--help", "-h"]) {
    const r = run([help]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(usage);
    expect(r.stdout).toContain(flag);
  }
}

describe("npm run bench", () => {
  it("exits 2 with one line naming the flag on bad input", () => {
    expectUsageErrors(bench, [
      [["--engine", "tpu"], /^bench: --engine: expected one of auto, cpu, webgpu, got 'tpu'$/],
      [["--models", "0"], /^bench: --models: must be between 1/],
      [["--density", "2"], /^bench: --density: density 2 is outside/],
      [["--engine", "cpu", "--kernel", "private"], /^bench: --kernel: the cpu engine runs simd, reference, js, got 'private'$/],
      [["--engine", "cpu", "--workgroup", "32"], /^bench: --workgroup applies to the webgpu engine only$/],
      [["--engine", "webgpu", "--kernel", "simd"], /^bench: --kernel: expected one of private, workgroup/],
      [["--engine", "webgpu", "--workgroup", "48"], /^bench: --workgroup: must be a power of two, got 48$/],
      [["--bogus"], /^bench: .*--bogus/],
      // train's limit: a K in the billions would only exhaust the heap.
      [["--models", "4294967295"], /^bench: --models: must be between 1 and 1000000, got 4294967295$/],
      [["--steps", "-3"], /^bench: --steps: expected an integer, got '-3'$/],
      [["--steps", "3", "--steps", "4"], /^bench: --steps: given more than once$/],
    ]);
  });

  it("prints help", () => {
    expectHelp(bench, "usage: npm run bench", "--full");
  });

  it("--json prints one result: engine, device, kernel, model-steps (per density and kernel on the CPU) and GPU time", () => {
    const cpu = bench(["--engine", "cpu", "--models", "2", "--steps", "3", "--density", "1,0.05", "--no-torch", "--json"]);
    expect(cpu.status, cpu.stderr).toBe(0);
    const c = JSON.parse(cpu.stdout);
    expect(c).toMatchObject({ engine: "cpu", models: 4, steps: 3, kernel: { name: "simd" } });
    expect(c.modelStepsPerSecond).toBeGreaterThan(0);
    // The SIMD kernel and the JS kernel it replaced, each density on its own.
    expect(c.perDensity.map((r: { density: number; kernel: string }) => `${r.density} ${r.kernel}`)).toEqual(["1 js", "1 simd", "0.05 js", "0.05 simd"]);
    for (const r of c.perDensity) expect(r.modelStepsPerSecond).toBeGreaterThan(0);
    expect(c.torch).toBeUndefined();

    const one = JSON.parse(bench(["--engine", "cpu", "--kernel", "reference", "--models", "1", "--steps", "2", "--json"]).stdout);
    expect(one.kernel).toEqual({ name: "reference" });
    expect(one.perDensity.map((r: { kernel: string }) => r.kernel)).toEqual(["reference"]);

    const gpu = bench(["--engine", "webgpu", "--kernel", "workgroup", "--workgroup", "32", "--models", "2", "--steps", "3", "--json"]);
    expect(gpu.status, gpu.stderr).toBe(0);
    const g = JSON.parse(gpu.stdout);
    expect(g).toMatchObject({ engine: "webgpu", models: 2, steps: 3, kernel: { name: "workgroup", workgroupSize: 32 } });
    expect(g.gpuSeconds).toBeGreaterThan(0);
    expect(g.gpuSeconds).toBeLessThanOrEqual(g.seconds);
  });

  it("prints the WebGPU engine's internal lines only with --verbose", () => {
    const args = ["--engine", "webgpu", "--models", "2", "--steps", "3", "--no-baseline"];
    const internal = /^webgpu: (relu-hidden .* wave\(s\);|\d+ of \d+ chunk waits)/gm;
    const plain = bench(args);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^webgpu: (hardware|software) adapter /m);
    expect(plain.stderr.match(internal)).toBeNull();
    const verbose = bench([...args, "--verbose"]);
    expect(verbose.status, verbose.stderr).toBe(0);
    // The warm-up and the timed run: two requests, two lines each.
    expect(verbose.stderr.match(internal)).toHaveLength(4);
  });
});

// scripts/gpu-bench.ts, the kernel sweep for the GPU machine: its flags, and one tiny sweep with --check
// (every kernel against the CPU kernels) on SwiftShader where there is no GPU.
describe("npm run gpu-bench", () => {
  const gpuBench = (args: readonly string[]) => spawnSync(process.execPath, ["scripts/gpu-bench.ts", ...args], {
    cwd: root, encoding: "utf8", timeout: 180_000,
    env: { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? "/usr/lib/chromium/vk_swiftshader_icd.json", XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? "/tmp" },
  });

  it("exits 2 with one line naming the flag on bad input, and prints help", () => {
    expectUsageErrors(gpuBench, [
      [["--steps", "0"], /^gpu-bench: --steps: must be between 1 and 4294967295, got 0$/],
      [["--kernels", "private,fast"], /^gpu-bench: --kernels: /],
      [["--workgroups", "48"], /^gpu-bench: --workgroups: must be a power of two, got 48$/],
      [["--kind", "gelu-hidden"], /^gpu-bench: --kind: expected relu-hidden or linear-hidden, got 'gelu-hidden'$/],
      [["--levels", "0"], /^gpu-bench: --levels: /],
      [["--models", "3", "--models", "4"], /^gpu-bench: --models: given more than once$/],
    ]);
    expectHelp(gpuBench, "usage: npm run gpu-bench", "--check");
  });

  it("--check --json checks each kernel against the CPU, then prints one result per (kernel, workgroup size)", () => {
    const r = gpuBench(["--steps", "2", "--models", "2", "--levels", "0.5", "--workgroups", "32", "--check", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    // Both kernels checked on both models, all within the stated tolerances.
    expect(r.stderr.match(/^check \w+\/32 (relu|linear)-hidden: .*: ok$/gm)).toHaveLength(4);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { kernel: string; workgroupSize: number }) => `${x.kernel}/${x.workgroupSize}`)).toEqual(["private/32", "workgroup/32"]);
    for (const x of results) {
      expect(x).toMatchObject({ kind: "relu-hidden", levels: 1, modelsPerLevel: 2, steps: 2, batch: 1024 });
      expect(x.gpuSeconds).toBeGreaterThan(0);
      expect(x.gpuSeconds).toBeLessThanOrEqual(x.seconds);
    }
  }, 180_000);
});
