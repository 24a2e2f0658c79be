#!/usr/bin/env bash
# The whole GPU job of issue #4 in ONE device call, so a lease is spent training rather than starting
# machines. Here, first: `scripts/gpu-bundle.sh` (it copies this script into .gpu-carry/). Then call the
# device tool's run with carry [".gpu-carry"] and the command `bash .gpu-carry/gpu-session.sh`.
#
# On the device, in order (each step's output is tee'd to $OUT/session.log; --verbose keeps the engine's
# diagnostics there, e.g. how many chunk waits found the GPU still busy):
#   1. gpu-bench --check: every kernel × workgroup size against the CPU kernels on tiny configs, then
#      timed on 21 levels × 1000 models × SWEEP_STEPS steps ($OUT/sweep.json). A kernel that disagrees
#      with the CPU (exit 3) stops the session; any other failure of this optional step only means the
#      training uses the engine's default kernel. Skipped when a checkpoint is carried (time is short then).
#   2. the fastest pair by GPU time trains the paper's runs, best-of-1000 × 10,000 steps:
#      relu-hidden at the 21 default levels, then linear-hidden at 1, 0.5, 0.3, 0.1, 0.03
#      ($OUT/relu-hidden.json, $OUT/linear-hidden.json; each logs its wall and GPU time). The linear run
#      goes ahead even if the relu run failed; the session's exit status says whether both succeeded.
#   3. `bench --engine webgpu --full` with the same kernel ($OUT/bench-full.json): the benchmark's own
#      record of the full workload. It writes no data, so it goes last and does not change the exit status.
# Copy the two data files to public/data/ and commit them; the numbers go to BENCHMARKS.md.
# If the call runs out of time, the finished levels come back as $OUT/<name>.json.checkpoint.json: put
# them into .gpu-carry/ and call again; training resumes from them.
#
# Environment: SWEEP_STEPS (default 200), WORKGROUPS (default 32,64,128), MODELS (default 1000),
# STEPS (default 10000; smaller only for a dry run, e.g. on SwiftShader with a stub on-device.sh),
# SKIP_SWEEP=1 (train with the default kernel, or a carried checkpoint's), BENCH=0 (skip step 3, which
# always runs the full workload: for dry runs).
set -uo pipefail
carry=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$carry/.." # on-device.sh and the bundles' `webgpu` package live relative to the repository root
out=${OUT:?OUT must name the folder whose files come back}
log=$out/session.log
. "$carry/on-device.sh" >>"$log" 2>&1 # sourced, not piped: its PATH and Vulkan settings must stay
tail -n 1 "$log"
[ -f "$carry/COMMIT" ] && echo "bundle of commit $(cat "$carry/COMMIT")" | tee -a "$log"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$log"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
since() { awk -v a="$1" -v b="$(ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }
# The kernel flags for training: the fastest (kernel, workgroup) of the sweep, else the engine's default.
kernel_flags=()
if ls "$carry"/*.checkpoint.json >/dev/null 2>&1; then SKIP_SWEEP=1; echo "sweep: skipped (resuming from a carried checkpoint)" | tee -a "$log"; fi
if [ "${SKIP_SWEEP:-0}" != 1 ]; then
  t0=$(ms)
  node "$carry/gpu-bench.mjs" --check --json --verbose --steps "${SWEEP_STEPS:-200}" --models "${MODELS:-1000}" \
    --workgroups "${WORKGROUPS:-32,64,128}" >"$out/sweep.json" 2> >(tee -a "$log" >&2)
  status=$?
  echo "sweep: exit $status, $(since "$t0") s" | tee -a "$log"
  cat "$out/sweep.json" | tee -a "$log"
  if [ $status -eq 3 ]; then
    echo "gpu-session: a kernel disagrees with the CPU kernels on this GPU; not training" | tee -a "$log"
    exit 1
  elif [ $status -eq 0 ]; then
    # The fastest (kernel, workgroup) by GPU time (wall time where the adapter has no timestamps).
    read -r kernel workgroup < <(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const key = (x) => (x.gpuSeconds > 0 ? x.gpuSeconds : x.seconds);
      const best = r.reduce((a, b) => (key(b) < key(a) ? b : a));
      console.log(best.kernel, best.workgroupSize);' "$out/sweep.json")
    echo "fastest: $kernel kernel, workgroup $workgroup" | tee -a "$log"
    kernel_flags=(--kernel "$kernel" --workgroup "$workgroup")
  else
    echo "gpu-session: the sweep failed (exit $status); training with the engine's default kernel" | tee -a "$log"
  fi
fi

train() { # name, extra flags...
  local name=$1; shift
  local t=$(ms)
  local flags=(${kernel_flags[@]+"${kernel_flags[@]}"}) ckpt=$carry/$name.json.checkpoint.json
  if [ -f "$ckpt" ]; then
    # Resume with the checkpoint's own kernel: another one would not match it and would start afresh.
    local k w
    read -r k w < <(node -e 'const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(c.kernel ? `${c.kernel.name} ${c.kernel.workgroupSize}` : "");' "$ckpt")
    [ -n "$k" ] && flags=(--kernel "$k" --workgroup "$w")
    cp "$ckpt" "$out/" && echo "$name: resuming from the carried checkpoint (${k:-default} kernel, workgroup ${w:-default})" | tee -a "$log"
  fi
  node "$carry/train.mjs" --engine webgpu --verbose ${flags[@]+"${flags[@]}"} --models "${MODELS:-1000}" \
    --steps "${STEPS:-10000}" --out "$out/$name.json" "$@" 2>&1 | tee -a "$log"
  local s=${PIPESTATUS[0]}
  echo "$name: exit $s, whole command $(since "$t") s wall" | tee -a "$log"
  return "$s"
}
failed=0
train relu-hidden --model relu || failed=1
train linear-hidden --model linear --levels 1,0.5,0.3,0.1,0.03 || failed=1
[ "${BENCH:-1}" = 0 ] && exit $failed
t0=$(ms)
node "$carry/bench.mjs" --engine webgpu --full --json ${kernel_flags[@]+"${kernel_flags[@]}"} >"$out/bench-full.json" 2> >(tee -a "$log" >&2)
echo "bench --full: exit $?, $(since "$t0") s wall" | tee -a "$log"
cat "$out/bench-full.json" | tee -a "$log"
exit $failed
