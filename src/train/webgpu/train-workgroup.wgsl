// Fused training and evaluation of the toy models of "Superposition in a Privileged Basis", the
// WORKGROUP-MEMORY kernel: per-sample vectors live in workgroup memory (see train-private.wgsl for the
// kernel that keeps them in registers). pcg.wgsl and io.wgsl are prepended by the host. The same math as
// src/train/cpu-kernel.ts (FusedKernel), in f32:
//
//   relu-hidden:    h = ReLU(W x),  x' = ReLU(Wᵀ h + b)        linear-hidden:  h = W x
//   L = 1/(B·n) Σ_s Σ_i I_i (x_si − x'_si)²,  AdamW with decoupled weight decay.
//
// Work split: ONE WORKGROUP OWNS ONE MODEL (workgroup_id.x = model within the dispatch's group) and
// loops over a range of optimizer steps with only workgroup barriers in between; its parameters live in
// workgroup memory for the whole dispatch (the AdamW moments stay in `state`: only the thread owning a
// parameter touches them, once per step). A step walks the batch in sub-batches of WG samples:
//   phase 1 (thread = sample): draw x from the counter-based stream, forward, backward to the
//            per-sample vectors x, h, d = ∂L/∂(pre-activation of x'), e = ∂L/∂(pre-activation of h),
//            written to this thread's slots in workgroup memory;
//   barrier;
//   phase 2 (thread = parameter × sample group): sum h_j·d_i + e_j·x_i (W) and d_i (b) over the
//            sub-batch's samples into the gradient partial sums gacc;
//   barrier.
// After the last sub-batch, the threads owning parameters add up the partial sums and apply AdamW.
// No batch ever touches global memory: the data are drawn inside the kernel.
//
// Sparsity: absent features cost one integer compare (no value bits, no W x terms), their e_j·x_i
// gradient terms are skipped, and inactive hidden units skip Wᵀ h and the backward dot product.

override N: u32;                 // n: input features
override M: u32;                 // m: hidden neurons
override WG: u32 = 128u;         // threads per workgroup (samples in flight per model)
override RELU_HIDDEN: bool = true; // true: h = ReLU(W x); false: h = W x (linear hidden layer)
override SPAN: u32;              // floats per model in `state`: W, b | AdamW m | AdamW v (>= 3·P)

override MN: u32 = M * N;        // entries of W
override P: u32 = MN + N;        // parameters per model: W (row-major, m×n) then b (n)
override ST: u32 = WG + 1u;      // stride of the per-sample slot arrays; the +1 avoids bank conflicts
override G: u32 = max(1u, WG / P); // sample groups in phase 2 (threads = P × G when P <= WG)
override SPG: u32 = (WG + G - 1u) / G; // samples per phase-2 group
override Q: u32 = P * G;         // gradient partial sums
override XS: u32 = N * ST;       // slots of a per-sample n-vector (x, d)
override HS: u32 = M * ST;       // slots of a per-sample m-vector (h, e)

var<workgroup> w: array<f32, P>;       // parameters
var<workgroup> gacc: array<f32, Q>;    // gradient partial sums [group·P + p]
var<workgroup> coefs: array<vec2<f32>, N>; // copy of `features`
var<workgroup> xs: array<f32, XS>;     // x_i of this thread's sample at [i·ST + tid]
var<workgroup> ds: array<f32, XS>;     // pre-activation of x'_i, then d_i
var<workgroup> hs: array<f32, HS>;     // h_j
var<workgroup> es: array<f32, HS>;     // e_j = ∂L/∂(pre-activation of h_j)

// Phase 1, forward: draws sample s of step t of stream `key` into this thread's slots and evaluates the
// model on it. Leaves h in hs, d_i = ∂L/∂(pre-activation of x'_i) in ds, and returns Σ_i I_i (x_i − x'_i)².
// Every sum runs in the same order as FusedKernel.sample.
fn forwardSample(tid: u32, key: vec2<u32>, t: u32, s: u32, threshold: u32) -> f32 {
  for (var j = 0u; j < M; j++) {
    hs[j * ST + tid] = 0.0;
  }
  // Draw, adding each present feature's column of W x as it is drawn (absent ones cost a compare).
  for (var pair = 0u; 2u * pair < N; pair++) {
    let r = featurePair(key, t, s, pair);
    let i = 2u * pair;
    var x0 = 0.0;
    if (r.x <= threshold) {
      x0 = unitFloat(r.y);
      for (var j = 0u; j < M; j++) {
        hs[j * ST + tid] += w[j * N + i] * x0;
      }
    }
    xs[i * ST + tid] = x0;
    if (i + 1u < N) {
      var x1 = 0.0;
      if (r.z <= threshold) {
        x1 = unitFloat(r.w);
        for (var j = 0u; j < M; j++) {
          hs[j * ST + tid] += w[j * N + i + 1u] * x1;
        }
      }
      xs[(i + 1u) * ST + tid] = x1;
    }
  }
  // Output pre-activation b + Wᵀ h, accumulated over active hidden units in order j = 0 … m−1.
  for (var i = 0u; i < N; i++) {
    ds[i * ST + tid] = w[MN + i];
  }
  for (var j = 0u; j < M; j++) {
    var h = hs[j * ST + tid];
    if (RELU_HIDDEN && h < 0.0) {
      h = 0.0;
      hs[j * ST + tid] = 0.0;
    }
    if (h != 0.0) {
      for (var i = 0u; i < N; i++) {
        ds[i * ST + tid] += w[j * N + i] * h;
      }
    }
  }
  var err = 0.0;
  for (var i = 0u; i < N; i++) {
    let k = i * ST + tid;
    let pre = ds[k];
    let diff = max(pre, 0.0) - xs[k];
    let c = coefs[i];
    err += c.y * diff * diff;
    // ReLU'(0) = 0.
    ds[k] = select(0.0, c.x * diff, pre > 0.0);
  }
  return err;
}

// Phase 1, backward: e_j = Σ_i W_ji d_i, through active hidden units only on the ReLU variant.
fn backwardSample(tid: u32) {
  for (var j = 0u; j < M; j++) {
    let k = j * ST + tid;
    var e = 0.0;
    if (!RELU_HIDDEN || hs[k] > 0.0) {
      for (var i = 0u; i < N; i++) {
        e += w[j * N + i] * ds[i * ST + tid];
      }
    }
    es[k] = e;
  }
}

// Phase 2: thread slot q = p + P·group sums the gradient of parameter p over its group's samples of
// the sub-batch (samples 0 … valid−1) into gacc[q]. Only the owner of q ever touches gacc[q].
fn accumulate(tid: u32, valid: u32) {
  for (var q = tid; q < Q; q += WG) {
    let p = q % P;
    let s0 = (q / P) * SPG;
    let s1 = min(s0 + SPG, valid);
    var acc = 0.0;
    if (p < MN) {
      let j = p / N;
      let i = p - j * N;
      for (var s = s0; s < s1; s++) {
        acc += hs[j * ST + s] * ds[i * ST + s];
        let x = xs[i * ST + s];
        if (x != 0.0) {
          acc += es[j * ST + s] * x;
        }
      }
    } else {
      let i = p - MN;
      for (var s = s0; s < s1; s++) {
        acc += ds[i * ST + s];
      }
    }
    gacc[q] += acc;
  }
}

// AdamW on this thread's parameters for chunk step `step` (adamwStep in common.wgsl); clears their
// partial sums for the next step. `base` is the model's offset in `state`, which holds the moments.
fn adamw(tid: u32, step: u32, base: u32) {
  let bc = biasCorrection[step];
  for (var p = tid; p < P; p += WG) {
    var g = 0.0;
    for (var k = 0u; k < G; k++) {
      g += gacc[k * P + p];
      gacc[k * P + p] = 0.0;
    }
    w[p] = adamwStep(base, p, w[p], g, bc);
  }
}

fn loadFeatures(tid: u32) {
  for (var i = tid; i < N; i += WG) {
    coefs[i] = features[i];
  }
}

// Trains every model of the dispatch for steps run.stepBegin … run.stepBegin + run.stepCount − 1.
@compute @workgroup_size(WG)
fn train(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let base = wid.x * SPAN;
  for (var p = tid; p < P; p += WG) {
    w[p] = state[base + p];
  }
  for (var q = tid; q < Q; q += WG) {
    gacc[q] = 0.0; // explicit: do not rely on zero-initialised workgroup memory
  }
  loadFeatures(tid);
  workgroupBarrier();
  let model = models[wid.x];
  let key = vec2<u32>(model.trainK0, model.trainK1);
  let batch = run.batch;
  let subBatches = ceilDiv(batch, WG);
  for (var step = 0u; step < run.stepCount; step++) {
    let t = run.stepBegin + step;
    for (var sb = 0u; sb < subBatches; sb++) {
      let b0 = sb * WG;
      let valid = min(WG, batch - b0);
      if (tid < valid) {
        _ = forwardSample(tid, key, t, b0 + tid, model.threshold);
        backwardSample(tid);
      }
      workgroupBarrier();
      accumulate(tid, valid);
      workgroupBarrier();
    }
    adamw(tid, step, base);
    workgroupBarrier();
  }
  for (var p = tid; p < P; p += WG) {
    state[base + p] = w[p];
  }
}

// Mean loss of every model of the dispatch on its level's held-out sample: key
// streamKey(seed, density, SHARED_MODEL, Purpose.eval), step 0, samples 0 … evalSamples − 1.
// Per-thread Kahan sums, then thread 0 adds the WG partial sums (Kahan again).
@compute @workgroup_size(WG)
fn evaluate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let base = wid.x * SPAN;
  for (var p = tid; p < P; p += WG) {
    w[p] = state[base + p];
  }
  loadFeatures(tid);
  workgroupBarrier();
  let model = models[wid.x];
  let key = vec2<u32>(model.evalK0, model.evalK1);
  var sc = vec2<f32>(0.0);
  let rounds = ceilDiv(run.evalSamples, WG);
  for (var r = 0u; r < rounds; r++) {
    let s = r * WG + tid;
    if (s >= run.evalSamples || s < r * WG) { // (the second test: wrap-around near 2^32)
      break;
    }
    sc = kahanAdd(sc, forwardSample(tid, key, 0u, s, model.threshold));
  }
  finishEvaluation(tid, wid.x, sc.x);
}
