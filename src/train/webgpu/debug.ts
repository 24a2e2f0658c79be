// Runs the debug kernels of rng-debug.wgsl, so tests can compare the WGSL random stream with rng.ts bit
// for bit.

import type { Gpu } from "./gpu.ts";
import { debugWgsl } from "./engine.ts";
import { DEBUG_DRAW_BYTES, encodeDebugDraw, type DebugDrawParams } from "./layout.ts";

const MAP_READ = 0x0001, COPY_SRC = 0x0004, COPY_DST = 0x0008, UNIFORM = 0x0040, STORAGE = 0x0080;

async function run(gpu: Gpu, entryPoint: string, inputs: { data: Uint32Array; usage: number }, outBytes: number, invocations: number): Promise<ArrayBuffer> {
  const { device } = gpu;
  return gpu.scoped(`in ${entryPoint}`, async () => {
    const module = device.createShaderModule({ code: debugWgsl().code, label: "rng-debug.wgsl" });
    const pipeline = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint } });
    const input = device.createBuffer({ size: Math.max(16, inputs.data.byteLength), usage: inputs.usage | COPY_DST });
    device.queue.writeBuffer(input, 0, inputs.data as Uint32Array<ArrayBuffer>);
    const output = device.createBuffer({ size: outBytes, usage: STORAGE | COPY_SRC });
    const read = device.createBuffer({ size: outBytes, usage: MAP_READ | COPY_DST });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(invocations / 64));
    pass.end();
    enc.copyBufferToBuffer(output, 0, read, 0, outBytes);
    device.queue.submit([enc.finish()]);
    await gpu.idle(0);
    await read.mapAsync(GPUMapMode.READ);
    const result = read.getMappedRange().slice(0);
    read.unmap();
    for (const b of [input, output, read]) b.destroy();
    return result;
  });
}

/** pcg4d of each 4-word group of `inputs`, computed by WGSL. */
export async function gpuPcg4d(gpu: Gpu, inputs: Uint32Array): Promise<Uint32Array> {
  if (inputs.length % 4 !== 0 || inputs.length === 0) throw new Error("gpuPcg4d: inputs must hold whole vec4s");
  return new Uint32Array(await run(gpu, "pcgDebug", { data: inputs, usage: STORAGE }, inputs.byteLength, inputs.length / 4));
}

/** Samples 0 … p.samples−1 of a stream, drawn by WGSL exactly as the training kernel draws them (row-major, n per sample). */
export async function gpuDrawSamples(gpu: Gpu, p: DebugDrawParams): Promise<Float32Array> {
  const data = encodeDebugDraw(p);
  if (data.byteLength !== DEBUG_DRAW_BYTES) throw new Error("DebugDraw layout changed");
  const out = await run(gpu, "drawDebug", { data, usage: UNIFORM }, Math.max(16, p.samples * p.features * 4), p.samples);
  return new Float32Array(out, 0, p.samples * p.features);
}
