#!/usr/bin/env bash
# The README's test command: configure (once), build and run the whole test suite.
# Assumes the Debian packages are installed (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  # The release preset (CMakePresets.json); WINOQ_WERROR=ON (set by .ci/run) takes the ci
  # preset instead: compiler warnings fail the build.
  preset=release
  [ "${WINOQ_WERROR:-OFF}" = ON ] && preset=ci
  cmake --preset "$preset" -B "$BUILD_DIR"
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
# Real-data tests read CIFAR-10 from here; they skip with a message without ../shared.
bash scripts/expand-cifar.sh "$BUILD_DIR/cifar"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" "$@"
