// A WebGPU device with its error watch, and waiting for its queue: what the engine (engine-core.ts)
// needs from a GPU, whoever opened it: Dawn's Node binding (gpu.ts, the trainer and the tests) or a
// page's navigator.gpu (src/trainer/, the article's "Train it yourself"). No Node imports here.
//
// Waiting (see gpu.ts for the Dawn crash it avoids): after a submit the engine sleeps (setTimeout, no
// WebGPU calls) for the chunk's expected GPU time, measured by timestamp queries on earlier chunks,
// before awaiting the queue. In Node that keeps the awaits off running work and saves the host CPU;
// in a page it costs nothing and keeps the tab's main thread idle while the GPU works.

import type { KernelLimits } from "./layout.ts";

/** Adapters that run on the CPU, by the names their drivers give. */
export const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe/i;

/**
 * The adapter in one line. Dawn's `device` is a slug of the Vulkan device name and `description` the
 * driver's, so both are kept: e.g. "NVIDIA: 580.65.06, nvidia-h100-80gb-hbm3 (hopper; vulkan)" or
 * "SwiftShader driver 5.0.0, swiftshader-device-subzero (google; vulkan)". `backend`: "vulkan" and the
 * like under Dawn in Node (gpu.ts), "browser" for a page's navigator.gpu (which hides the backend).
 */
export function adapterName(info: Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">, backend: string): string {
  const parts: string[] = [];
  for (const p of [info.description?.trim(), info.device?.trim().replace(/^-+|-+$/g, "")]) {
    if (p && !parts.some((q) => q.toLowerCase().includes(p.toLowerCase()))) parts.push(p);
  }
  const name = parts.join(", ") || "unknown adapter";
  const detail = [info.vendor, info.architecture].map((s) => s?.trim()).filter((s): s is string => !!s && !name.toLowerCase().includes(s.toLowerCase()));
  return `${name} (${[...detail, backend].join("; ")})`;
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
  /** Which adapter and why (chooseAdapter), for the engine's log. */
  readonly choice: string;
  /** A CPU implementation (SwiftShader, llvmpipe…): right for tests, far slower than the CPU engine. */
  readonly software: boolean;
  readonly timestamps: boolean;
  readonly limits: KernelLimits;
  private failure: string | undefined;
  private closed = false;
  private readonly lost: Promise<GPUDeviceLostInfo>;
  /** What must outlive the device: with Dawn's Node binding, the GPU instances and adapters that
   *  openGpu (gpu.ts) made, as the binding crashes once they are garbage collected. */
  private readonly keepAlive: readonly unknown[];

  constructor(device: GPUDevice, o: { description: string; software: boolean; timestamps: boolean; choice: string; keepAlive?: unknown[] }) {
    this.device = device;
    this.description = o.description;
    this.choice = o.choice;
    this.software = o.software;
    this.timestamps = o.timestamps;
    this.keepAlive = o.keepAlive ?? [];
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

/**
 * A device for training on `adapter`: with timestamp queries where the adapter has them (chunk sizes and
 * sleeps come from them) and the adapter's own limits for everything the kernels are sized by (the
 * defaults are lower: fewer models per dispatch, smaller workgroups).
 */
export function requestTrainingDevice(adapter: GPUAdapter): Promise<{ device: GPUDevice; timestamps: boolean }> {
  const timestamps = adapter.features.has("timestamp-query");
  const a = adapter.limits;
  return adapter
    .requestDevice({
      requiredFeatures: timestamps ? ["timestamp-query"] : [],
      requiredLimits: {
        maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
        maxBufferSize: a.maxBufferSize,
      },
    })
    .then((device) => ({ device, timestamps }));
}
