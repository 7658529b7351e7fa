#!/usr/bin/env bash
# The GPU measurement in one script: `npm run bench -- --device=webgpu` (inference and the full
# training step of MobileNetV2, state kept on the GPU, host-device transfer time) on a machine
# that has a GPU but no node, no npm and no network.
#
#   bash scripts/gpu-check.sh --prepare   # HERE: builds .gpu/ (about 50 MiB): node, the Vulkan/GL
#                                         # loader packages, the benchmark bundled into one file,
#                                         # onnxruntime-node (Linux x64 only, compressed), the backbone
#   bash scripts/gpu-check.sh             # THERE (or here, on lavapipe): unpacks what .gpu/ holds,
#                                         # points Vulkan at the NVIDIA driver, runs the benchmark
#
# Send the checkout with `modeling-repo/.gpu` carried and run `cd modeling-repo && bash scripts/gpu-check.sh`.
# Sizes: GPU_CHECK_SIZES (default 128,224), GPU_CHECK_BATCH (64), GPU_CHECK_STEPS (6);
# the benchmark is cut at GPU_CHECK_TIMEOUT seconds (default 420) so the whole stays under 8 minutes.
# Results: printed, and written to $OUT/gpu-check.txt when OUT is set.
set -euo pipefail
cd "$(dirname "$0")/.."
G=.gpu
BACKBONE=mobilenet_v2_1.0_224_imagenet.onnx
ORT=node_modules/onnxruntime-node
LIB=bin/napi-v6/linux/x64

prepare() {
  local shared=${SHARED_DIR:-../../shared} backbones=${BACKBONES_DIR:-../../shared/backbones}
  mkdir -p "$G/gl" "$G/backbones" "$G/$ORT/$LIB" "$G/node_modules/onnxruntime-common"
  [ -f "$G/node.xz" ] || { cp "$(readlink -f "$(command -v node)")" "$G/node" && strip "$G/node" && xz -6 -T2 "$G/node"; }
  if ! ls "$G"/gl/*.deb >/dev/null 2>&1; then
    local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpu-apt-lists'
    mkdir -p /tmp/gpu-apt-lists/partial
    apt-get $o update >/dev/null
    (cd "$G/gl" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 \
       libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 >/dev/null)
  fi
  cp "$backbones/$BACKBONE" "$G/backbones/"
  cp -r "$ORT/package.json" "$ORT/dist" "$G/$ORT/"
  cp "$ORT/$LIB/onnxruntime_binding.node" "$G/$ORT/$LIB/"
  [ -f "$G/$ORT/$LIB/libonnxruntime.so.1.xz" ] || xz -6 -T2 -c "$ORT/$LIB/libonnxruntime.so.1" > "$G/$ORT/$LIB/libonnxruntime.so.1.xz"
  cp -r node_modules/onnxruntime-common/. "$G/node_modules/onnxruntime-common/"
  # One ES module with everything but onnxruntime-node; `require` for the CommonJS dependencies.
  node_modules/.bin/esbuild bench/run.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
    --external:onnxruntime-node --outfile="$G/bench.mjs" \
    --banner:js="import { createRequire as gpuCheckRequire } from 'node:module'; const require = gpuCheckRequire(import.meta.url);"
  [ -f "$shared/tools/gpu/README.md" ] || echo "note: $shared/tools/gpu not found (only needed for its notes)"
  du -sh --apparent-size "$G"
}

unpack() { # on a machine without node: loaders, node, onnxruntime's library
  if ! command -v node >/dev/null 2>&1; then
    for f in "$G"/gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    mkdir -p /tmp/gpu-bin
    [ -x /tmp/gpu-bin/node ] || { xz -dc "$G/node.xz" > /tmp/gpu-bin/node; chmod +x /tmp/gpu-bin/node; }
    export PATH=/tmp/gpu-bin:$PATH
  fi
  local lib="$G/$ORT/$LIB/libonnxruntime.so.1"
  [ -f "$lib" ] || xz -dc "$lib.xz" > "$lib"
  local nvidia=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia" ]; then
    export VK_DRIVER_FILES=$nvidia __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
}

run() {
  [ -f "$G/bench.mjs" ] || { echo "gpu-check: $G/bench.mjs missing: run 'bash scripts/gpu-check.sh --prepare' first" >&2; exit 2; }
  unpack
  local sizes=${GPU_CHECK_SIZES:-128,224} batch=${GPU_CHECK_BATCH:-64} steps=${GPU_CHECK_STEPS:-6} limit=${GPU_CHECK_TIMEOUT:-420}
  local log=${OUT:-/tmp}/gpu-check.txt started=$SECONDS
  {
    echo "gpu-check: $(date -u +%FT%TZ), VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}, node $(node --version)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
    BACKBONES_DIR="$(pwd)/$G/backbones" timeout "$limit" node "$G/bench.mjs" --device=webgpu --kernels=plain \
      --sizes="$sizes" --batch="$batch" --steps="$steps" 2>&1 | grep -v 'artificially reduced' || echo "gpu-check: benchmark failed or ran past ${limit} s"
    echo "gpu-check: took $((SECONDS - started)) s"
  } | tee "$log"
}

case "${1:-}" in
  --prepare) prepare ;;
  '') run ;;
  *) echo "usage: bash scripts/gpu-check.sh [--prepare]" >&2; exit 2 ;;
esac
