#!/usr/bin/env bash
# Whole-network latency, winoq against PyTorch FP32 and PyTorch int8 (oneDNN), on this machine in
# one run; writes the table into docs/benchmarks.md between the network-table marker lines.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash scripts/network-bench.sh [--doc FILE | --no-doc] [--help]

Times ResNet-20 (CIFAR shapes) and ResNet-18 (ImageNet shapes) end to end on one machine:
  1. exports untrained winoq models into $BUILD_DIR/netbench/ where missing
     (winoq-train export --arch A --variant V --untrained --seed 1), plus a per-layer
     "plan" model when RESNET20_PLAN / RESNET18_PLAN is set;
  2. winoq bench --json for every model, HL_NUM_THREADS = each of THREADS, each of BATCHES;
  3. scripts/torch_int8_bench.py (Debian's /usr/bin/python3 with python3-torch): PyTorch
     FP32 and FX int8 (onednn engine) for the same threads and batches;
  4. scripts/network-bench-table.py: a markdown table (ms per image, ratio to PyTorch int8,
     CPU name and ISA flags, date, command) into docs/benchmarks.md between
     <!-- network-table:begin --> and <!-- network-table:end --> (added under the heading
     "## Whole networks (scripts/network-bench.sh)" if missing). Raw JSON stays in
     $BUILD_DIR/netbench/ (winoq-*.json, torch-*.json, run.json, table.md).

Options:
  --doc FILE   update FILE instead of docs/benchmarks.md
  --no-doc     only write $BUILD_DIR/netbench/table.md
  --help       this text

Environment (defaults in brackets):
  BUILD_DIR [build]        binaries in $BUILD_DIR/bin, output in $BUILD_DIR/netbench
  REPEATS [7]  WARMUP [2]  timed and untimed runs per configuration (median of REPEATS)
  PASSES [1]               repeat the whole measurement, alternating winoq and PyTorch first;
                           the table takes the median of the passes' medians
  THREADS ["1 2"]  BATCHES ["1 16"]  MODELS ["resnet20 resnet18"]
  VARIANTS ["direct f23 cf43"]       winoq variants exported and timed
  RESNET20_PLAN, RESNET18_PLAN       --layer-variant value (name=variant,...) of an extra
                                     "plan" model, on top of PLAN_BASE; defaults from
                                     scripts/plans/resnet18.env (NO_PLAN=1: no plan model)
  TORCH_ENGINES ["fp32 int8 int8-jit"]  torch_int8_bench.py --engines (also fp32-jit);
                                     int8 (FX GraphModule as converted) is the ratio's reference
  TORCH_PYTHON [/usr/bin/python3]    interpreter that has torch and torchvision
  AUTOGROUP_NICE [unset]             e.g. -15: run each measurement in its own session with
                                     that autogroup nice (needs root; for a shared machine)

Bounded run: with the defaults, a few minutes on 2 cores once the models exist (exporting
the ResNet-18 models the first time takes longer). Quick check: REPEATS=3 WARMUP=1.
EOF
}

DOC=docs/benchmarks.md
while [ $# -gt 0 ]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --doc) [ $# -ge 2 ] || { echo "network-bench.sh: error: --doc needs a file" >&2; exit 2; }
           DOC=$2; shift ;;
    --no-doc) DOC= ;;
    *) echo "network-bench.sh: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The command as given, with the settings that came from the environment, for the record.
COMMAND=""
for v in BUILD_DIR REPEATS WARMUP PASSES THREADS BATCHES MODELS VARIANTS PLAN_BASE RESNET20_PLAN \
         RESNET18_PLAN TORCH_ENGINES TORCH_PYTHON AUTOGROUP_NICE WINOQ_TARGET; do
  if [ -n "${!v+x}" ]; then COMMAND+="$v=$(printf '%q' "${!v}") "; fi
done
COMMAND+="bash scripts/network-bench.sh"
[ -z "$DOC" ] && COMMAND+=" --no-doc"
[ -n "$DOC" ] && [ "$DOC" != docs/benchmarks.md ] && COMMAND+=" --doc $(printf '%q' "$DOC")"

[ -n "$DOC" ] && DOC=$(realpath -m "$DOC")  # as given from the caller's directory
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN=$BUILD_DIR/bin
OUT=$BUILD_DIR/netbench
REPEATS=${REPEATS:-7}
WARMUP=${WARMUP:-2}
PASSES=${PASSES:-1}
THREADS=${THREADS:-"1 2"}
BATCHES=${BATCHES:-"1 16"}
MODELS=${MODELS:-"resnet20 resnet18"}
VARIANTS=${VARIANTS:-"direct f23 cf43"}
# The committed ResNet-18 plan unless the caller gives one (NO_PLAN=1: none).
if [ "${NO_PLAN:-0}" != 1 ]; then
  # shellcheck source=plans/resnet18.env
  source "$(dirname "$0")/plans/resnet18.env"
fi
PLAN_BASE=${PLAN_BASE:-direct}
TORCH_ENGINES=${TORCH_ENGINES:-"fp32 int8 int8-jit"}
PY=${TORCH_PYTHON:-/usr/bin/python3}
TABLE_PY=$PY
command -v "$TABLE_PY" > /dev/null || TABLE_PY=python3

die() { echo "network-bench.sh: error: $*" >&2; exit 1; }
for n in REPEATS WARMUP PASSES; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number (got '${!n}')"
done
if [ "$REPEATS" -lt 1 ] || [ "$PASSES" -lt 1 ]; then die "REPEATS and PASSES must be >= 1"; fi
for m in $MODELS; do
  case $m in resnet20|resnet18) ;; *) die "MODELS: unknown model '$m' (resnet20, resnet18)" ;; esac
done
[ -x "$BIN/winoq" ] || die "$BIN/winoq is missing: build first (cmake --build $BUILD_DIR)"
"$PY" -c 'import torch, torchvision' 2> /dev/null ||
  die "$PY cannot import torch and torchvision (Debian: apt-get install python3-torch python3-torchvision)"

mkdir -p "$OUT"
rm -f "$OUT"/winoq-*.json "$OUT"/torch-*.json "$OUT"/plan-*-info.json "$OUT"/run.json "$OUT"/table.md

export_model() {  # export_model ARCH VARIANT FILE [--layer-variant PLAN]
  local arch=$1 variant=$2 file=$3; shift 3
  [ -f "$file" ] && return 0
  [ -x "$BIN/winoq-train" ] || die "$BIN/winoq-train is missing (WINOQ_BUILD_TRAINER, libtorch) and $file does not exist"
  echo "== export $file" >&2
  local tmp="$OUT/.export-$$.safetensors"
  "$BIN/winoq-train" export --arch "$arch" --variant "$variant" --untrained --seed 1 "$@" --out "$tmp" > /dev/null ||
    { rm -f "$tmp"; die "winoq-train export failed for $file"; }
  mv "$tmp" "$file"
}

declare -A ARCH_MODELS
for arch in $MODELS; do
  files=()
  for v in $VARIANTS; do
    f="$OUT/$arch-untrained-$v.safetensors"
    export_model "$arch" "$v" "$f"
    files+=("$f")
  done
  plan_var="${arch^^}_PLAN"
  plan=${!plan_var:-}
  if [ -n "$plan" ]; then
    # The plan's hash in the name: a changed plan gets its own export.
    f="$OUT/$arch-untrained-plan-$(printf '%s %s' "$PLAN_BASE" "$plan" | sha1sum | cut -c1-10).safetensors"
    export_model "$arch" "$PLAN_BASE" "$f" --layer-variant "$plan"
    # Stop rather than time a model that silently ignored (part of) the plan.
    "$BIN/winoq" info --model "$f" --json > "$OUT/plan-$arch-info.json"
    "$TABLE_PY" scripts/network-bench-table.py check-plan "$OUT/plan-$arch-info.json" "$plan" ||
      { rm -f "$f"; die "winoq-train export did not apply $plan_var to $f (removed)"; }
    files+=("$f")
  fi
  ARCH_MODELS[$arch]="${files[*]}"
done

measure() {  # measure COMMAND...: with AUTOGROUP_NICE, in its own session at that autogroup nice
  if [ -n "${AUTOGROUP_NICE:-}" ]; then
    # sched_autogroup makes plain nice useless against other sessions' load (docs/benchmarks.md).
    # shellcheck disable=SC2016  # expanded by the inner sh
    setsid -w sh -c 'echo "$0" > /proc/self/autogroup && exec "$@"' "$AUTOGROUP_NICE" "$@"
  else
    "$@"
  fi
}

run_winoq() {  # run_winoq PASS
  local t b arch m args
  for t in $THREADS; do
    for b in $BATCHES; do
      for arch in $MODELS; do
        args=()
        for m in ${ARCH_MODELS[$arch]}; do args+=(--model "$m"); done
        echo "== pass $1: winoq $arch, $t thread(s), batch $b" >&2
        measure env HL_NUM_THREADS="$t" "$BIN/winoq" bench "${args[@]}" --batch "$b" --repeats "$REPEATS" \
          --warmup "$WARMUP" --json > "$OUT/winoq-$arch-t$t-b$b-p$1.json"
      done
    done
  done
}

run_torch() {  # run_torch PASS
  echo "== pass $1: PyTorch FP32 and int8" >&2
  # shellcheck disable=SC2086  # word lists on purpose
  measure "$PY" scripts/torch_int8_bench.py --models $MODELS --engines $TORCH_ENGINES --threads $THREADS --batch $BATCHES \
    --repeats "$REPEATS" --warmup "$WARMUP" --json > "$OUT/torch-p$1.json"
}

STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)  # the measurements, exports excluded
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for ((p = 1; p <= PASSES; p++)); do
  # Alternate which side goes first, so that a slow phase of the machine hits both alike.
  if ((p % 2)); then run_winoq "$p"; run_torch "$p"; else run_torch "$p"; run_winoq "$p"; fi
done

table_args=(table --dir "$OUT" --command "$COMMAND" --started "$STARTED" --load-start "$LOAD_START"
  --ended "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --load-end "$(cut -d' ' -f1-3 /proc/loadavg)")
[ -n "$DOC" ] && table_args+=(--doc "$DOC")
"$TABLE_PY" scripts/network-bench-table.py "${table_args[@]}"
echo "raw JSON and table: $OUT/${DOC:+; table written into $DOC}" >&2
