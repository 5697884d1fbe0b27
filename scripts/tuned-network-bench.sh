#!/usr/bin/env bash
# Whole-network latency with and without the tuned schedules, in one run: every model timed by
# `winoq bench` under WINOQ_SCHEDULES=hand and =tuned, the two alternating pass after pass
# (docs/tuning.md, "Results"). Prints a markdown table (median over the passes of each pass's
# median) and writes the raw JSON under $OUT.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash scripts/tuned-network-bench.sh --plan PLAN [--arch resnet18] [--help]

  1. exports untrained models (winoq-train export --untrained --seed 1) of --arch into $OUT:
     direct, cf43 and "plan" (--plan PLAN: the variant winoq-tune plan chose per layer);
  2. PASSES times: winoq bench --json on all of them with WINOQ_SCHEDULES=hand, then =tuned
     (the order alternates between passes);
  3. a markdown table: per model, ms per image under each schedule set, tuned / hand, and the
     MAC reduction (winoq info --json), plus the plan with tuned schedules against the best
     untuned model.

Environment (defaults in brackets): BUILD_DIR [build], OUT [$BUILD_DIR/tuned-netbench],
PASSES [5], REPEATS [11], WARMUP [3], BATCH [1], HL_NUM_THREADS (Halide's default: all cores).
A few minutes on 2 cores once the models exist.
EOF
}

ARCH=resnet18
PLAN=
while [ $# -gt 0 ]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --plan) [ $# -ge 2 ] || { echo "tuned-network-bench.sh: error: --plan needs a file" >&2; exit 2; }
            PLAN=$(realpath "$2"); shift ;;
    --arch) [ $# -ge 2 ] || { echo "tuned-network-bench.sh: error: --arch needs a name" >&2; exit 2; }
            ARCH=$2; shift ;;
    *) echo "tuned-network-bench.sh: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$PLAN" ] || { echo "tuned-network-bench.sh: error: --plan PLAN is required (winoq-tune plan --out PLAN)" >&2; exit 2; }
[ -f "$PLAN" ] || { echo "tuned-network-bench.sh: error: $PLAN: no such file" >&2; exit 2; }

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN=$BUILD_DIR/bin
OUT=${OUT:-$BUILD_DIR/tuned-netbench}
PASSES=${PASSES:-5}
REPEATS=${REPEATS:-11}
WARMUP=${WARMUP:-3}
BATCH=${BATCH:-1}
mkdir -p "$OUT"

models=()
for v in direct cf43 plan; do
  m=$OUT/$ARCH-$v.safetensors
  if [ ! -f "$m" ] || { [ $v = plan ] && [ "$PLAN" -nt "$m" ]; }; then
    if [ $v = plan ]; then
      "$BIN/winoq-train" export --arch "$ARCH" --untrained --seed 1 --variant direct --plan "$PLAN" --out "$m" >&2
    else
      "$BIN/winoq-train" export --arch "$ARCH" --untrained --seed 1 --variant $v --out "$m" >&2
    fi
  fi
  "$BIN/winoq" info --json -m "$m" > "$OUT/info-$v.json"
  models+=(-m "$m")
done

start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for p in $(seq 1 "$PASSES"); do
  if [ $((p % 2)) -eq 1 ]; then order="hand tuned"; else order="tuned hand"; fi
  for s in $order; do
    echo "pass $p/$PASSES: WINOQ_SCHEDULES=$s" >&2
    WINOQ_SCHEDULES=$s "$BIN/winoq" bench --json --batch "$BATCH" --repeats "$REPEATS" --warmup "$WARMUP" \
      "${models[@]}" > "$OUT/bench-$s-$p.json"
  done
done
end=$(date -u +%Y-%m-%dT%H:%M:%SZ)

/usr/bin/python3 - "$OUT" "$PASSES" "$start" "$end" "$ARCH" "$PLAN" "$BATCH" <<'PY'
import json, statistics, sys
out, passes, start, end, arch, plan, batch = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
names = ["direct", "cf43", "plan"]
ms = {s: {n: [] for n in names} for s in ("hand", "tuned")}
for s in ms:
    for p in range(1, passes + 1):
        with open("%s/bench-%s-%d.json" % (out, s, p)) as f:
            run = json.load(f)
        for n, m in zip(names, run["models"]):
            ms[s][n].append(m["ms_per_image"])
med = {s: {n: statistics.median(v) for n, v in ms[s].items()} for s in ms}
red = {}
for n in names:
    with open("%s/info-%s.json" % (out, n)) as f:
        red[n] = json.load(f)["macs"]["reduction"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print("Run of %s to %s (UTC) on %s, %s, batch %s, %d passes alternating WINOQ_SCHEDULES=hand / tuned "
      "(each pass: winoq bench --json, median of its repeats; the table: median over the passes). "
      "Plan: %s. Command: `bash scripts/tuned-network-bench.sh --plan %s`."
      % (start, end, cpu, arch, batch, passes, plan.rsplit("/", 1)[-1], plan.rsplit("/", 1)[-1]))
print()
print("| model | MAC reduction | hand schedules: ms/image | tuned schedules: ms/image | tuned / hand |")
print("|---|---:|---:|---:|---:|")
for n in names:
    print("| %s %s | %.3fx | %.3f | %.3f | %.3f |" % (arch, n, red[n], med["hand"][n], med["tuned"][n],
                                                     med["tuned"][n] / med["hand"][n]))
best = min(names, key=lambda n: med["hand"][n])
q = med["hand"][best] / med["tuned"]["plan"]
print()
print("- plan with tuned schedules vs the fastest untuned model (%s, hand schedules): %.3fx faster%s"
      % (best, q, "" if q > 1 else " (**not faster**)"))
PY
