// Debug kernels for the random stream (pcg.wgsl is prepended): test/webgpu.test.ts runs them and
// compares their output bit for bit with pcg4d and drawSample in src/model/rng.ts.

// Mirrored field for field by DebugDrawParams in src/train/webgpu/layout.ts.
struct DebugDraw {
  k0: u32,        // stream key, first word
  k1: u32,        // stream key, second word
  step: u32,      // step counter t
  threshold: u32, // presence threshold (presenceThreshold(density))
  features: u32,  // n: features per sample
  samples: u32,   // samples to draw (0 … samples−1)
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> pcgIn: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> pcgOut: array<vec4<u32>>;

// One pcg4d call per invocation: pcgOut[i] = pcg4d(pcgIn[i]).
@compute @workgroup_size(64)
fn pcgDebug(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < arrayLength(&pcgIn)) {
    pcgOut[gid.x] = pcg4d(pcgIn[gid.x]);
  }
}

@group(0) @binding(0) var<uniform> dd: DebugDraw;
@group(0) @binding(1) var<storage, read_write> drawOut: array<f32>;

// One sample per invocation, drawn exactly as the training kernel draws it (same featurePair, same
// integer presence test, same unitFloat): drawOut[s·n + i] = x_i of sample s.
@compute @workgroup_size(64)
fn drawDebug(@builtin(global_invocation_id) gid: vec3<u32>) {
  let s = gid.x;
  if (s >= dd.samples) {
    return;
  }
  let n = dd.features;
  for (var pair = 0u; 2u * pair < n; pair++) {
    let r = featurePair(vec2<u32>(dd.k0, dd.k1), dd.step, s, pair);
    let i = 2u * pair;
    drawOut[s * n + i] = select(0.0, unitFloat(r.y), r.x <= dd.threshold);
    if (i + 1u < n) {
      drawOut[s * n + i + 1u] = select(0.0, unitFloat(r.w), r.z <= dd.threshold);
    }
  }
}
