#!/usr/bin/env bash
# Prepares .gpu-carry/ for the GPU machine (see /work/shared/device/README.md): packs Node, Dawn's
# `webgpu` addon and the Vulkan loader (pack.sh, once), then bundles the GPU entries so node_modules need
# not travel, with the WGSL files beside the bundles (the engine reads them relative to its module).
#
#   scripts/gpu-bundle.sh
#   then, on the device (carry [".gpu-carry"]), everything in one call (see the script):
#     bash .gpu-carry/gpu-session.sh
#   or step by step:
#     . .gpu-carry/on-device.sh && node .gpu-carry/gpu-bench.mjs --check --steps 200
#     . .gpu-carry/on-device.sh && node .gpu-carry/train.mjs --engine webgpu ... (output under $OUT)
#     . .gpu-carry/on-device.sh && node .gpu-carry/bench.mjs --engine webgpu --full
#
# The bundled train.mjs and bench.mjs run the webgpu engine only: the CPU engine's worker file is not
# bundled.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
out=.gpu-carry
pack=""
for p in ../shared/device/pack.sh /work/shared/device/pack.sh; do [ -x "$p" ] && { pack=$p; break; }; done
if [ ! -f "$out/node.xz" ] || [ ! -f "$out/webgpu.tar.xz" ] || [ ! -f "$out/on-device.sh" ]; then
  [ -n "$pack" ] || { echo "gpu-bundle: pack.sh not found (../shared/device/pack.sh)" >&2; exit 1; }
  bash "$pack"
fi
esbuild=node_modules/.bin/esbuild
# CommonJS dependencies call require(); give the ESM bundle one.
banner='import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);'
# The bundles record the commit they were built from (gitCommit in src/train/git-commit.ts reads
# PB_TRAINER_COMMIT first), whatever checkout, if any, the device runs them in.
commit=$(git rev-parse --short=12 HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] || commit="$commit-dirty"
# The scripts, and the selection's worker thread (src/train/evaluator.ts loads it from beside them).
for entry in scripts/gpu-bench scripts/train scripts/bench src/train/evaluator-worker; do
  "$esbuild" "$entry.ts" --bundle --platform=node --format=esm --target=node22 --external:webgpu \
    --banner:js="$banner" --define:process.env.PB_TRAINER_COMMIT="\"$commit\"" --log-level=warning \
    --outfile="$out/$(basename "$entry").mjs"
done
echo "$commit" >"$out/COMMIT"
rm -f "$out"/*.wgsl # a renamed or deleted shader must not linger
cp src/train/webgpu/*.wgsl "$out/"
cp scripts/gpu-session.sh "$out/"
echo "gpu-bundle: bundled commit $commit"
du -sh "$out"
