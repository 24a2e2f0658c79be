// Getting a WebGPU device from Dawn's Node binding (the `webgpu` package), naming it, watching it for
// errors, and waiting for the queue.
//
// The crash on waiting. Awaiting queue.onSubmittedWorkDone() or buffer.mapAsync() while a dispatch runs
// was seen to crash Node at random (segfault, `std::system_error: Invalid argument`), more often the
// longer the wait (/work/shared/device/README.md). Found here: the binding crashes as soon as the GPU
// object returned by `create()` has been garbage collected and Dawn's events are processed again, which
// is what a pending promise does; the longer the wait, the likelier a GC in between. Reproduced on
// SwiftShader with `--expose-gc` (gc() during an awaited dispatch: a segfault every time unless the GPU
// object is kept; the first engine draft, which dropped it, also died with `std::system_error: Invalid
// argument`; keeping the adapter alone does not help). So Gpu holds the instance and the adapter for the
// device's lifetime, and test/webgpu.test.ts trains in a child process that calls gc() every 2 ms.
//
// Belt and braces, as the README recommends: chunks are short (≈150 ms of GPU time) and after a submit
// the engine sleeps (setTimeout, no Dawn calls) for the chunk's expected GPU time, measured by timestamp
// queries on earlier chunks, before awaiting the queue. That also saves the host CPU: while a promise is
// pending the binding polls Dawn from the event loop (measured: a third of a core during a 0.8 s await,
// against 4% when sleeping first).

import { existsSync } from "node:fs";
import { create, globals } from "webgpu";
import type { KernelLimits } from "./layout.ts";

/** Debian's chromium package ships SwiftShader, a CPU implementation of Vulkan that Dawn accepts. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Thrown when Dawn finds no adapter; the message says which Vulkan ICD settings were tried. */
/** Adapters that run on the CPU, by the names their drivers give. */
export const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe/i;

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

/**
 * The adapter in one line. Dawn's `device` is a slug of the Vulkan device name and `description` the
 * driver's, so both are kept: e.g. "NVIDIA: 580.65.06, nvidia-h100-80gb-hbm3 (hopper; vulkan)" or
 * "SwiftShader driver 5.0.0, swiftshader-device-subzero (google; vulkan)".
 */
export function describeAdapter(info: Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">): string {
  const parts: string[] = [];
  for (const p of [info.description?.trim(), info.device?.trim().replace(/^-+|-+$/g, "")]) {
    if (p && !parts.some((q) => q.toLowerCase().includes(p.toLowerCase()))) parts.push(p);
  }
  const name = parts.join(", ") || "unknown adapter";
  const detail = [info.vendor, info.architecture].map((s) => s?.trim()).filter((s): s is string => !!s && !name.toLowerCase().includes(s.toLowerCase()));
  return `${name} (${[...detail, backendName()].join("; ")})`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Gpu.idle sleeps expected × IDLE_MARGIN + IDLE_SLACK_MS before awaiting: about 10% more wall time
 *  per chunk, against chunks measured up to 27% over their estimate on a loaded SwiftShader. */
export const IDLE_MARGIN = 1.1;
export const IDLE_SLACK_MS = 3;

/** A device with its error watch. */
export class Gpu {
  readonly device: GPUDevice;
  readonly description: string;
  /** A CPU implementation (SwiftShader, llvmpipe…): right for tests, far slower than the CPU engine. */
  readonly software: boolean;
  readonly timestamps: boolean;
  readonly limits: KernelLimits;
  private failure: string | undefined;
  private closed = false;
  private readonly lost: Promise<GPUDeviceLostInfo>;
  /** The GPU instance and adapter, held so they outlive the device. */
  private keepAlive: unknown[] = [];

  private constructor(device: GPUDevice, description: string, software: boolean, timestamps: boolean) {
    this.device = device;
    this.description = description;
    this.software = software;
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
    // Dawn rounds timestamps to 65.5 µs by default (a browser's anti-fingerprinting measure). The chunk
    // sizes and the sleep before each await come from them, and the first probe chunk of a fast GPU is
    // about that long, so ask for full resolution.
    const instance = create(["disable-dawn-features=timestamp_quantization"]);
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
    const description = describeAdapter(adapter.info);
    const fallback = Boolean((adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter);
    const gpu = new Gpu(device, description, fallback || SOFTWARE_ADAPTER.test(description), timestamps);
    gpu.keepAlive = [instance, adapter];
    return gpu;
  }

  /** Throws the first device loss or uncaptured error, as one line. */
  check(): void {
    if (this.closed) throw new Error("webgpu: the engine was closed");
    if (this.failure) throw new Error(`webgpu: ${this.failure}`);
  }

  /**
   * Waits for all submitted work: first sleeps past its expected GPU time, touching no Dawn API, then
   * awaits the queue (or device loss). Awaiting while a dispatch still runs is what crashed Dawn's Node
   * binding at random, so the sleep has a margin: `expectedMs` × IDLE_MARGIN plus IDLE_SLACK_MS for what
   * a per-sample estimate misses (submission delay, a pass's fixed cost, jitter). Without an estimate
   * (`expectedMs` 0: a one-step probe) it sleeps the slack alone. Throws on device loss or an uncaptured
   * error. Returns how long the await itself took (near 0 when the sleep was long enough).
   */
  async idle(expectedMs: number): Promise<{ waitedMs: number }> {
    await sleep(Math.min(expectedMs * IDLE_MARGIN + IDLE_SLACK_MS, 60_000));
    const t = performance.now();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lost]);
    this.check();
    return { waitedMs: performance.now() - t };
  }

  /**
   * Runs `fn` inside out-of-memory and validation error scopes, pops them whatever happens, and throws
   * the GPU error as one line ("webgpu: out of GPU memory <what>: …") in preference to fn's own error.
   * `fn` may submit work and await `idle` before returning, so errors of the GPU work are caught too.
   */
  async scoped<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.device.pushErrorScope("out-of-memory");
    this.device.pushErrorScope("validation");
    let result: T | undefined, thrown: unknown, failed = false;
    try {
      result = await fn();
    } catch (e) {
      thrown = e;
      failed = true;
    }
    let validation: GPUError | null = null, oom: GPUError | null = null;
    try {
      validation = await this.device.popErrorScope();
      oom = await this.device.popErrorScope();
    } catch (e) {
      // Only when the device is gone (closed or lost); say that instead.
      this.check();
      throw e;
    }
    const e = oom ?? validation;
    if (e) throw new Error(`webgpu: ${oom ? "out of GPU memory" : "validation error"} ${what}: ${oneLine(e.message)}`);
    if (failed) {
      // createBuffer throws a RangeError when an allocation (mappedAtCreation) fails.
      if (thrown instanceof RangeError) throw new Error(`webgpu: out of memory ${what}: ${oneLine(thrown.message)}`);
      throw thrown;
    }
    this.check();
    return result as T;
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
