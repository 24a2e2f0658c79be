// Getting a WebGPU device from Dawn's Node binding (the `webgpu` package); the device's error watch and
// the waiting for its queue are device.ts's (shared with a page's navigator.gpu, src/trainer/).
//
// The crash on waiting. Awaiting queue.onSubmittedWorkDone() or buffer.mapAsync() while a dispatch runs
// was seen to crash Node at random (segfault, `std::system_error: Invalid argument`), more often the
// longer the wait (/work/shared/device/README.md). Found here: the binding crashes as soon as the GPU
// object returned by `create()` has been garbage collected and Dawn's events are processed again, which
// is what a pending promise does; the longer the wait, the likelier a GC in between. Reproduced on
// SwiftShader with `--expose-gc` (gc() during an awaited dispatch: a segfault every time unless the GPU
// object is kept; the first engine draft, which dropped it, also died with `std::system_error: Invalid
// argument`; keeping the adapter alone does not help). So the Gpu holds the instance and the adapter for
// the device's lifetime, and test/webgpu.test.ts trains in a child process that calls gc() every 2 ms.
//
// Belt and braces, as the README recommends: chunks are short (≈150 ms of GPU time) and after a submit
// the engine sleeps (setTimeout, no Dawn calls) for the chunk's expected GPU time, measured by timestamp
// queries on earlier chunks, before awaiting the queue. That also saves the host CPU: while a promise is
// pending the binding polls Dawn from the event loop (measured: a third of a core during a 0.8 s await,
// against 4% when sleeping first).

import { existsSync } from "node:fs";
import { create, globals } from "webgpu";
import { Gpu, SOFTWARE_ADAPTER, adapterName, requestTrainingDevice } from "./device.ts";

export { Gpu, IDLE_MARGIN, IDLE_SLACK_MS, SOFTWARE_ADAPTER, sleep } from "./device.ts";

/** Debian's chromium package ships SwiftShader, a CPU implementation of Vulkan that Dawn accepts. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Thrown when Dawn finds no adapter; the message says which Vulkan ICD settings were tried. */
export class NoAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoAdapterError";
  }
}

/** One place the Vulkan loader can be told to look for drivers. */
export interface VulkanSource {
  /** How messages name it, e.g. "the system's Vulkan drivers" or "VK_DRIVER_FILES=/opt/nvidia_icd.json". */
  label: string;
  /** VK_ICD_FILENAMES to set while Dawn looks; undefined leaves the environment as it is. */
  icd?: string;
}

/**
 * Where to look for an adapter, in order. VK_DRIVER_FILES or VK_ICD_FILENAMES in the environment (the
 * GPU machine's on-device.sh sets the first; a test pins SwiftShader with the second) is the only place.
 * Otherwise the system's own drivers come first, as Dawn finds them, and SwiftShader, when its ICD file
 * exists, second: pointing the loader at SwiftShader up front would hide a real GPU on any machine that
 * also has Debian's chromium.
 */
export function vulkanSources(env: NodeJS.ProcessEnv = process.env, swiftshaderIcd: string | null = existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : null): VulkanSource[] {
  // The loader reads VK_DRIVER_FILES in preference to its older name.
  if (env.VK_DRIVER_FILES) return [{ label: `VK_DRIVER_FILES=${env.VK_DRIVER_FILES}` }];
  if (env.VK_ICD_FILENAMES) return [{ label: `VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}` }];
  const system: VulkanSource = { label: "the system's Vulkan drivers" };
  return swiftshaderIcd ? [system, { label: `SwiftShader (VK_ICD_FILENAMES=${swiftshaderIcd})`, icd: swiftshaderIcd }] : [system];
}

/** What one source gave: an adapter, its name, and whether it runs on the CPU. */
export interface Probed<A> {
  adapter: A;
  name: string;
  software: boolean;
}

export interface AdapterChoice<A> extends Probed<A> {
  source: VulkanSource;
  /** Which adapter and why, in one line, for the engine's log. */
  why: string;
}

/**
 * Asks each source in turn for an adapter (`probe`) and takes the first hardware one, asking no further.
 * Without one, the software adapter of the last source that gave one: the later sources are the
 * fallbacks for machines without a GPU (SwiftShader, which the tests were written against, rather than
 * a software driver of the system's such as mesa's lavapipe). Null when no source gave an adapter.
 */
export async function chooseAdapter<A>(sources: VulkanSource[], probe: (source: VulkanSource) => Promise<Probed<A> | null>): Promise<AdapterChoice<A> | null> {
  const found: { source: VulkanSource; probed: Probed<A> | null }[] = [];
  for (const source of sources) {
    const probed = await probe(source);
    found.push({ source, probed });
    if (probed && !probed.software) break;
  }
  const k = found.findLastIndex((f) => f.probed);
  if (k < 0) return null;
  const { source, probed } = found[k];
  const passed = found.slice(0, k).map((f) => `${f.source.label} gave no hardware adapter (${f.probed ? `only ${f.probed.name}` : "no adapter at all"})`);
  const why = `${probed!.software ? "software" : "hardware"} adapter ${probed!.name} from ${source.label}${passed.length ? `, as ${passed.join(" and ")}` : ""}`;
  return { ...probed!, source, why };
}

/** Dawn's backend on this platform, for the adapter's one-line name. */
function backendName(): string {
  return process.platform === "darwin" ? "metal" : process.platform === "win32" ? "d3d12" : "vulkan";
}

/** The adapter in one line, with Dawn's backend (device.ts, adapterName). */
export function describeAdapter(info: Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">): string {
  return adapterName(info, backendName());
}

/** Sources that gave no adapter at all in this process: not asked again (each ask costs a Vulkan
 *  instance, ≈ 0.2 s, and the rejected drivers' warnings on stderr). */
const noAdapterFrom = new Set<string>();
/** The latest openGpu, which the next one waits for. */
let opening: Promise<unknown> = Promise.resolve();

/**
 * Opens a device through Dawn on the adapter `chooseAdapter` picks from `vulkanSources()`: the system's
 * hardware adapter if there is one, else SwiftShader. Opens run one at a time, as a SwiftShader probe
 * changes process.env while it awaits Dawn.
 */
export function openGpu(): Promise<Gpu> {
  const gpu = opening.then(() => openNow());
  opening = gpu.catch(() => {});
  return gpu;
}

async function openNow(): Promise<Gpu> {
  const sources = vulkanSources();
  process.env.XDG_RUNTIME_DIR ||= "/tmp";
  if (!("GPUBufferUsage" in globalThis)) Object.assign(globalThis, globals);
  // Keep every instance and adapter made here reachable for the device's lifetime, those of a source
  // passed over included: if a GPU object is garbage collected, Dawn's Node binding crashes (segfault)
  // on its next asynchronous operation.
  const keepAlive: unknown[] = [];
  const choice = await chooseAdapter(sources, async (source) => {
    if (noAdapterFrom.has(source.label)) return null;
    // The Vulkan loader reads VK_ICD_FILENAMES when Dawn's instance first looks for adapters.
    const saved = process.env.VK_ICD_FILENAMES;
    if (source.icd) process.env.VK_ICD_FILENAMES = source.icd;
    try {
      // Dawn rounds timestamps to 65.5 µs by default (a browser's anti-fingerprinting measure). The chunk
      // sizes and the sleep before each await come from them, and the first probe chunk of a fast GPU is
      // about that long, so ask for full resolution.
      const instance = create(["disable-dawn-features=timestamp_quantization"]);
      keepAlive.push(instance);
      const adapter = await instance.requestAdapter({ powerPreference: "high-performance" });
      if (!adapter) {
        noAdapterFrom.add(source.label);
        return null;
      }
      keepAlive.push(adapter);
      const name = describeAdapter(adapter.info);
      const fallback = Boolean((adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter);
      return { adapter, name, software: fallback || SOFTWARE_ADAPTER.test(name) };
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });
  if (!choice) throw new NoAdapterError(`Dawn found no WebGPU adapter (${sources.map((s) => s.label).join(", then ")}; XDG_RUNTIME_DIR=${process.env.XDG_RUNTIME_DIR})`);
  const { device, timestamps } = await requestTrainingDevice(choice.adapter);
  return new Gpu(device, { description: choice.name, software: choice.software, timestamps, choice: choice.why, keepAlive });
}
