// The counter-based random stream shared by every engine, in WGSL. Prepended to train.wgsl and
// rng-debug.wgsl by the host (WGSL has no includes). It must match src/model/rng.ts bit for bit:
// test/webgpu.test.ts compares pcg4d and whole drawn samples against it.

// pcg4d (Jarzynski & Olano, "Hash Functions for GPU Rendering", JCGT 2020): u32 arithmetic wraps
// around in WGSL exactly as Math.imul and `| 0` do in rng.ts.
fn pcg4d(a: vec4<u32>) -> vec4<u32> {
  var v = a * 1664525u + vec4<u32>(1013904223u);
  v.x += v.y * v.w;
  v.y += v.z * v.x;
  v.z += v.x * v.y;
  v.w += v.y * v.z;
  v ^= v >> vec4<u32>(16u);
  v.x += v.y * v.w;
  v.y += v.z * v.x;
  v.z += v.x * v.y;
  v.w += v.y * v.z;
  return v;
}

// 2^-24: u32 → [0, 1) with 24 bits, exact in f32 (rng.ts: unitFloat).
const U24: f32 = 5.9604644775390625e-8;

fn unitFloat(u: u32) -> f32 {
  return f32(u >> 8u) * U24;
}

// The words of features 2·pair and 2·pair + 1 of sample (t, s) of stream key = (k0, k1):
// (presence of 2p, value of 2p, presence of 2p+1, value of 2p+1), as drawSample in rng.ts.
// A feature is present when its presence word is <= the level's threshold (integer compare).
fn featurePair(key: vec2<u32>, t: u32, s: u32, pair: u32) -> vec4<u32> {
  return pcg4d(vec4<u32>(key.x, t, s, key.y ^ pair));
}
