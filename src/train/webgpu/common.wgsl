// What the two training kernels (train-workgroup.wgsl, train-private.wgsl) share: the uniform, the
// per-model records, the storage buffers, the AdamW update and the end of evaluation. Prepended to both
// by the host (WGSL has no includes). It uses N (features), P (parameters per model) and WG (threads per
// workgroup), which each kernel defines.

// Mirrored field for field by RunUniform in src/train/webgpu/layout.ts. Rewritten before each chunk.
struct Run {
  batch: u32,          // B: samples per step
  evalSamples: u32,    // held-out samples per level
  stepBegin: u32,      // first step t (0-based) of this chunk
  stepCount: u32,      // steps in this chunk
  lr: f32,             // learning rate
  beta1: f32,          // β1
  beta2: f32,          // β2
  eps: f32,            // ε
  lrwd: f32,           // lr · weightDecay: decoupled decay p ← p − p·lrwd
  oneMinusBeta1: f32,  // 1 − β1 (computed in f64, rounded once)
  oneMinusBeta2: f32,  // 1 − β2
  _pad0: u32,
}

// Mirrored field for field by ModelRecord in src/train/webgpu/layout.ts. One per model.
struct Model {
  trainK0: u32,   // streamKey(seed, density, model, Purpose.train).k0
  trainK1: u32,   // … .k1
  evalK0: u32,    // streamKey(seed, density, SHARED_MODEL, Purpose.eval).k0
  evalK1: u32,    // … .k1
  threshold: u32, // presenceThreshold(density)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> models: array<Model>;
// Per feature i: (2·I_i / (B·n), I_i).
@group(0) @binding(2) var<storage, read> features: array<vec2<f32>>;
// Per step of the chunk (index t − stepBegin): (1 − β1^(t+1), 1 − β2^(t+1)), computed in f64.
@group(0) @binding(3) var<storage, read> biasCorrection: array<vec2<f32>>;
// Per model, SPAN floats: W (m×n row-major), b (n), AdamW m (P), AdamW v (P), padding.
@group(0) @binding(4) var<storage, read_write> state: array<f32>;
// Per model: mean loss on the level's held-out sample (written by `evaluate`).
@group(0) @binding(5) var<storage, read_write> evalLoss: array<f32>;

var<workgroup> red: array<f32, WG>; // evaluation: per-thread error sums

// AdamW on parameter p (value wp) of the model whose state starts at `base`, given its gradient g over the
// whole batch and the step's bias corrections bc; updates the moments in `state` and returns the new
// value. The same arithmetic as src/train/adamw.ts, except that p·(1 − lr·wd) is computed as
// p − p·(lr·wd), which f32 represents far more accurately.
fn adamwStep(base: u32, p: u32, wp: f32, g: f32, bc: vec2<f32>) -> f32 {
  let m = run.beta1 * state[base + P + p] + run.oneMinusBeta1 * g;
  let v = run.beta2 * state[base + 2u * P + p] + run.oneMinusBeta2 * g * g;
  state[base + P + p] = m;
  state[base + 2u * P + p] = v;
  return (wp - wp * run.lrwd) - (run.lr * (m / bc.x)) / (sqrt(v / bc.y) + run.eps);
}

// ⌈a / b⌉ without forming a + b − 1, which could wrap around for a near 2^32 (rounds of WG samples).
fn ceilDiv(a: u32, b: u32) -> u32 {
  return a / b + select(0u, 1u, a % b != 0u);
}

// Compensated (Kahan) addition of y to the sum sc = (sum, compensation).
fn kahanAdd(sc: vec2<f32>, y: f32) -> vec2<f32> {
  let z = y - sc.y;
  let t = sc.x + z;
  return vec2<f32>(t, (t - sc.x) - z);
}

// The end of `evaluate`: every thread leaves its Kahan sum of per-sample errors in red[tid]; thread 0
// adds them up (Kahan again) and writes the model's mean loss per sample and feature.
fn finishEvaluation(tid: u32, model: u32, perThread: f32) {
  red[tid] = perThread;
  workgroupBarrier();
  if (tid == 0u) {
    var sc = vec2<f32>(0.0);
    for (var k = 0u; k < WG; k++) {
      sc = kahanAdd(sc, red[k]);
    }
    evalLoss[model] = sc.x / (f32(run.evalSamples) * f32(N));
  }
}
