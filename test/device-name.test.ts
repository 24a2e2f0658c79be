// readableDevice: what the article shows for a data file's recorded device.
import { describe, expect, it } from "vitest";
import { readableDevice } from "../src/text/device.ts";

describe("readableDevice", () => {
  it.each([
    // What the committed H100 run recorded (Dawn's adapter description).
    ["NVIDIA: 580.159.04 580.159.4.0, nvidia-h100-80gb-hbm3 (vulkan)", "NVIDIA H100 80GB HBM3 (Vulkan)"],
    ["AMD: 24.1, amd-radeon-rx-7900 (vulkan; gpu)", "AMD RADEON RX 7900 (Vulkan)"],
    ["SwiftShader driver 5.0.0, swiftshader-device-subzero (google; vulkan)", "SwiftShader, a CPU renderer (Vulkan)"],
    // CPU engines: the OS's model name and the thread count, trademark signs dropped.
    ["Intel(R) Xeon(R) Processor × 2 threads", "Intel Xeon Processor × 2 threads"],
    ["AMD EPYC 7B13 × 2 threads", "AMD EPYC 7B13 × 2 threads"],
    // Unknown: as recorded.
    ["test CPU", "test CPU"],
    ["Some GPU (vulkan)", "Some GPU (vulkan)"],
  ])("%s → %s", (raw, want) => {
    expect(readableDevice(raw)).toBe(want);
  });
});
