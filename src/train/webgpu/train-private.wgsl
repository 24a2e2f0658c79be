// Fused training and evaluation of the toy models of "Superposition in a Privileged Basis", the PRIVATE
// kernel: every thread keeps its own copy of the model's parameters, its current sample and its gradient
// sums in private memory (registers). The host prepends `const N` and `const M` (the generated code is
// written for one size), then pcg.wgsl and common.wgsl, and appends the model-sized straight-line code
// that private-codegen.ts generates (why generated: see there).
// The same math as src/train/cpu-kernel.ts (FusedKernel), in f32:
//
//   relu-hidden:    h = ReLU(W x),  x' = ReLU(Wᵀ h + b)        linear-hidden:  h = W x
//   L = 1/(B·n) Σ_s Σ_i I_i (x_si − x'_si)²,  AdamW with decoupled weight decay.
//
// Why a second kernel. The workgroup kernel (train-workgroup.wgsl) reads every weight and every
// per-sample value from workgroup memory: about 500 workgroup-memory accesses per sample of a 5×10
// model, where an SM serves one warp's access per clock but four warps' FMAs. Here a sample costs about
// 265 FMAs and 150 integer operations on registers, and workgroup memory is touched once per parameter
// per STEP (not per sample).
//
// Work split: ONE WORKGROUP OWNS ONE MODEL (workgroup_id.x = model within the dispatch's group) and loops
// over a range of optimizer steps. Per step:
//   1. every thread copies the parameters from workgroup memory (sw) into its registers (w0, w1, …) and
//      zeroes its gradient sums (g0, g1, …);
//   2. thread tid takes samples tid, tid + WG, tid + 2·WG, … of the batch: draws x from the
//      counter-based stream, runs forward and backward and adds the sample's gradient to g. The math is
//      dense: an absent feature or an inactive hidden unit multiplies by an exact zero, which leaves
//      every sum as the sparse CPU kernel's (same order; only FMA contraction may round differently),
//      and costs no divergence between the threads of a SIMD group;
//   3. thread tid writes its gradient sums to column tid of `partial` (row p = parameter; stride WG + 1,
//      so neither the writes nor the reads below meet bank conflicts); barrier;
//   4. thread p adds row p in thread order (deterministic) and applies AdamW to parameter p; barrier.
// No batch ever touches global memory: the data are drawn inside the kernel.

const MN: u32 = M * N;           // entries of W
const P: u32 = MN + N;           // parameters per model: W (row-major, m×n) then b (n)

override WG: u32 = 64u;          // threads per workgroup
override RELU_HIDDEN: bool = true; // true: h = ReLU(W x); false: h = W x (linear hidden layer)
override SPAN: u32;              // floats per model in `state`: W, b | AdamW m | AdamW v (>= 3·P)
override RS: u32 = WG + 1u;      // row stride of `partial`
override PARTIAL: u32 = P * RS;  // entries of `partial`

var<workgroup> sw: array<f32, P>;            // the parameters as of the latest update
var<workgroup> coefs: array<vec2<f32>, N>;   // copy of `features`
var<workgroup> partial: array<f32, PARTIAL>; // thread tid's gradient sum of parameter p at [p·RS + tid]

// The private variables (w, g, x, h, d, e as scalars w0, w1, …) and the functions loadParameters,
// zeroGradients, storeGradients, drawSample, forwardSample and backwardSample are generated for the
// model's size by src/train/webgpu/private-codegen.ts and appended to this module by the host.

fn loadModel(tid: u32, base: u32) {
  for (var p = tid; p < P; p += WG) {
    sw[p] = state[base + p];
  }
  for (var i = tid; i < N; i += WG) {
    coefs[i] = features[i];
  }
}

// Trains every model of the dispatch for steps run.stepBegin … run.stepBegin + run.stepCount − 1.
@compute @workgroup_size(WG)
fn train(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let base = wid.x * SPAN;
  loadModel(tid, base);
  workgroupBarrier();
  let model = models[wid.x];
  let key = vec2<u32>(model.trainK0, model.trainK1);
  let batch = run.batch;
  let rounds = ceilDiv(batch, WG);
  for (var step = 0u; step < run.stepCount; step++) {
    let t = run.stepBegin + step;
    loadParameters();
    zeroGradients(); // explicit: nothing else re-zeroes a private variable
    for (var r = 0u; r < rounds; r++) {
      let s = r * WG + tid;
      if (s >= batch || s < r * WG) { // (the second test: wrap-around near 2^32)
        break;
      }
      drawSample(key, t, s, model.threshold);
      _ = forwardSample();
      backwardSample();
    }
    storeGradients(tid);
    workgroupBarrier();
    let bc = biasCorrection[step];
    for (var p = tid; p < P; p += WG) {
      var sum = 0.0;
      for (var k = 0u; k < WG; k++) {
        sum += partial[p * RS + k];
      }
      sw[p] = adamwStep(base, p, sw[p], sum, bc);
    }
    workgroupBarrier();
  }
  for (var p = tid; p < P; p += WG) {
    state[base + p] = sw[p];
  }
}

// Mean loss of every model of the dispatch on its level's held-out sample: key
// streamKey(seed, density, SHARED_MODEL, Purpose.eval), step 0, samples 0 … evalSamples − 1.
// Per-thread Kahan sums, then thread 0 adds the WG partial sums (Kahan again).
@compute @workgroup_size(WG)
fn evaluate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  loadModel(tid, wid.x * SPAN);
  workgroupBarrier();
  loadParameters();
  let model = models[wid.x];
  let key = vec2<u32>(model.evalK0, model.evalK1);
  var sc = vec2<f32>(0.0);
  let rounds = ceilDiv(run.evalSamples, WG);
  for (var r = 0u; r < rounds; r++) {
    let s = r * WG + tid;
    if (s >= run.evalSamples || s < r * WG) { // (the second test: wrap-around near 2^32)
      break;
    }
    drawSample(key, 0u, s, model.threshold);
    sc = kahanAdd(sc, forwardSample());
  }
  finishEvaluation(tid, wid.x, sc.x);
}
