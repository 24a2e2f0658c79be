// The device a data file was trained on, as a reader wants to read it. Files record what the engine
// reported (for a GPU, Dawn's adapter description with the driver version and the backend, e.g.
// "NVIDIA: 580.159.04 580.159.4.0, nvidia-h100-80gb-hbm3 (vulkan)"); the article shows
// "NVIDIA H100 80GB HBM3 (Vulkan)". Anything not recognised is shown as recorded.

const BACKENDS: Record<string, string> = { vulkan: "Vulkan", metal: "Metal", d3d12: "D3D12", opengl: "OpenGL" };
const VENDORS: Record<string, string> = { nvidia: "NVIDIA", amd: "AMD", intel: "Intel", apple: "Apple", qualcomm: "Qualcomm" };

export function readableDevice(recorded: string): string {
  const raw = recorded.trim();
  // CPUs: the model as the OS names it, without trademark signs.
  if (/ × \d+ threads?$/.test(raw)) return raw.replace(/\((R|TM|tm)\)/g, "").replace(/\s{2,}/g, " ");
  const backend = raw.match(/\(([^()]*)\)\s*$/)?.[1].split(/;\s*/).map((s) => s.trim().toLowerCase()).find((s) => s in BACKENDS);
  const api = backend ? ` (${BACKENDS[backend]})` : "";
  if (/swiftshader/i.test(raw)) return `SwiftShader, a CPU renderer${api}`;
  // A Dawn device id: vendor-model-memory-… in lower case, after the driver's description.
  const id = raw.match(/(?:^|,\s*)([a-z0-9]+(?:-[a-z0-9]+)+)(?=\s*\(|\s*$)/)?.[1];
  if (id) {
    const [vendor, ...rest] = id.split("-");
    if (vendor in VENDORS && rest.length) return `${VENDORS[vendor]} ${rest.map((t) => t.toUpperCase()).join(" ")}${api}`;
  }
  return raw;
}
