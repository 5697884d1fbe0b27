#!/usr/bin/env bash
# The installed package as a user meets it: `cmake --install` into a fresh prefix, the example
# of examples/classify configured with find_package(winoq) against that prefix only, built,
# and run on a PNG; its answer must be the `winoq classify` CLI's for the same model and image.
# Usage: installed_package_test.sh BUILD_DIR SOURCE_DIR WINOQ_EXE MAKE_TEST_DATA_EXE
set -euo pipefail
build=$1 src=$2 winoq=$3 make_data=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "installed_package_test: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
for f in include/winoq/runner/model_executor.h include/winoq/version.h lib/cmake/winoq/winoqConfig.cmake \
         lib/cmake/winoq/winoqConfigVersion.cmake bin/winoq share/winoq/models/resnet20-cifar10-cf43.safetensors; do
  [ -e "$tmp/prefix/$f" ] || fail "the prefix has no $f"
done
lib=$(ls "$tmp"/prefix/lib*/libwinoq.so 2>/dev/null || true)
[ -n "$lib" ] || fail "the prefix has no libwinoq.so"
# The API is exported, the bundled Halide runtime is not.
# (nm into a file: with pipefail, `nm | grep -q` fails when grep stops reading early.)
nm -D --defined-only "$lib" > "$tmp/symbols.txt"
grep -q 'ModelExecutor' "$tmp/symbols.txt" || fail "libwinoq.so does not export winoq::ModelExecutor"
if grep -q ' halide_' "$tmp/symbols.txt"; then fail "libwinoq.so exports Halide runtime symbols"; fi

# Only the prefix: no path into the build or source tree reaches the example's build.
cmake -S "$src/examples/classify" -B "$tmp/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log" || { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/example" > "$tmp/build.log" || { cat "$tmp/build.log"; fail "build"; }
grep -q "$build" "$tmp/example/build.ninja" && fail "the example's build refers to the build tree $build"
ldd "$tmp/example/classify" > "$tmp/ldd.txt"
grep -q "$tmp/prefix/.*libwinoq.so" "$tmp/ldd.txt" || { cat "$tmp/ldd.txt"; fail "classify does not run the installed libwinoq.so"; }

model=$tmp/prefix/share/winoq/models/resnet20-cifar10-cf43.safetensors
"$make_data" png "$tmp/image.png" 45 37 3
got=$("$tmp/example/classify" "$model" "$tmp/image.png")
want=$("$winoq" classify --model "$model" --top 1 --json "$tmp/image.png" |
       python3 -c 'import json,sys; t=json.load(sys.stdin)["images"][0]["top"][0]; print("%s %.6f" % (t["class"], t["probability"]))')
[ "$got" = "$want" ] || fail "example says '$got', winoq classify says '$want'"
# Bad input is a clear error and exit status 1, not a crash.
if "$tmp/example/classify" "$tmp/image.png" "$tmp/image.png" 2> "$tmp/err.txt"; then fail "a PNG taken as a model"; fi
grep -q "classify: " "$tmp/err.txt" || fail "no error message for a bad model file"

# The Debian package of the same tree (cpack -G DEB): files where Debian expects them, and a
# Depends line dpkg-shlibdeps derived from the binaries.
(cd "$build" && cpack -G DEB -B "$tmp/deb" > "$tmp/cpack.log") || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(ls "$tmp"/deb/winoq_*.deb)
dpkg-deb -c "$deb" > "$tmp/contents.txt"
for f in usr/bin/winoq usr/include/winoq/version.h /libwinoq.so usr/share/winoq/models/resnet20-cifar10-cf43.safetensors \
         winoq/winoqConfig.cmake usr/share/doc/winoq/api.md; do
  grep -q "$f" "$tmp/contents.txt" || fail "$(basename "$deb") has no $f"
done
dpkg-deb -f "$deb" Depends > "$tmp/depends.txt"
grep -q libpng "$tmp/depends.txt" || fail "$(basename "$deb") does not depend on libpng"
echo "installed_package_test: ok ($got; $(basename "$deb"))"
