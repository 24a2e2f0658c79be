// The PyTorch CPU baseline for `npm run bench`: runs scripts/bench/torch_cpu.py (the paper's notebook
// style: K models in one einsum, torch.optim.AdamW) under the first Python that can import torch, and
// returns its model-steps per second, or one line saying why there is none. PyTorch is not a project
// dependency (CI never installs it), so "not available" is an ordinary answer, not an error.

import { execFile } from "node:child_process";

/** How to get PyTorch where the baseline looks for it. */
export const TORCH_INSTALL_HINT = "Debian: apt-get install python3-torch; elsewhere: pip install torch";

/** Where to look, in order: the python3 on PATH (often a pyenv or venv one, where pip puts torch), then
 *  Debian's, which is where python3-torch installs. */
export const DEFAULT_PYTHONS: readonly string[] = ["python3", "/usr/bin/python3"];

export const TORCH_SCRIPT = new URL("torch_cpu.py", import.meta.url).pathname;

/** torch_cpu.py's exit status when `import torch` fails: try the next Python. */
const NO_TORCH_STATUS = 3;

export interface TorchBaselineOptions {
  models: number;
  steps: number;
  density: number;
  threads: number;
  batch?: number;
  /** Python executables to try (names are looked up on PATH); default DEFAULT_PYTHONS. */
  pythons?: readonly string[];
  /** Per Python tried; the run is killed after it. Default 10 minutes. */
  timeoutMs?: number;
}

/** What torch_cpu.py reports, once checked. */
export interface TorchRun {
  modelStepsPerSecond: number;
  seconds: number;
  torch: string;
  python: string;
}

export type TorchBaselineResult = ({ ok: true; executable: string } & TorchRun) | { ok: false; reason: string };

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the executable could not be started (ENOENT, EACCES): try the next one. */
  spawnError?: string;
  /** Any other failure to run it (the timeout, too much output). */
  error?: string;
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    // No shell; SIGKILL so that a Python busy in a C loop cannot outlive the timeout.
    execFile(file, args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1 << 20, encoding: "utf8" }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null }) | null;
      const r: Run = { status: typeof e?.code === "number" ? e.code : e ? null : 0, signal: e?.signal ?? null, stdout, stderr };
      if (e?.syscall?.startsWith("spawn")) r.spawnError = e.code === "ENOENT" ? "not found" : (e.code ?? e.message);
      else if (typeof e?.code === "string") r.error = e.message.split("\n")[0]; // e.g. ERR_CHILD_PROCESS_STDIO_MAXBUFFER
      else if (e?.killed) r.error = `timed out after ${timeoutMs / 1000} s`; // (an exit status is a number)
      resolve(r);
    });
  });
}

const lastLine = (s: string) => s.trim().split("\n").at(-1)?.trim() ?? "";

/** The script's one JSON line, checked against what was asked for; a string says what is wrong. */
export function parseTorchOutput(stdout: string, want: { models: number; steps: number; density: number; threads: number }): TorchRun | string {
  const lines = stdout.trim().split("\n").filter((l) => l.trim() !== "");
  if (lines.length !== 1) return `expected one line of JSON on stdout, got ${lines.length} lines`;
  let r: unknown;
  try {
    r = JSON.parse(lines[0]);
  } catch {
    return `stdout is not JSON: ${JSON.stringify(lines[0].slice(0, 80))}`;
  }
  if (typeof r !== "object" || r === null || Array.isArray(r)) return "stdout is not a JSON object";
  const o = r as Record<string, unknown>;
  const positive = (k: string) => (typeof o[k] === "number" && Number.isFinite(o[k]) && (o[k] as number) > 0 ? undefined : `${k} is ${JSON.stringify(o[k])}, not a positive number`);
  const problem =
    positive("modelStepsPerSecond") ??
    positive("seconds") ??
    (["torch", "python"] as const).map((k) => (typeof o[k] === "string" && o[k] !== "" ? undefined : `${k} is ${JSON.stringify(o[k])}, not a version string`)).find(Boolean) ??
    // The script must have run the workload it was given, not its defaults.
    (["models", "steps", "density", "threads"] as const).map((k) => (o[k] === want[k] ? undefined : `${k} is ${JSON.stringify(o[k])}, asked for ${want[k]}`)).find(Boolean);
  if (problem) return problem;
  return { modelStepsPerSecond: o.modelStepsPerSecond as number, seconds: o.seconds as number, torch: o.torch as string, python: o.python as string };
}

/** Trains o.models × o.steps with PyTorch on the CPU under the first of o.pythons that has torch. */
export async function torchBaseline(o: TorchBaselineOptions): Promise<TorchBaselineResult> {
  const args = [TORCH_SCRIPT, "--models", `${o.models}`, "--steps", `${o.steps}`, "--density", `${o.density}`, "--threads", `${o.threads}`, "--batch", `${o.batch ?? 1024}`, "--json"];
  const timeoutMs = o.timeoutMs ?? 600_000;
  const missing: string[] = []; // why each Python was passed over
  for (const python of o.pythons ?? DEFAULT_PYTHONS) {
    const r = await run(python, args, timeoutMs);
    if (r.spawnError) {
      missing.push(`${python}: ${r.spawnError}`);
      continue;
    }
    if (r.status === NO_TORCH_STATUS) {
      missing.push(`${python}: ${lastLine(r.stderr).replace(/^torch_cpu\.py: /, "") || "cannot import torch"}`);
      continue;
    }
    // This Python has torch: its answer is final (another Python's torch would be a different baseline).
    const cmd = `${python} scripts/bench/torch_cpu.py`;
    if (r.error) return { ok: false, reason: `${cmd}: ${r.error}` };
    if (r.status !== 0) {
      const how = r.status === null ? `was killed by ${r.signal}` : `exited with status ${r.status}`;
      return { ok: false, reason: `${cmd} ${how}${lastLine(r.stderr) ? `: ${lastLine(r.stderr)}` : ""}` };
    }
    const parsed = parseTorchOutput(r.stdout, o);
    if (typeof parsed === "string") return { ok: false, reason: `${cmd}: ${parsed}` };
    return { ok: true, executable: python, ...parsed };
  }
  return { ok: false, reason: `no Python with PyTorch (${missing.join("; ")}); to install it: ${TORCH_INSTALL_HINT}` };
}
