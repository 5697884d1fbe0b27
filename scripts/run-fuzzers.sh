#!/usr/bin/env bash
# Builds the fuzz preset (clang-14 libFuzzer, ASan + UBSan; tests/fuzz/) if needed, writes the
# seed corpora and runs every fuzzer for SECONDS each, one after the other:
#   bash scripts/run-fuzzers.sh [SECONDS, default 60] [FUZZER...]   (FUZZER: model safetensors png cifar10 idx)
# Each run: -max_total_time=SECONDS -rss_limit_mb=2048 -timeout=10, the fuzzer's dictionary,
# the working corpus build-fuzz/corpus/<fuzzer>/ (kept between runs) and the seeds
# build-fuzz/seeds/<fuzzer>/. A crash, sanitizer report, leak, timeout or out-of-memory fails
# the script; the input that caused it is saved as build-fuzz/crashes/<fuzzer>-<kind>-<sha1>
# and the log is build-fuzz/logs/<fuzzer>.log. The other fuzzers still run. Prints the executions
# of each fuzzer. Environment: BUILD_DIR (default build-fuzz), JOBS (build jobs, default nproc),
# FUZZ_NICE (a nice level for the fuzzers, default 0).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
all=(model safetensors png cifar10 idx)
fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=("${all[@]}")
BUILD_DIR=${BUILD_DIR:-build-fuzz}
JOBS=${JOBS:-$(nproc)}
FUZZ_NICE=${FUZZ_NICE:-0}

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake --preset fuzz -B "$BUILD_DIR"
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
rm -rf "$BUILD_DIR/seeds"
"$BUILD_DIR/bin/winoq-fuzz-seeds" "$BUILD_DIR/seeds"
mkdir -p "$BUILD_DIR/corpus" "$BUILD_DIR/crashes" "$BUILD_DIR/logs"

# libFuzzer sets its own ASan / UBSan defaults; these add stack traces and leak checks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for f in "${fuzzers[@]}"; do
  exe="$BUILD_DIR/bin/winoq-fuzz-$f"
  [ -x "$exe" ] || { echo "run-fuzzers: no fuzzer '$f' ($exe)" >&2; exit 2; }
  dict=()
  [ -f "tests/fuzz/$f.dict" ] && dict=("-dict=tests/fuzz/$f.dict")
  mkdir -p "$BUILD_DIR/corpus/$f"
  log="$BUILD_DIR/logs/$f.log"
  echo "run-fuzzers: $f for ${seconds} s (log $log)"
  rc=0
  start=$(date +%s)
  nice -n "$FUZZ_NICE" "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$BUILD_DIR/crashes/$f-" "${dict[@]}" "$BUILD_DIR/corpus/$f" "$BUILD_DIR/seeds/$f" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(( $(date +%s) - start ))
  corpus=$(find "$BUILD_DIR/corpus/$f" -type f | wc -l)
  if [ "$rc" -eq 0 ] && grep -q '^Done ' "$log"; then
    result=ok
  else
    result="FAILED (exit $rc)"
    failed+=("$f")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*runtime error)' "$log" | head -20 >&2 || true
  fi
  line=$(printf '%-12s %12s executions in %5s s, corpus %5s files: %s' "$f" "${execs:-?}" "$secs" "$corpus" "$result")
  echo "run-fuzzers: $line"
  summary+=("$line")
done

echo "run-fuzzers: summary (${seconds} s each, -rss_limit_mb=2048 -timeout=10)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "run-fuzzers: ${#failed[@]} fuzzer(s) failed: ${failed[*]} (inputs in $BUILD_DIR/crashes/, logs in $BUILD_DIR/logs/)" >&2
  exit 1
fi
echo "run-fuzzers: all ${#fuzzers[@]} fuzzers passed"
