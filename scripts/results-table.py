#!/usr/bin/env python3
"""Turns the runs of scripts/train-results.sh into docs/results.md's tables, a CSV per data
set and the accuracy-vs-MAC-reduction chart (gnuplot).

usage: scripts/results-table.py [--runs runs] [--out docs] [--winoq-train build/bin/winoq-train]
Reads RUNS/<dataset>/<row>/eval.json (top-1 on the validation split, int8 rows in integer
mode) and the MAC reduction of each variant from `winoq-train macs --json`.
"""
import argparse, json, os, subprocess, sys

ROWS = [  # (row id, table label, variant for the MAC count)
    ("fp32", "(a) FP32 baseline", "float"),
    ("qat-direct", "(b) int8 direct, QAT", "direct"),
    ("ptq-max-f23", "(c) f23 post-training, max scales", "f23"),
    ("ptq-max-f43", "(c) f43 post-training, max scales", "f43"),
    ("ptq-max-cf43", "(c) cf43 post-training, max scales", "cf43"),
    ("ptq-mse-direct", "(d) direct post-training, MSE clipping", "direct"),
    ("ptq-mse-f23", "(d) f23 post-training, MSE clipping per tap", "f23"),
    ("ptq-mse-f43", "(d) f43 post-training, MSE clipping per tap", "f43"),
    ("ptq-mse-cf43", "(d) cf43 post-training, MSE clipping per tap", "cf43"),
    ("ptq-mse-cf43m4", "(d) cf43m4 post-training, MSE clipping per tap", "cf43m4"),
    ("qat-f23", "(e) f23 QAT, learned clipping per tap", "f23"),
    ("qat-f43", "(e) f43 QAT, learned clipping per tap", "f43"),
    ("qat-cf43", "(e) cf43 QAT, learned clipping per tap", "cf43"),
    ("qat-cf43m4", "(e) cf43m4 QAT, learned clipping per tap", "cf43m4"),
    ("qat3-cf43", "(e) cf43 QAT, learned clipping per tap, 3 epochs", "cf43"),
]
DATASETS = {  # name: (macs options, validation split)
    "cifar10": (["--image-size", "32", "--in-channels", "3"], "data_batch_5.bin of cifar10-jpeg (10,000 images)"),
    "fashion-mnist": (["--image-size", "28", "--in-channels", "1"], "Fashion-MNIST t10k (10,000 images)"),
}


def reduction(binary, variant, opts, cache={}):
    key = (variant, tuple(opts))
    if key not in cache:
        out = subprocess.run([binary, "macs", "--variant", variant, "--json"] + opts,
                             check=True, capture_output=True, text=True).stdout
        cache[key] = json.loads(out)["reduction"]
    return cache[key]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", default="runs")
    ap.add_argument("--out", default="docs")
    ap.add_argument("--winoq-train", default="build/bin/winoq-train")
    a = ap.parse_args()
    md, plot_files = [], []
    for ds, (opts, split) in DATASETS.items():
        rows = []
        for rid, label, variant in ROWS:
            path = os.path.join(a.runs, ds, rid, "eval.json")
            if not os.path.exists(path):
                continue
            with open(path) as f:
                e = json.load(f)
            mode = "integer (runner on the Halide kernels)" if "ms_per_image" in e else e.get("mode", "?")
            rows.append((rid, label, variant, e["top1"], e["images"], mode,
                         reduction(a.winoq_train, variant, opts)))
        if not rows:
            print(f"results-table: no runs for {ds} in {a.runs}", file=sys.stderr)
            continue
        base = next((r[3] for r in rows if r[0] == "fp32"), None)
        csv = os.path.join(a.out, f"results-{ds}.csv")
        with open(csv, "w") as f:
            f.write("row,variant,top1,images,mode,mac_reduction,delta_vs_fp32\n")
            for rid, label, variant, top1, n, mode, red in rows:
                d = "" if base is None else f"{top1 - base:.2f}"
                f.write(f"{rid},{variant},{top1:.2f},{n},{mode.replace(',', ';')},{red:.3f},{d}\n")
        plot_files.append((ds, csv))
        md.append(f"### {ds}: validation split {split}\n")
        md.append("| row | top-1 % | vs (a) | MAC reduction | evaluated as |")
        md.append("|---|---:|---:|---:|---|")
        for rid, label, variant, top1, n, mode, red in rows:
            d = "" if base is None or rid == "fp32" else f"{top1 - base:+.2f}"
            md.append(f"| {label} | {top1:.2f} | {d} | {red:.3f}x | {mode}, {n} images |")
        md.append("")
    print("\n".join(md))
    if plot_files:
        png = os.path.join(a.out, "results-accuracy-vs-macs.png")
        script = [
            "set terminal pngcairo size 900,520 font ',11'" ,
            f"set output '{png}'",
            "set datafile separator ','",
            "set key bottom right",
            "set xlabel 'MAC reduction vs direct (docs/method.md section 3 rule)'",
            "set ylabel 'top-1 % (validation split; int8 rows in integer mode)'",
            "set title 'ResNet-20: accuracy against MAC reduction (rows near chance, f43 with max scales, are below the range)'",
            "set yrange [88.5:94]",
            "set xrange [0.9:3.6]",
            "set grid",
        ]
        plots = []
        for ds, csv in plot_files:
            plots.append(f"'{csv}' every ::1 using 6:3 with points pt 7 ps 1.3 title '{ds}'")
            plots.append(f"'{csv}' every ::1 using 6:3:1 with labels offset 0.5,0.4 left rotate by 30 font ',7' notitle")
        script.append("plot " + ", ".join(plots))
        try:
            subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)
            print(f"results-table: wrote {png}", file=sys.stderr)
        except FileNotFoundError:
            print("results-table: gnuplot not found (apt install gnuplot-nox); no chart", file=sys.stderr)


if __name__ == "__main__":
    main()
