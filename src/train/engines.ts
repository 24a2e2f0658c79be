// Picks a training engine by name. "auto" prefers the GPU (WebGPU through Dawn) and falls back to the
// CPU with a one-line notice when Dawn finds no adapter, or only a software one: SwiftShader (which
// Debian's chromium installs, and the tests use) emulates the GPU on the CPU some 30× slower than the
// CPU engine. `--engine webgpu` takes whatever adapter there is.

import type { Engine, EngineName } from "./engine.ts";
import { createCpuEngine, type CpuEngineOptions } from "./cpu-engine.ts";
import type { CpuKernelName } from "./cpu-kernel.ts";
import type { KernelName } from "./webgpu/layout.ts";

export type EngineChoice = EngineName | "auto";
export const ENGINE_CHOICES: readonly EngineChoice[] = ["auto", "cpu", "webgpu"];

export interface EngineOptions {
  /** Train this many steps instead of config.steps (benchmarks). */
  steps?: number;
  /** CPU worker threads. */
  threads?: number;
  /** CPU engine: the kernel (default: the fastest the platform runs), or a benchmark's own module. */
  cpuKernel?: CpuKernelName;
  kernelModule?: CpuEngineOptions["kernelModule"];
  /** WebGPU engine: training kernel and preferred workgroup size (defaults: see webgpu/layout.ts). */
  kernel?: KernelName;
  workgroupSize?: number;
  log?: (line: string) => void;
  /** Internal diagnostics (`--verbose`); dropped when not given. */
  debugLog?: (line: string) => void;
}

export async function createEngine(choice: EngineChoice, options: EngineOptions = {}): Promise<Engine> {
  const cpu = () => createCpuEngine({ threads: options.threads, steps: options.steps, kernel: options.cpuKernel, kernelModule: options.kernelModule });
  if (choice === "cpu") return cpu();
  const ignored = options.kernel || options.workgroupSize ? " (--kernel and --workgroup apply to WebGPU only)" : "";
  const { createWebGpuEngine, NoAdapterError } = await import("./webgpu/engine.ts");
  try {
    const gpu = await createWebGpuEngine({ steps: options.steps, kernel: options.kernel, workgroupSize: options.workgroupSize, log: options.log, debugLog: options.debugLog });
    if (choice === "auto" && gpu.software) {
      options.log?.(`notice: the only WebGPU adapter is a software one (${gpu.device}); training on the CPU instead${ignored}`);
      await gpu.close();
      return cpu();
    }
    return gpu;
  } catch (e) {
    if (choice === "auto" && e instanceof NoAdapterError) {
      options.log?.(`notice: no WebGPU adapter (${e.message}); training on the CPU instead${ignored}`);
      return cpu();
    }
    throw e;
  }
}
