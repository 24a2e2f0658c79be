// Getting a WebGPU device from Dawn's Node binding (the `webgpu` package), naming it, watching it for
// errors, and waiting for the queue without tripping Dawn's crash on long waits.
//
// Waiting: awaiting queue.onSubmittedWorkDone() or buffer.mapAsync() while a dispatch is still running
// has crashed Node at random in Dawn's Node binding (segfault or `std::system_error: Invalid argument`),
// more often the longer the wait (/work/shared/device/README.md). While a promise of the binding is
// pending, the binding polls Dawn from the event loop; so the engine never awaits the GPU "blind": after
// a submit it sleeps (setTimeout: no Dawn calls at all) for the work's expected GPU time, measured by
// timestamp queries on earlier chunks, and only then awaits, when the GPU is done or nearly so. Chunks
// are short (≈150 ms of GPU time), so a wrong estimate costs little either way.

import { existsSync } from "node:fs";
import { create, globals } from "webgpu";
import type { KernelLimits } from "./layout.ts";

/** Debian's chromium package ships SwiftShader, a CPU implementation of Vulkan that Dawn accepts. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Thrown when Dawn finds no adapter; the message says which Vulkan ICD settings were tried. */
export class NoAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoAdapterError";
  }
}

/**
 * Points the Vulkan loader at SwiftShader when nothing else is configured: only if neither
 * VK_ICD_FILENAMES nor VK_DRIVER_FILES is set (a GPU machine sets VK_DRIVER_FILES to its driver) and
 * SwiftShader's ICD file exists. Sets XDG_RUNTIME_DIR=/tmp when unset. Returns a one-line summary of the
 * ICD settings in effect, for messages.
 */
export function configureVulkanEnv(env: NodeJS.ProcessEnv = process.env): string {
  let note = "";
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    note = " (set by the engine: SwiftShader)";
  }
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = "/tmp";
  const icd = env.VK_DRIVER_FILES ? `VK_DRIVER_FILES=${env.VK_DRIVER_FILES}` : env.VK_ICD_FILENAMES ? `VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}` : "no VK_ICD_FILENAMES/VK_DRIVER_FILES (system Vulkan ICDs)";
  return icd + note;
}

function backendName(): string {
  return process.platform === "darwin" ? "metal" : process.platform === "win32" ? "d3d12" : "vulkan";
}

/** "NVIDIA H100 80GB HBM3 (nvidia hopper; vulkan)", "SwiftShader driver 5.0.0 (google swiftshader; vulkan)". */
export function describeAdapter(info: Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">): string {
  const name = info.description?.trim() || info.device?.trim() || "unknown adapter";
  const detail = [info.vendor, info.architecture].map((s) => s?.trim()).filter((s) => s && !name.toLowerCase().includes(s.toLowerCase()));
  return `${name} (${[...detail, backendName()].join("; ")})`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A device with its error watch. */
export class Gpu {
  readonly device: GPUDevice;
  readonly description: string;
  readonly timestamps: boolean;
  readonly limits: KernelLimits;
  private failure: string | undefined;
  private closed = false;
  private readonly lost: Promise<GPUDeviceLostInfo>;
  /** The GPU instance and adapter, held so they outlive the device. */
  private keepAlive: unknown[] = [];

  private constructor(device: GPUDevice, description: string, timestamps: boolean) {
    this.device = device;
    this.description = description;
    this.timestamps = timestamps;
    const l = device.limits;
    this.limits = {
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
    };
    this.lost = device.lost.then((info) => {
      this.failure ??= `GPU device lost (${info.reason}): ${oneLine(info.message)}`;
      return info;
    });
    device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.failure ??= `GPU error: ${oneLine(ev.error.message)}`;
    };
  }

  static async open(): Promise<Gpu> {
    const icd = configureVulkanEnv();
    if (!("GPUBufferUsage" in globalThis)) Object.assign(globalThis, globals);
    // Keep the instance and adapter reachable for the device's lifetime: if the GPU object is garbage
    // collected, Dawn's Node binding crashes (segfault) on its next asynchronous operation.
    const instance = create([]);
    const adapter = await instance.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) throw new NoAdapterError(`Dawn found no WebGPU adapter (${icd}; XDG_RUNTIME_DIR=${process.env.XDG_RUNTIME_DIR})`);
    const timestamps = adapter.features.has("timestamp-query");
    const a = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: timestamps ? ["timestamp-query"] : [],
      requiredLimits: {
        maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
        maxBufferSize: a.maxBufferSize,
      },
    });
    const gpu = new Gpu(device, describeAdapter(adapter.info), timestamps);
    gpu.keepAlive = [instance, adapter];
    return gpu;
  }

  /** Throws the first device loss or uncaptured error, as one line. */
  check(): void {
    if (this.closed) throw new Error("webgpu: the engine was closed");
    if (this.failure) throw new Error(`webgpu: ${this.failure}`);
  }

  /**
   * Waits for all submitted work: first sleeps `expectedMs` (the work's expected GPU time), touching no
   * Dawn API, then awaits the queue (or device loss). Throws on device loss or an uncaptured error.
   */
  async idle(expectedMs: number): Promise<void> {
    if (expectedMs >= 1) await sleep(Math.min(expectedMs, 60_000));
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lost]);
    this.check();
  }

  /** Pops the two error scopes pushed by pushScopes (validation inside out-of-memory); throws the first error. */
  pushScopes(): void {
    this.device.pushErrorScope("out-of-memory");
    this.device.pushErrorScope("validation");
  }

  async popScopes(what: string): Promise<void> {
    const validation = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    const e = oom ?? validation;
    if (e) {
      this.failure ??= `${oom ? "out of GPU memory" : "validation error"} ${what}: ${oneLine(e.message)}`;
      throw new Error(`webgpu: ${this.failure}`);
    }
    this.check();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.failure ??= "the engine was closed";
    this.device.destroy();
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
