// scripts/bench/torch-baseline.ts, the PyTorch CPU baseline's wrapper. CI has no torch, so its logic is
// tested with fake Pythons (sh scripts): missing, without torch, printing garbage or nothing, failing,
// hanging. torch_cpu.py's own flags and import guard run under a real Python with -S (no site-packages,
// so no torch even where it is installed); those tests need a python3, not torch.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_PYTHONS, TORCH_INSTALL_HINT, TORCH_SCRIPT, parseTorchOutput, torchBaseline } from "../scripts/bench/torch-baseline.ts";

const dir = mkdtempSync(join(tmpdir(), "torch-baseline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable sh script standing in for python3. */
function fakePython(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const workload = { models: 2, steps: 3, density: 0.5, threads: 1 };
const valid = { modelStepsPerSecond: 1234, seconds: 0.005, models: 2, steps: 3, density: 0.5, threads: 1, batch: 1024, torch: "2.5.1", python: "3.11.2" };
const printing = (name: string, o: object) => fakePython(name, `echo '${JSON.stringify(o)}'`);
const noTorch = fakePython("no-torch", `echo "torch_cpu.py: cannot import torch: No module named 'torch'" >&2; exit 3`);
const missing = join(dir, "not-there", "python3");

describe("torchBaseline with fake Pythons", () => {
  it("passes over Pythons that are missing or lack torch, and says how to install it", async () => {
    const r = await torchBaseline({ ...workload, pythons: [missing, noTorch] });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining(TORCH_INSTALL_HINT) });
    if (r.ok) return;
    expect(r.reason).not.toContain("\n");
    expect(r.reason).toContain(`${missing}: not found`);
    expect(r.reason).toContain(`${noTorch}: cannot import torch: No module named 'torch'`);
    expect(TORCH_INSTALL_HINT).toContain("apt-get install python3-torch");
  });

  it("runs the script under the first Python with torch, with the workload's flags, and returns its numbers", async () => {
    const withArgs = fakePython("valid-args", `echo "$@" > "$0.args"; echo '${JSON.stringify(valid)}'`);
    const r = await torchBaseline({ ...workload, pythons: [missing, noTorch, withArgs, printing("unused", { ...valid, torch: "other" })] });
    expect(r).toEqual({ ok: true, executable: withArgs, modelStepsPerSecond: 1234, seconds: 0.005, torch: "2.5.1", python: "3.11.2" });
    expect(readFileSync(`${withArgs}.args`, "utf8").trim()).toBe(`${TORCH_SCRIPT} --models 2 --steps 3 --density 0.5 --threads 1 --batch 1024 --json`);
  });

  it("rejects output that is not the script's one JSON line", async () => {
    const cases: [string, string, RegExp][] = [
      ["garbage", "echo 'Segmentation fault (core dumped)'", /stdout is not JSON: "Segmentation fault/],
      ["nothing", "true", /expected one line of JSON on stdout, got 0 lines/],
      ["two-lines", `echo '${JSON.stringify(valid)}'; echo '${JSON.stringify(valid)}'`, /got 2 lines/],
      ["wrong-workload", `echo '${JSON.stringify({ ...valid, models: 64 })}'`, /models is 64, asked for 2/],
      ["no-speed", `echo '${JSON.stringify({ ...valid, modelStepsPerSecond: 0 })}'`, /modelStepsPerSecond is 0, not a positive number/],
    ];
    for (const [name, body, message] of cases) {
      const python = fakePython(name, body);
      const r = await torchBaseline({ ...workload, pythons: [python] });
      expect(r, name).toEqual({ ok: false, reason: expect.stringMatching(message) });
      if (!r.ok) expect(r.reason, name).toMatch(new RegExp(`^${python} scripts/bench/torch_cpu.py: `));
    }
  });

  it("reports a failed run with its last stderr line, without trying the next Python", async () => {
    const crash = fakePython("crash", "echo 'Traceback (most recent call last):' >&2; echo 'RuntimeError: boom' >&2; exit 1");
    const r = await torchBaseline({ ...workload, pythons: [crash, printing("next", valid)] });
    expect(r).toEqual({ ok: false, reason: `${crash} scripts/bench/torch_cpu.py exited with status 1: RuntimeError: boom` });
  });

  it("kills a run that outlives the timeout", async () => {
    // exec: the sleep must be the process that is killed (a child of sh would keep stdout open).
    const hang = fakePython("hang", "exec sleep 30");
    const t0 = performance.now();
    const r = await torchBaseline({ ...workload, pythons: [hang], timeoutMs: 300 });
    expect(r).toEqual({ ok: false, reason: `${hang} scripts/bench/torch_cpu.py: timed out after 0.3 s` });
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe("parseTorchOutput", () => {
  it("accepts the script's line and checks every field", () => {
    expect(parseTorchOutput(`${JSON.stringify(valid)}\n`, workload)).toEqual({ modelStepsPerSecond: 1234, seconds: 0.005, torch: "2.5.1", python: "3.11.2" });
    const bad: [object | string, RegExp][] = [
      ["[1, 2]", /not a JSON object/],
      ["null", /not a JSON object/],
      [{ ...valid, modelStepsPerSecond: "1234" }, /modelStepsPerSecond is "1234"/],
      [{ ...valid, seconds: -1 }, /seconds is -1/],
      [{ ...valid, torch: undefined }, /torch is undefined, not a version string/],
      [{ ...valid, python: "" }, /python is "", not a version string/],
      [{ ...valid, steps: 200 }, /steps is 200, asked for 3/],
      [{ ...valid, density: 0.1 }, /density is 0.1, asked for 0.5/],
      [{ ...valid, threads: 2 }, /threads is 2, asked for 1/],
    ];
    for (const [out, message] of bad) expect(parseTorchOutput(typeof out === "string" ? out : JSON.stringify(out), workload)).toMatch(message);
  });
});

// torch_cpu.py itself under a real Python: the flags are parsed before `import torch`, so this needs no
// torch; -S leaves out site-packages, so torch is absent even where it is installed.
describe("torch_cpu.py under python3 -S", () => {
  const python = DEFAULT_PYTHONS.find((p) => spawnSync(p, ["-c", "pass"]).status === 0);
  const bare = fakePython("bare-python", `exec ${python} -S "$@"`);
  const script = (args: readonly string[]) => spawnSync(bare, [TORCH_SCRIPT, ...args], { encoding: "utf8", timeout: 30_000 });

  it("finds a python3 to run it (torch not needed)", () => {
    expect(python, `none of ${DEFAULT_PYTHONS.join(", ")} runs`).toBeDefined();
  });

  it("exits 2 with argparse's message on bad flags, and prints help", () => {
    for (const [args, message] of [
      [["--models", "0"], /argument --models: must be at least 1, got 0/],
      [["--density", "0"], /argument --density: must be in \(0, 1\], got 0/],
      [["--density", "1.5"], /argument --density: must be in \(0, 1\], got 1.5/],
      [["--threads", "two"], /argument --threads: invalid positive_int value: 'two'/],
      [["--bogus"], /unrecognized arguments: --bogus/],
    ] as const) {
      const r = script(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const help = script(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--models .*--steps .*--density .*--threads .*--batch .*--json/s);
  });

  it("exits 3 without torch, and the wrapper reports that Python as lacking it", async () => {
    const r = script(["--models", "2"]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe("torch_cpu.py: cannot import torch: No module named 'torch'");
    const b = await torchBaseline({ ...workload, pythons: [bare] });
    expect(b).toEqual({ ok: false, reason: `no Python with PyTorch (${bare}: cannot import torch: No module named 'torch'); to install it: ${TORCH_INSTALL_HINT}` });
  });
});

// With the machine's own Pythons: where one has torch (a developer's machine), the real script's output
// must pass the wrapper's checks; where none has (CI), the answer is the install hint. Both are checked.
describe("torchBaseline on this machine", () => {
  it("returns a speed from real PyTorch, or the install hint", async () => {
    const r = await torchBaseline({ ...workload, batch: 64 });
    if (r.ok) {
      expect(DEFAULT_PYTHONS).toContain(r.executable);
      expect(r.modelStepsPerSecond).toBeGreaterThan(0);
      expect(r.torch).toMatch(/^\d+\.\d+/);
      expect(r.python).toMatch(/^3\.\d+/);
    } else {
      expect(r.reason).toMatch(/^no Python with PyTorch \(/);
      expect(r.reason).toContain(TORCH_INSTALL_HINT);
    }
  });
});
