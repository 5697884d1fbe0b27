#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (the asan preset of
# CMakePresets.json, in build-asan/): the runtime, its readers, the kernels' engines and the
# CLIs, built at -O1 with every sanitizer error fatal. The Halide generators come from the
# release build (build/, built first if needed) and the kernels are compiled for one x86
# target (AVX2): the sanitizers check winoq's C++, not the generated code. The trainer and the
# benchmarks are not part of it (libtorch and oneDNN are not instrumented).
#   scripts/run-sanitized-tests.sh [ctest arguments...]
# Environment: JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
if [ ! -f build/build.ninja ]; then
  cmake --preset release
fi
cmake --build build -j "$JOBS" --target winoq-halide_generators
if [ ! -f build-asan/build.ninja ]; then
  cmake --preset asan
fi
cmake --build build-asan -j "$JOBS"
# Real-data tests read CIFAR-10 from here; they skip with a message without ../shared.
bash scripts/expand-cifar.sh build-asan/cifar
# The long tests (whole networks on real data, every layer of ResNet-18) stay in the release
# suite: under the sanitizers they take minutes each.
ctest --preset asan -j "$JOBS" -E "${WINOQ_ASAN_EXCLUDE:-FloatResNet20|ResNet18At224|RealModel|Cifar10Accuracy}" "$@"
