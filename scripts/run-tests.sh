#!/usr/bin/env bash
# The README's test command: configure (once), build and run the whole test suite.
# Assumes the Debian packages are installed (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  # WINOQ_WERROR=ON (set by .ci/run): compiler warnings fail the build.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWINOQ_WERROR="${WINOQ_WERROR:-OFF}"
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
# Real-data tests read CIFAR-10 from here; they skip with a message without ../shared.
bash scripts/expand-cifar.sh "$BUILD_DIR/cifar"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" "$@"
