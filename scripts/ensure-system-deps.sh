#!/usr/bin/env bash
# Makes sure the system packages the tests need are present, installing them on Debian when run as root:
#   chromium    — the browser test (playwright-core drives /usr/bin/chromium), and its SwiftShader
#                 Vulkan driver, which gives Dawn (WebGPU) a CPU adapter for the GPU-kernel tests;
#   libvulkan1  — the Vulkan loader Dawn opens.
# Runs before `npm test` (npm's pretest hook) and from .ci/run. Exits non-zero, saying what is missing,
# when it cannot install them itself.
set -euo pipefail
# ldconfig lives in /sbin, which a normal user's PATH on Debian lacks (appended: earlier entries still win).
PATH=$PATH:/usr/sbin:/sbin

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/lib/chromium/vk_swiftshader_icd.json ] || missing+=(chromium)
# The library list is read whole, then searched. Piped into `grep -q`, which exits at the first match,
# ldconfig died of SIGPIPE writing the rest, and under pipefail libvulkan1 was reported missing in about
# 4 runs of 10.
libs=$(ldconfig -p 2>/dev/null) || libs=""
grep -q 'libvulkan\.so\.1' <<<"$libs" || missing+=(libvulkan1)
[ ${#missing[@]} -eq 0 ] && exit 0

pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-system-deps: installing ${pkgs}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  # With recommends (fonts-liberation among them): the set the tests were developed and screenshotted with.
  apt-get install -y -qq $pkgs >&2
else
  echo "ensure-system-deps: missing system packages: ${pkgs}— install them (Debian: sudo apt-get install -y ${pkgs})" >&2
  exit 1
fi
