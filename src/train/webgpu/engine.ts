// The WebGPU engine in Node: a device from Dawn's Node binding (gpu.ts) and the WGSL files read from
// disk (wgsl-node.ts), around the engine core that a page runs too (engine-core.ts).

import { NoAdapterError, SWIFTSHADER_ICD, describeAdapter, openGpu, vulkanSources } from "./gpu.ts";
import { composeWgsl as composeWith, createWebGpuEngineOn, type WebGpuEngine, type WebGpuEngineOptions, type WgslModule } from "./engine-core.ts";
import { nodeWgslSources } from "./wgsl-node.ts";

export { NoAdapterError, describeAdapter, vulkanSources, SWIFTSHADER_ICD };
export { compile, kernelWgsl, type WebGpuEngine, type WebGpuEngineOptions, type WgslModule } from "./engine-core.ts";

/** Joins [name, text] parts into one module; text === undefined reads the file `name` beside this module. */
export function composeWgsl(parts: [string, string?][]): WgslModule {
  return composeWith(parts, nodeWgslSources());
}

/** The WGSL module of the debug kernels (rng-debug.wgsl with pcg.wgsl prepended). */
export function debugWgsl(): WgslModule {
  return composeWgsl([["pcg.wgsl"], ["rng-debug.wgsl"]]);
}

/** Opens a device through Dawn (the system's hardware adapter, else SwiftShader) and trains on it. */
export async function createWebGpuEngine(options: WebGpuEngineOptions = {}): Promise<WebGpuEngine> {
  return createWebGpuEngineOn(await openGpu(), nodeWgslSources(), options);
}
