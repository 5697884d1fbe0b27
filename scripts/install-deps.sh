#!/usr/bin/env bash
# Installs every Debian package winoq needs (Debian 12 bookworm). Run as root or with sudo.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  dpkg-dev                   # dpkg-shlibdeps: the Depends line of the .deb (cpack -G DEB, packaging/)
  libhalide14-0-dev          # Halide 14 generators and AOT compilation
  libgtest-dev libbenchmark-dev
  libpng-dev
  libdnnl-dev                # oneDNN: the peer in the kernel benchmark
  nlohmann-json3-dev libcli11-dev zlib1g-dev
  libtorch-dev libopenblas0-openmp  # the trainer (winoq-train); Debian's reference BLAS is 10-50x slower
  libonnx-dev python3-onnx   # winoq-train import (ONNX protobuf classes); the import tests export with torch.onnx
  dataset-fashion-mnist      # the second real data set (/usr/share/datasets/fashion-mnist)
  gnuplot-nox                # charts: docs/results PNG, winoq bench --chart
  python3-numpy python3-pil  # ../shared/data/cifar10-jpeg/expand.py (Debian's /usr/bin/python3)
  python3-torch python3-torchvision  # PyTorch int8 / FP32 peers of scripts/network-bench.sh
  g++-aarch64-linux-gnu qemu-user  # ARM cross build and its tests (scripts/build-arm.sh)
  clang-format               # scripts/check-format.sh (.ci/run)
  clang-14 libclang-rt-14-dev  # libFuzzer + ASan / UBSan: the fuzz preset (scripts/run-fuzzers.sh)
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
