#!/usr/bin/env bash
# Turns one JSON output of winoq-kernel-bench into the markdown table of docs/benchmarks.md:
# per layer, the median time of every kernel, its GMAC/s (direct-convolution MACs / time) and
# its speed-up over winoq `direct` and over oneDNN (time of the other / own time, > 1 = faster),
# followed by the two performance goals. Every number comes from the one JSON file given.
#   usage: scripts/kernel-bench-table.sh run.json
# run.json from: winoq-kernel-bench --benchmark_out=run.json --benchmark_out_format=json
# (the default repetitions report medians; with random interleaving the JSON order is random,
# the table lists ResNet-20 then ResNet-18 layers by channel count). Needs Debian's /usr/bin/python3.
set -euo pipefail
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 run.json   (JSON written by winoq-kernel-bench --benchmark_out=run.json)" >&2
  exit 2
fi
exec /usr/bin/python3 - "$1" <<'PY'
import json, sys

BASE_KERNELS = ["direct", "f23", "f43", "cf43", "cf43m4"]
# "<variant>-hand": the hand schedule of a layer that runs a tuned one (docs/tuning.md).
KERNELS = [k for b in BASE_KERNELS for k in (b, b + "-hand")] + ["onednn"]
with open(sys.argv[1]) as f:
    run = json.load(f)
ctx = run["context"]

# layer -> kernel -> (median real time in us, GMAC/s, label)
rows, layers = {}, []
to_us = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
for b in run["benchmarks"]:
    if b.get("run_type") != "aggregate" or b.get("aggregate_name") != "median":
        continue
    parts = b["run_name"].split("/")  # conv3x3/<layer>/<kernel>/real_time
    layer, kernel = parts[1], parts[2]
    if layer not in rows:
        rows[layer] = {}
        layers.append(layer)
    rows[layer][kernel] = (b["real_time"] * to_us[b["time_unit"]], b["GMAC/s"], b.get("label", ""))
def layer_key(name):  # "r18_64x56x56" -> ResNet-20 first, then by channel count
    model, dims = name.split("_", 1)
    return (model != "r20", int(dims.split("x")[0]))
layers.sort(key=layer_key)
if not layers:
    sys.exit("no median aggregates in %s: run with repetitions > 1 (the default)" % sys.argv[1])

def ratio(layer, other, kernel):
    r = rows[layer]
    if other not in r or kernel not in r:
        return "–"
    return "%.2fx" % (r[other][0] / r[kernel][0])

onednn_impls = sorted({r["onednn"][2] for r in rows.values() if "onednn" in r})
print("Run of %s on %s CPUs. winoq kernels: %s, target %s (WINOQ_TARGET=%s). oneDNN %s, "
      "ONEDNN_MAX_CPU_ISA=%s, implementation: %s. Threads: HL_NUM_THREADS=%s, OMP_NUM_THREADS=%s."
      % (ctx.get("date", "?"), ctx.get("num_cpus", "?"), ctx.get("winoq_kernels", "?"),
         ctx.get("winoq_target", "?"), ctx.get("WINOQ_TARGET", "?"), ctx.get("onednn_version", "?"),
         ctx.get("ONEDNN_MAX_CPU_ISA", "?"), ", ".join(onednn_impls) or "–",
         ctx.get("HL_NUM_THREADS", "?"), ctx.get("OMP_NUM_THREADS", "?")))
print()
print("| layer | kernel | median time (µs) | GMAC/s | speed-up vs direct | speed-up vs oneDNN |")
print("|---|---|---:|---:|---:|---:|")
for layer in layers:
    for k in KERNELS:
        if k not in rows[layer]:
            continue
        t, g, _ = rows[layer][k]
        print("| %s | %s | %.1f | %.1f | %s | %s |" % (layer, k, t, g, ratio(layer, "direct", k), ratio(layer, "onednn", k)))
print()

def goal(text, checks):
    if not checks:
        print("- %s: not measured (no data)" % text)
        return
    met = all(ok for _, ok, _ in checks)
    detail = ", ".join("%s %s" % (layer, value) for layer, _, value in checks)
    print("- %s: **%s** (%s)" % (text, "met" if met else "not met", detail))

# The per-layer goals of the fused-kernel work (docs/benchmarks.md), 2 threads.
g1 = []
for layer in ["r18_64x56x56", "r18_128x28x28", "r18_256x14x14"]:
    r = rows.get(layer, {})
    if "cf43" in r and "onednn" in r:
        q = r["onednn"][0] / r["cf43"][0]
        g1.append((layer, q >= 1.5, "%.2fx" % q))
goal("`cf43` >= 1.5x faster than oneDNN on 64@56, 128@28 and 256@14 (speed-up of cf43 over oneDNN)", g1)
g2 = []
for layer in layers:
    r = rows[layer]
    if layer.startswith("r20") and "direct" in r and "cf43" in r:
        g2.append((layer, r["cf43"][0] < r["direct"][0], "%.2fx" % (r["direct"][0] / r["cf43"][0])))
goal("`cf43` faster than winoq `direct` on every ResNet-20 layer (speed-up of cf43 over direct)", g2)
g3 = []
for layer in layers:
    r = rows[layer]
    if "direct" in r and "onednn" in r:
        q = r["direct"][0] / r["onednn"][0]
        g3.append((layer, q <= 1.15, "%.2f" % q))
goal("winoq `direct` within 1.15x of oneDNN on every layer (time of direct / time of oneDNN)", g3)

# The tuned-schedule goal (docs/tuning.md): over every layer x {direct, f23, cf43}, the time of
# the hand schedule / the time of what the build runs; a layer without a tuned schedule runs the
# hand one (ratio 1, its row has no -hand twin).
import math
tuned = []
for layer in layers:
    r = rows[layer]
    for k in ["direct", "f23", "cf43"]:
        if k in r:
            tuned.append((layer, k, r[k + "-hand"][0] / r[k][0] if k + "-hand" in r else 1.0))
if tuned:
    gm = math.exp(sum(math.log(q) for _, _, q in tuned) / len(tuned))
    slower = ["%s %s %.2fx" % (l, k, q) for l, k, q in tuned if q < 1.0]
    n_tuned = sum(1 for l, k, _ in tuned if k + "-hand" in rows[l])
    print("- tuned schedules >= 1.15x faster than the hand ones (geometric mean over %d layer x variant pairs, "
          "%d of them tuned; hand time / tuned time): **%s** (%.3fx)%s"
          % (len(tuned), n_tuned, "met" if gm >= 1.15 else "not met", gm,
             "; slower than hand: " + ", ".join(slower) if slower else "; slower than hand on none"))
PY
