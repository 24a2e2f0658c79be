// Fused training and evaluation of the toy models of "Superposition in a Privileged Basis", the PRIVATE
// kernel: every thread keeps its own copy of the model's parameters, its current sample and its gradient
// sums in private memory (registers). The host prepends `const N` and `const M` (private arrays need
// const sizes; `override` sizes are allowed only in workgroup memory), then pcg.wgsl and common.wgsl.
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
//   1. every thread copies the parameters from workgroup memory (sw) into its registers (w) and zeroes
//      its gradient sums (g);
//   2. thread tid takes samples tid, tid + WG, tid + 2·WG, … of the batch: draws x from the
//      counter-based stream, runs forward and backward and adds the sample's gradient to g. The math is
//      dense: an absent feature or an inactive hidden unit multiplies by an exact zero, which leaves
//      every sum as the sparse CPU kernel's (same order; only FMA contraction may round differently),
//      and costs no divergence between the threads of a SIMD group;
//   3. thread tid writes g to column tid of `partial` (row p = parameter; stride WG + 1, so neither the
//      writes nor the reads below meet bank conflicts); barrier;
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

var<private> w: array<f32, P>;   // this thread's copy of the parameters
var<private> g: array<f32, P>;   // its gradient sums over its samples of the current step
var<private> x: array<f32, N>;   // the current sample
var<private> h: array<f32, M>;   // hidden activations
var<private> d: array<f32, N>;   // ∂L/∂(pre-activation of x'_i)
var<private> e: array<f32, M>;   // ∂L/∂(pre-activation of h_j)

// Draws sample s of step t of stream `key` into x and evaluates the model (w) on it. Leaves h and d and
// returns Σ_i I_i (x_i − x'_i)². Every sum runs in the same order as FusedKernel.sample.
fn forwardSample(key: vec2<u32>, t: u32, s: u32, threshold: u32) -> f32 {
  for (var pair = 0u; 2u * pair < N; pair++) {
    let r = featurePair(key, t, s, pair);
    x[2u * pair] = select(0.0, unitFloat(r.y), r.x <= threshold);
    if (2u * pair + 1u < N) {
      x[2u * pair + 1u] = select(0.0, unitFloat(r.w), r.z <= threshold);
    }
  }
  for (var j = 0u; j < M; j++) {
    var acc = 0.0;
    for (var i = 0u; i < N; i++) {
      acc += w[j * N + i] * x[i];
    }
    h[j] = select(acc, 0.0, RELU_HIDDEN && acc < 0.0);
  }
  var err = 0.0;
  for (var i = 0u; i < N; i++) {
    var pre = w[MN + i];
    for (var j = 0u; j < M; j++) {
      pre += w[j * N + i] * h[j];
    }
    let diff = max(pre, 0.0) - x[i];
    let c = coefs[i];
    err += c.y * diff * diff;
    d[i] = select(0.0, c.x * diff, pre > 0.0); // ReLU'(0) = 0
  }
  return err;
}

// e_j = Σ_i W_ji d_i (zero at inactive hidden units on the ReLU variant), then the sample's gradient
// (h_j d_i + e_j x_i for W, d_i for b) added to g.
fn backwardSample() {
  for (var j = 0u; j < M; j++) {
    var acc = 0.0;
    for (var i = 0u; i < N; i++) {
      acc += w[j * N + i] * d[i];
    }
    e[j] = select(acc, 0.0, RELU_HIDDEN && !(h[j] > 0.0));
  }
  for (var j = 0u; j < M; j++) {
    for (var i = 0u; i < N; i++) {
      g[j * N + i] += h[j] * d[i];
      g[j * N + i] += e[j] * x[i];
    }
  }
  for (var i = 0u; i < N; i++) {
    g[MN + i] += d[i];
  }
}

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
    for (var p = 0u; p < P; p++) {
      w[p] = sw[p];
      g[p] = 0.0; // explicit: a private array is not re-zeroed by anything else
    }
    for (var r = 0u; r < rounds; r++) {
      let s = r * WG + tid;
      if (s >= batch || s < r * WG) { // (the second test: wrap-around near 2^32)
        break;
      }
      _ = forwardSample(key, t, s, model.threshold);
      backwardSample();
    }
    for (var p = 0u; p < P; p++) {
      partial[p * RS + tid] = g[p];
    }
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
  for (var p = 0u; p < P; p++) {
    w[p] = sw[p];
  }
  let model = models[wid.x];
  let key = vec2<u32>(model.evalK0, model.evalK1);
  var sc = vec2<f32>(0.0);
  let rounds = ceilDiv(run.evalSamples, WG);
  for (var r = 0u; r < rounds; r++) {
    let s = r * WG + tid;
    if (s >= run.evalSamples || s < r * WG) { // (the second test: wrap-around near 2^32)
      break;
    }
    sc = kahanAdd(sc, forwardSample(key, 0u, s, model.threshold));
  }
  finishEvaluation(tid, wid.x, sc.x);
}
