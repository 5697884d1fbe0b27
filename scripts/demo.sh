#!/usr/bin/env bash
# The README's main command: installs the Debian packages, builds winoq, then runs the main
# job on bundled defaults:
#   1. the numerical error of every variant (direct, f23, f43, cf43, cf43m4) on a random
#      layer, with max-based and clipped (MSE) calibration, per tensor and per tap;
#   2. with ../shared present: the same on the real ResNet-20 layers (validation split
#      data_batch_5.bin of the CIFAR-10 JPEG set);
#   3. the AOT kernels against oneDNN on the first ResNet-18 3x3 layer (64 ch @ 56x56).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

bash scripts/install-deps.sh
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
BIN="$BUILD_DIR/bin"

echo
echo "== 1. Relative RMS error of each variant on a random 32-channel layer (docs/errors.md)"
"$BIN/winoq-layer-error" --trials 3 --methods max,mse

SHARED=../shared
if [ -f "$SHARED/models/resnet20_cifar10_fp32.safetensors" ] && [ -f "$SHARED/data/cifar10-jpeg/expand.py" ]; then
  bash scripts/expand-cifar.sh "$BUILD_DIR/cifar"
  echo
  echo "== 2. The same on the 17 real 3x3 layers of ResNet-20 (validation split data_batch_5.bin)"
  "$BIN/winoq-layer-error" --no-random --model "$SHARED/models/resnet20_cifar10_fp32.safetensors" \
    --cifar "$BUILD_DIR/cifar/data_batch_5.bin" --images 8 --calib-images 8 --methods max,mse
else
  echo
  echo "== 2. skipped: ../shared (pretrained ResNet-20 and CIFAR-10) is not present"
fi

echo
echo "== 3. Kernel latency, 64 ch @ 56x56 3x3 (ResNet-18), batch 1, medians (docs/benchmarks.md)"
OMP_WAIT_POLICY=passive "$BIN/winoq-kernel-bench" --benchmark_filter='r18_64x56x56' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
