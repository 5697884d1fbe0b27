#!/usr/bin/env python3
"""Tables for scripts/network-bench.sh (standard library only).

  network-bench-table.py check-plan INFO.json PLAN
      exit 1 unless every name=variant of PLAN is the variant of that layer in the model
      (INFO.json: `winoq info --json`).
  network-bench-table.py table --dir DIR [--doc FILE] [--command CMD] [--started T] [--load-start L]
      read DIR/winoq-*.json (`winoq bench --json`) and DIR/torch-*.json (torch_int8_bench.py --json),
      write DIR/table.md and DIR/run.json, and put the table into FILE between the marker lines.
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys

BEGIN, END = "<!-- network-table:begin -->", "<!-- network-table:end -->"
HEADING = "## Whole networks (scripts/network-bench.sh)"
ARCH_TITLE = {"resnet20": "ResNet-20 (CIFAR-10 shapes: 3x32x32, 10 classes)",
              "resnet18": "ResNet-18 (ImageNet shapes: 3x224x224, 1000 classes)"}
# Flags worth naming for int8 convolution speed: vector width and dot-product instructions.
ISA_FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
             "avx_vnni", "amx_int8", "amx_bf16")
TORCH_ROWS = {"fp32": "PyTorch FP32", "int8": "PyTorch int8", "fp32-jit": "PyTorch FP32 TorchScript",
              "int8-jit": "PyTorch int8 TorchScript"}
WINOGRAD = ("f23", "f43", "cf43", "cf43m4")
PLAN_RE = re.compile(r"-untrained-plan-[0-9a-f]+\.safetensors$")


def die(msg):
    sys.exit(f"network-bench-table.py: error: {msg}")


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die(f"{path}: {e}")


def parse_plan(plan):
    out = {}
    for item in filter(None, (s.strip() for s in plan.split(","))):
        if "=" not in item:
            die(f"plan entry '{item}' is not name=variant")
        name, variant = item.split("=", 1)
        out[name.strip()] = variant.strip()
    return out


def check_plan(info_path, plan):
    info = load(info_path)
    have = {op["name"]: op.get("variant") for op in info.get("ops", [])}
    bad = [f"{n}: wanted {v}, model has {have.get(n, 'no such layer')}" for n, v in parse_plan(plan).items()
           if have.get(n) != v]
    if bad:
        die(f"{info_path}: the exported model does not follow the plan ({'; '.join(bad)})")
    return 0


def cpu_info():
    name, flags, cpus, ids = "unknown CPU", set(), 0, {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key = key.strip()
                if key == "processor":
                    cpus += 1
                elif key == "model name" and name == "unknown CPU":
                    name = val.strip()
                elif key in ("cpu family", "model", "stepping") and key not in ids:
                    ids[key] = val.strip()
                elif key == "flags" and not flags:
                    flags = set(val.split())
    except OSError:
        pass
    if ids:
        name += " (" + ", ".join(f"{k} {v}" for k, v in ids.items()) + ")"
    return {"model_name": name, "cpus": cpus or os.cpu_count(),
            "isa_flags": [f for f in ISA_FLAGS if f in flags],
            "isa_flags_absent": [f for f in ISA_FLAGS if f not in flags]}


def winoq_row_name(model):
    base = os.path.basename(model.get("model_file", ""))
    if PLAN_RE.search(base):
        return "winoq plan"
    m = re.search(r"-untrained-([a-z0-9]+)\.safetensors$", base)
    return "winoq " + (m.group(1) if m else model.get("model", base))


def collect(run_dir):
    """{arch: {row: {(threads, batch): [ms_per_image of each pass]}}} and facts about the peers."""
    cells, facts = {}, {"targets": set(), "torch": None, "plans": {}, "repeats": set(), "trained": set(),
                        "float": {}}
    wfiles = sorted(glob.glob(os.path.join(run_dir, "winoq-*.json")))
    tfiles = sorted(glob.glob(os.path.join(run_dir, "torch-*.json")))
    if not wfiles and not tfiles:
        die(f"no winoq-*.json or torch-*.json in {run_dir}")
    for path in wfiles:
        m = re.search(r"winoq-(resnet\d+)-t(\d+)-b(\d+)-p\d+\.json$", path)
        if not m:
            continue
        arch, threads, batch = m.group(1), int(m.group(2)), int(m.group(3))
        doc = load(path)
        if doc.get("batch") != batch:
            die(f"{path}: batch {doc.get('batch')}, expected {batch}")
        facts["targets"].add(doc.get("target", "?"))
        facts["repeats"].add((doc.get("repeats"), doc.get("warmup")))
        for model in doc.get("models", []):
            row = winoq_row_name(model)
            facts["trained"].add(bool(model.get("trained")))
            if row == "winoq plan":
                facts["plans"][arch] = {l["name"]: l["variant"] for l in model.get("layers", [])}
            cells.setdefault(arch, {}).setdefault(row, {}).setdefault((threads, batch), []).append(
                model["ms_per_image"])
            # Layers winoq runs in float (not on the int8 kernels), per image: they explain much of a total.
            fl = [l for l in model.get("layers", []) if l.get("variant") == "float"]
            if fl:
                f = facts["float"].setdefault(arch, {}).setdefault(row, {"names": [l["name"] for l in fl]})
                f.setdefault((threads, batch), []).append(
                    (sum(l["ms"] for l in fl) / batch, model["ms_per_image"]))
    for path in tfiles:
        doc = load(path)
        facts["torch"] = doc
        facts["repeats"].add((doc.get("repeats"), doc.get("warmup")))  # PyTorch's too
        for r in doc.get("results", []):
            row = TORCH_ROWS.get(r["engine"], "PyTorch " + r["engine"])
            cells.setdefault(r["model"], {}).setdefault(row, {}).setdefault((r["threads"], r["batch"]), []).append(
                r["ms_per_image"])
    facts["passes"] = max(len(tfiles), 1)
    return cells, facts


def row_order(row):
    fixed = ["winoq direct", "winoq f23", "winoq f43", "winoq cf43", "winoq cf43m4", "winoq plan",
             "PyTorch FP32", "PyTorch FP32 TorchScript", "PyTorch int8", "PyTorch int8 TorchScript"]
    return (fixed.index(row) if row in fixed else len(fixed), row)


def fmt_ms(v):
    return f"{v:.3f}" if v < 10 else f"{v:.2f}" if v < 100 else f"{v:.1f}"


def make_table(cells, facts, args):
    cpu = cpu_info()
    tor = facts["torch"] or {}
    ended = args.ended or "?"
    load_end = args.load_end or "?"
    reps = sorted(facts["repeats"], key=str)
    rep_text = ", ".join(f"{r} runs after {w} warm-up run{'' if w == 1 else 's'}" for r, w in reps) or "?"
    trained = {frozenset([False]): "untrained models (random weights: latency only) from "
               "`winoq-train export --untrained --seed 1`",
               frozenset([True]): "trained models", frozenset([True, False]): "trained and untrained models"}.get(
                   frozenset(facts["trained"]), "no models")
    passes = facts["passes"]
    lines = [
        "Whole forward passes of ResNet-20 and ResNet-18, winoq against PyTorch, on one machine in one run "
        "(the sections after this one are about single layers: `winoq-kernel-bench`).",
        "",
        f"Run of {args.started or '?'} to {ended} (UTC, `date -u`) on **{cpu['model_name']}**, {cpu['cpus']} CPUs "
        f"as the kernel reports them; ISA flags present: {', '.join(cpu['isa_flags']) or 'none'}; absent: "
        f"{', '.join(cpu['isa_flags_absent']) or 'none'} (from /proc/cpuinfo).",
        f"Load average (1, 5, 15 min) at the start: {args.load_start or '?'}, at the end: {load_end}.",
        "",
        f"Command (repository root): `{args.command}`" if args.command else "Command: ?",
        "",
        f"- **winoq**: `winoq bench --json`, kernel target {', '.join(sorted(facts['targets'])) or '?'}, "
        f"threads = `HL_NUM_THREADS` (Halide's pool); {trained}. Rows `winoq <variant>`: the export's "
        "`--variant` (a Winograd variant applies to the 3x3 stride-1 convolutions; the layers of each run are in "
        "its JSON).",
        f"- **PyTorch** {tor.get('torch', '?')} (Debian `python3-torch`), oneDNN {tor.get('onednn', '?')} "
        f"(its ISA here: {tor.get('onednn_isa', '?')}), `scripts/torch_int8_bench.py`: FP32 = eval model with "
        "BatchNorm folded; int8 = FX post-training quantization (`prepare_fx` / `convert_fx`, "
        "`get_default_qconfig_mapping('onednn')`, engine `onednn`, calibrated on random batches; ResNet-20's "
        "option-A shortcuts kept in int8), the converted GraphModule run as it is; *TorchScript*: the same traced "
        "and frozen (`torch.jit.freeze`); threads = `torch.set_num_threads`; all configurations interleaved in "
        "shuffled rounds" + (", each timed run right after an untimed one of its own configuration" if tor.get("rewarm")
                             else "") + ".",
        f"- Each cell: median wall time of one forward pass of the whole batch, divided by the batch "
        f"(**ms per image**), over {rep_text}"
        + (f"; with {passes} passes of the whole measurement, the median of the passes' medians" if passes > 1 else "")
        + ". **vs int8**: that time divided by PyTorch int8's at the same threads and batch (< 1: faster than "
        "PyTorch int8).",
    ]
    for arch in ("resnet20", "resnet18"):
        if arch not in cells:
            continue
        rows = cells[arch]
        settings = sorted({s for r in rows.values() for s in r}, key=lambda s: (s[0], s[1]))
        peer = rows.get("PyTorch int8", {})
        lines += ["", f"**{ARCH_TITLE.get(arch, arch)}**", ""]
        head = ["model"]
        for t, b in settings:
            head += [f"{t} thread{'s' if t > 1 else ''}, batch {b}: ms/image", "vs int8"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|---|" + "---:|" * (len(head) - 1))
        for row in sorted(rows, key=row_order):
            cols = [row]
            for s in settings:
                v = rows[row].get(s)
                if not v:
                    cols += ["-", "-"]
                    continue
                med = statistics.median(v)
                p = statistics.median(peer[s]) if peer.get(s) else None
                cols += [fmt_ms(med), f"{med / p:.2f}" if p else "-"]
            lines.append("| " + " | ".join(cols) + " |")
        if arch in facts["plans"]:
            wino = [f"{n}={v}" for n, v in facts["plans"][arch].items() if v in WINOGRAD]
            lines += ["", f"`winoq plan` ({arch.upper()}_PLAN): Winograd layers "
                      + (", ".join(wino) if wino else "none") + ", the other convolutions direct."]
        fl = facts["float"].get(arch, {})
        if fl:
            row = min(fl, key=row_order)
            parts = []
            for s in settings:
                if fl[row].get(s):
                    f_ms = statistics.median(x[0] for x in fl[row][s])
                    tot = statistics.median(x[1] for x in fl[row][s])
                    parts.append(f"{s[0]} thread{'s' if s[0] > 1 else ''}, batch {s[1]}: {fmt_ms(f_ms)} of {fmt_ms(tot)}")
            lines += ["", f"Of `{row}`, the layers winoq runs in float ({', '.join(fl[row]['names'])}, not on the "
                      "int8 kernels) take, in ms per image: " + "; ".join(parts) +
                      " (medians of that layer's and of the total time)."]
        cos = ((tor.get("models") or {}).get(arch) or {}).get("int8_vs_fp32_cosine")
        if cos is not None:
            lines += ["", f"PyTorch int8 vs FP32 logits (centered cosine over a random batch): {cos:.4f}."]
    impl_lines = []
    for arch, arch_meta in sorted((tor.get("models") or {}).items(), reverse=True):
        parts = []
        for engine, per_batch in (arch_meta.get("onednn_conv_impls") or {}).items():
            text = {b: ", ".join(sorted(v)) or "none (PyTorch's own convolution)" for b, v in per_batch.items()}
            if len(set(text.values())) == 1:
                parts.append(f"{engine} {next(iter(text.values()))}")
            else:
                parts.append(f"{engine} " + ", ".join(f"batch {b} {t}" for b, t in sorted(text.items(),
                                                                                           key=lambda x: int(x[0]))))
        if parts:
            impl_lines.append(f"{arch}: " + "; ".join(parts))
    if impl_lines:
        lines += ["", "oneDNN convolution implementations PyTorch ran (oneDNN verbose mode, one pass per model, "
                  "engine and batch): " + ". ".join(impl_lines) + "."]
    return "\n".join(lines) + "\n", {"cpu": cpu, "started": args.started, "ended": ended,
                                     "load_start": args.load_start, "load_end": load_end, "command": args.command}


def put_in_doc(doc_path, table):
    try:
        with open(doc_path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text and text.index(BEGIN) < text.index(END):
        a, b = text.index(BEGIN), text.index(END) + len(END)
        text = text[:a] + block + text[b:]
    else:
        section = f"{HEADING}\n\n{block}\n\n"
        m = re.search(r"^## ", text, re.M)  # before the first section: near the top
        text = text[:m.start()] + section + text[m.start():] if m else text.rstrip("\n") + "\n\n" + section
    tmp = doc_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, doc_path)


def main(argv):
    p = argparse.ArgumentParser(description="Tables of scripts/network-bench.sh (see the module docstring).")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check-plan", help="check that an exported model (winoq info --json) follows a plan")
    c.add_argument("info")
    c.add_argument("plan")
    t = sub.add_parser("table", help="write the markdown table of one run")
    t.add_argument("--dir", required=True, help="folder with the run's winoq-*.json and torch-*.json")
    t.add_argument("--doc", help="markdown file to update between the marker lines")
    t.add_argument("--command", default="", help="the command line of the run, for the record")
    t.add_argument("--started", default="", help="start time of the run")
    t.add_argument("--load-start", default="", help="/proc/loadavg at the start of the run")
    t.add_argument("--ended", default="", help="end time of the measurements")
    t.add_argument("--load-end", default="", help="/proc/loadavg at the end of the measurements")
    a = p.parse_args(argv)
    if a.cmd == "check-plan":
        return check_plan(a.info, a.plan)
    cells, facts = collect(a.dir)
    table, meta = make_table(cells, facts, a)
    with open(os.path.join(a.dir, "table.md"), "w") as f:
        f.write(table)
    with open(os.path.join(a.dir, "run.json"), "w") as f:
        json.dump(meta, f, indent=2)
    if a.doc:
        put_in_doc(a.doc, table)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
