#!/usr/bin/env bash
# Cross build for 64-bit ARM Linux (targets arm-64-linux-arm_dot_prod and arm-64-linux) and its
# tests under qemu-user (docs/targets.md). The Halide generators run on the build host: they
# come from a host build (built here first if needed; only the generators, not the kernels).
#   scripts/build-arm.sh [ctest arguments...]
# Environment: HOST_BUILD_DIR (default build), ARM_BUILD_DIR (default build-arm), JOBS,
# ARM_TESTS=0 to build without testing. Needs g++-aarch64-linux-gnu and qemu-user
# (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST_BUILD_DIR=${HOST_BUILD_DIR:-build}
ARM_BUILD_DIR=${ARM_BUILD_DIR:-build-arm}
JOBS=${JOBS:-$(nproc)}

# 1. The host's generator executables (exported to $HOST_BUILD_DIR/cmake/winoq-halide_generators-config.cmake).
if [ ! -f "$HOST_BUILD_DIR/build.ninja" ]; then
  cmake --preset release -B "$HOST_BUILD_DIR"
fi
cmake --build "$HOST_BUILD_DIR" -j "$JOBS" --target winoq-halide_generators

# 2. The cross build: kernels for the ARM targets, runtime and tests with aarch64-linux-gnu-g++.
if [ ! -f "$ARM_BUILD_DIR/build.ninja" ]; then
  # The arm preset (CMakePresets.json: toolchain file, Debian's x86 Halide CMake packages),
  # with the generators of $HOST_BUILD_DIR.
  cmake --preset arm -B "$ARM_BUILD_DIR" -Dwinoq-halide_generators_ROOT="$(realpath "$HOST_BUILD_DIR")"
fi
cmake --build "$ARM_BUILD_DIR" -j "$JOBS"

# 3. The tests under qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR of the toolchain file).
if [ "${ARM_TESTS:-1}" != 0 ]; then
  ctest --test-dir "$ARM_BUILD_DIR" --output-on-failure -j "$JOBS" "$@"
fi
