#!/usr/bin/env bash
# The README's main command: installs the Debian packages, builds winoq, then runs the
# bundled int8 models on the AOT Halide kernels:
#   1. the int8 cf43 ResNet-20 for Fashion-MNIST (models/): MAC reduction, accuracy and
#      latency on the Fashion-MNIST test set (Debian's dataset-fashion-mnist), then
#      classification of a PNG written from that data;
#   2. with ../shared present: the same for the CIFAR-10 model on its validation split
#      (data_batch_5.bin of the cifar10-jpeg set);
#   3. ResNet-18 with ImageNet shapes (224x224, untrained: random weights, latency and MACs
#      only): per-layer latency of direct against cf43, chart in build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

bash scripts/install-deps.sh
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake --preset release -B "$BUILD_DIR"  # CMakePresets.json
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
BIN="$BUILD_DIR/bin"
OUT="$BUILD_DIR/demo"
mkdir -p "$OUT"
FMNIST=/usr/share/datasets/fashion-mnist

run_model() {  # run_model TITLE MODEL DATA-OPTION DATA extract-args...
  local title=$1 model=$2 opt=$3 data=$4; shift 4
  echo
  echo "== $title"
  "$BIN/winoq" info --model "$model" | grep "^MACs per image"
  "$BIN/winoq" eval --model "$model" "$opt" "$data"
  local png
  png=$("$BIN/winoq" extract "$opt" "$data" --out-dir "$OUT" "$@" | cut -f1)
  echo "-- classify $png (file name = true class)"
  "$BIN/winoq" classify --model "$model" --top 3 $png
}

run_model "1. Fashion-MNIST test set (t10k, 10,000 images), bundled int8 cf43 ResNet-20" \
  models/resnet20-fashion-mnist-cf43.safetensors --fashion-mnist "$FMNIST" --index 0 1

if [ -f ../shared/data/cifar10-jpeg/expand.py ]; then
  bash scripts/expand-cifar.sh "$BUILD_DIR/cifar"
  run_model "2. CIFAR-10 validation split (data_batch_5.bin of cifar10-jpeg, 10,000 images), bundled int8 cf43 ResNet-20" \
    models/resnet20-cifar10-cf43.safetensors --cifar "$BUILD_DIR/cifar/data_batch_5.bin" --index 0 1
else
  echo
  echo "== 2. skipped: ../shared (CIFAR-10) is not present"
fi

echo
echo "== 3. ResNet-18, ImageNet shapes (224x224), UNTRAINED (random weights): MACs and latency"
echo "   direct, all-cf43, and the per-layer plan measured for this machine's kernel target"
if [ -x "$BIN/winoq-train" ]; then
  # shellcheck source=plans/resnet18.env
  source scripts/plans/resnet18.env
  echo "   (plan: $PLAN_FILE)"
  for v in direct cf43; do
    [ -f "$OUT/resnet18-untrained-$v.safetensors" ] ||
      "$BIN/winoq-train" export --arch resnet18 --variant "$v" --untrained --seed 1 \
        --out "$OUT/resnet18-untrained-$v.safetensors" > /dev/null
  done
  "$BIN/winoq-train" export --arch resnet18 --variant "$PLAN_BASE" --layer-variant "$RESNET18_PLAN" --untrained \
    --seed 1 --out "$OUT/resnet18-untrained-plan.safetensors" > /dev/null
  for v in cf43 plan; do
    echo "-- $v: $("$BIN/winoq" info --model "$OUT/resnet18-untrained-$v.safetensors" | grep "^MACs per image")"
  done
  "$BIN/winoq" bench --model "$OUT/resnet18-untrained-direct.safetensors" \
    --model "$OUT/resnet18-untrained-cf43.safetensors" --model "$OUT/resnet18-untrained-plan.safetensors" \
    --repeats 5 --chart "$OUT/resnet18-layers.png"
else
  echo "skipped: winoq-train (libtorch) is not built, so no ResNet-18 model can be exported"
fi
