#!/usr/bin/env bash
# Runs clang-tidy (Debian's clang-tidy 14) with the project's short check list (.clang-tidy,
# every finding an error) on the C++ files of a configured build (its compile_commands.json;
# the kernels' generated headers must exist, so build first). Exits 1 on any finding.
#   scripts/run-clang-tidy.sh [folder ...]   default: runtime apps generators tests
#   scripts/run-clang-tidy.sh trainer        the trainer (slow: libtorch headers)
# Environment: BUILD_DIR (default build), JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
folders=("$@")
[ ${#folders[@]} -eq 0 ] && folders=(runtime apps generators tests)
if [ ! -f "$BUILD_DIR/compile_commands.json" ]; then
  echo "run-clang-tidy: no $BUILD_DIR/compile_commands.json (configure with a preset of CMakePresets.json)" >&2
  exit 2
fi
# The files of those folders that the build compiles (the database's entries), as one regex.
regex="^$PWD/($(IFS='|'; echo "${folders[*]}"))/"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
run-clang-tidy-14 -p "$BUILD_DIR" -j "$JOBS" -quiet "$regex" > "$log" 2>&1 || status=$?
if grep -E "(warning|error): " "$log" | grep -v "^[0-9]* warnings\? generated" | sort -u | grep . ; then
  echo "run-clang-tidy: findings above (checks: .clang-tidy)" >&2
  exit 1
fi
if [ $status -ne 0 ]; then
  cat "$log" >&2
  exit $status
fi
echo "run-clang-tidy: clean ($(grep -c '^' <(python3 -c "
import json,re,sys
print('\n'.join(e['file'] for e in json.load(open('$BUILD_DIR/compile_commands.json')) if re.match(sys.argv[1], e['file'])))" "$regex")) files in ${folders[*]})"
