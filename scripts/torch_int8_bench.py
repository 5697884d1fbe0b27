#!/usr/bin/python3
"""Whole-network latency of PyTorch FP32 and PyTorch int8 (FX post-training quantization on
the oneDNN quantized engine): the peer rows of scripts/network-bench.sh.

Models: torchvision's ResNet-18 (random weights, 1000 classes, 224x224) and a CIFAR ResNet-20
(He et al. 2016, option A shortcuts, 32x32, 10 classes), the same shapes as winoq's exports.
Engines: fp32, int8 (the converted FX GraphModule as it is), and optionally the same traced
and frozen by TorchScript (fp32-jit, int8-jit). For every (model, engine, threads, batch) the
median wall time of one forward call is reported, per run and per image. The repetitions of all configurations are interleaved
(shuffled order in every round), so load from other jobs on a shared machine hits all alike.

Run with Debian's interpreter (python3-torch, python3-torchvision):
    /usr/bin/python3 scripts/torch_int8_bench.py --threads 1 2 --batch 1 16 --json
"""
import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time

MODELS = ("resnet20", "resnet18")
ENGINES = ("fp32", "int8", "fp32-jit", "int8-jit")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Median whole-network latency of PyTorch FP32 and PyTorch int8 (FX post-training "
        "quantization, oneDNN engine) for ResNet-20 (CIFAR, 32x32) and ResNet-18 (ImageNet, 224x224), "
        "random weights. Repetitions of all configurations are interleaved.")
    p.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS), help="models (default: both)")
    p.add_argument("--engines", nargs="+", choices=ENGINES, default=["fp32", "int8"],
                   help="fp32: eval model, BatchNorm folded; int8: FX PTQ on the onednn engine (the converted "
                   "GraphModule, run eagerly); *-jit: the same traced and frozen with TorchScript (default: fp32 int8)")
    p.add_argument("--threads", nargs="+", type=int, default=[1, 2], help="torch.set_num_threads values (default: 1 2)")
    p.add_argument("--batch", nargs="+", type=int, default=[1, 16], help="batch sizes (default: 1 16)")
    p.add_argument("--repeats", type=int, default=10, help="timed runs per configuration; the median is reported (default: 10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs per configuration before the first round (default: 3)")
    p.add_argument("--rewarm", type=int, default=1,
                   help="untimed runs right before each timed run, so that every timed run follows a run of its "
                   "own configuration (warm caches, thread count already set) as in back-to-back timing (default: 1)")
    p.add_argument("--calib-batches", type=int, default=4, help="random calibration batches for int8 (default: 4)")
    p.add_argument("--calib-size", type=int, default=8, help="images per calibration batch (default: 8)")
    p.add_argument("--seed", type=int, default=1, help="seed of weights, inputs and the interleaving order (default: 1)")
    p.add_argument("--float-shortcut", action="store_true",
                   help="int8 ResNet-20: keep FX's float option-A shortcuts (dequantize, slice, pad, quantize)")
    p.add_argument("--no-impls", action="store_true", help="do not record the oneDNN convolution implementations")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout (progress goes to stderr)")
    a = p.parse_args(argv)
    for name in ("threads", "batch"):
        if any(v < 1 for v in getattr(a, name)):
            p.error(f"--{name} values must be >= 1")
    if a.repeats < 1 or a.warmup < 0 or a.rewarm < 0 or a.calib_batches < 1 or a.calib_size < 1:
        p.error("--repeats and --calib-* must be >= 1, --warmup and --rewarm >= 0")
    return a


if __name__ == "__main__":
    ARGS = parse_args(sys.argv[1:])  # before importing torch: --help works with any python3

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the usual cause: a python3 other than Debian's
    sys.exit(f"torch_int8_bench.py: error: {e} (run it with /usr/bin/python3; Debian: apt-get install "
             "python3-torch python3-torchvision)")


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        self.stride = stride
        self.pad = (cout - cin) // 2  # option A: zero channels on both sides

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x
        if self.stride != 1 or self.pad:
            # Option A: subsample, then append zero channels on both sides.
            sc = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad, self.pad))
        return self.relu2(out + sc)


class ResNet20(nn.Module):
    """CIFAR ResNet-20: 3x3 stem of 16 channels, 3 stages of 3 basic blocks (16/32/64)."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        blocks, cin = [], 16
        for stage, cout in enumerate((16, 32, 64)):
            for b in range(3):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and b == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.layers(self.relu(self.bn1(self.conv1(x))))
        return self.linear(torch.flatten(self.pool(x), 1))


def build_fp32(name):
    if name == "resnet20":
        return ResNet20(10).eval(), 32
    import torchvision
    return torchvision.models.resnet18(weights=None, num_classes=1000).eval(), 224


def randomize_bn(model, gen):
    # Fresh BatchNorm layers are identities; random statistics make the folded weights and the
    # activation ranges look like a trained network's (latency does not depend on the values).
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.1 * torch.randn(m.num_features, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.weight.copy_(0.5 + 0.5 * torch.rand(m.num_features, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.num_features, generator=gen))


def quantize_int8(model, size, calib_batches, calib_size, gen):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = "onednn"
    qmap = get_default_qconfig_mapping("onednn")
    example = (torch.randn(1, 3, size, size, generator=gen),)
    prepared = prepare_fx(model, qmap, example)  # folds BatchNorm, fuses conv+relu and add+relu
    with torch.inference_mode():
        for _ in range(calib_batches):
            prepared(torch.randn(calib_size, 3, size, size, generator=gen))
    return convert_fx(prepared).eval()


def int8_shortcuts(gm):
    """Runs the option-A shortcuts on the int8 tensors themselves.

    FX (1.13) has no quantized pattern for a strided slice or F.pad, so convert_fx leaves
    dequantize -> slice -> pad -> quantize_per_tensor in float, a visible share of ResNet-20's int8
    time (compare --float-shortcut). Both ops work on quantized tensors (a view, and a pad that
    fills with the zero point, i.e. the real value 0), and quantized add requantizes each input
    from its own scale, so the float round trip is dropped and the shortcut keeps its input's
    scale. Returns how many shortcuts were rewritten."""
    import operator
    g, done = gm.graph, 0
    for pad in list(g.nodes):
        if not (pad.op == "call_function" and pad.target is F.pad):
            continue
        sl = pad.args[0]
        if not (sl.op == "call_function" and sl.target is operator.getitem):
            continue
        dq = sl.args[0]
        users = list(pad.users)
        if not (dq.op == "call_method" and dq.target == "dequantize" and len(users) == 1 and
                users[0].target is torch.quantize_per_tensor):
            continue
        sl.args = (dq.args[0],) + tuple(sl.args[1:])
        users[0].replace_all_uses_with(pad)
        g.erase_node(users[0])
        done += 1
    g.eliminate_dead_code()
    g.lint()
    gm.recompile()
    return done


def frozen(model, x, fp32):
    """TorchScript deployment form: trace, freeze (weights as constants, graph fused); FP32 also
    gets optimize_for_inference (oneDNN layouts). Traced per batch size, warmed up here because
    the profiling executor optimizes on the first calls."""
    with torch.inference_mode():
        t = torch.jit.freeze(torch.jit.trace(model, x).eval())
        if fp32:
            t = torch.jit.optimize_for_inference(t)
        for _ in range(3):
            t(x)
    return t


def fold_bn(model):
    # FP32 gets the same BatchNorm folding that int8 gets from prepare_fx.
    import torch.fx.experimental.optimization as fx_opt
    return fx_opt.fuse(model).eval()


@contextlib.contextmanager
def captured_fd1(path):
    # oneDNN's verbose lines go to the C stdout, not through sys.stdout.
    sys.stdout.flush()
    saved = os.dup(1)
    with open(path, "w") as f:
        os.dup2(f.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


ONEDNN_ISA = {}  # oneDNN prints its ISA once per process, with the first verbose output


def onednn_impls(model, x):
    """oneDNN convolution implementations one forward call executes, e.g. brgconv:avx512_core_vnni."""
    impls = {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "verbose.txt")
        try:
            with captured_fd1(path):
                torch._C._verbose.mkldnn_set_verbose(1)
                with torch.inference_mode():
                    model(x)
                torch._C._verbose.mkldnn_set_verbose(0)
        except (AttributeError, RuntimeError):
            return {}
        with open(path) as f:
            for line in f:
                p = line.strip().split(",")
                if len(p) > 3 and p[1] == "info" and p[2] == "cpu" and p[3].startswith("isa:"):
                    ONEDNN_ISA["isa"] = p[3][4:]
                # onednn_verbose,exec,cpu,<primitive>,<implementation>,...
                if len(p) > 4 and p[0] in ("onednn_verbose", "dnnl_verbose") and p[1] == "exec" and p[3] == "convolution":
                    impls[p[4]] = impls.get(p[4], 0) + 1
    return impls


def centered_cosine(a, b):
    # Per-class mean over the batch removed: random networks give nearly the same logits for
    # every image, which a plain cosine would hide.
    a, b = (a - a.mean(0)).flatten().double(), (b - b.mean(0)).flatten().double()
    return float(torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-300))


def torch_info():
    info = {"torch": torch.__version__, "python": platform.python_version(), "quantized_engine": "onednn"}
    try:
        import torchvision
        info["torchvision"] = torchvision.__version__
    except ImportError:
        pass
    for line in torch.__config__.show().splitlines():
        line = line.strip()
        if "MKL-DNN v" in line or "oneDNN v" in line:
            info["onednn"] = line.split(" v", 1)[1].split()[0]
        if line.startswith("- CPU capability usage:"):
            info["aten_cpu_capability"] = line.split(":", 1)[1].strip()
    return info


def main(a):
    log = lambda msg: print(f"torch_int8_bench: {msg}", file=sys.stderr, flush=True)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    torch.backends.quantized.engine = "onednn"
    threads, batches = sorted(set(a.threads)), sorted(set(a.batch))
    torch.set_num_threads(max(threads))

    nets, meta, inputs = {}, {}, {}
    for name in a.models:
        t0 = time.perf_counter()
        fp32, size = build_fp32(name)
        for b in batches:
            inputs[(name, b)] = torch.randn(b, 3, size, size, generator=gen)
        randomize_bn(fp32, gen)
        m = {"image_size": size, "classes": 10 if name == "resnet20" else 1000,
             "parameters": sum(p.numel() for p in fp32.parameters())}
        check = torch.randn(8, 3, size, size, generator=gen)
        with torch.inference_mode():
            ref = fp32(check)
        eager = {}
        if {"fp32", "fp32-jit"} & set(a.engines):
            eager["fp32"] = fold_bn(fp32)
        if {"int8", "int8-jit"} & set(a.engines):
            q = quantize_int8(fp32, size, a.calib_batches, a.calib_size, gen)
            m["int8_shortcuts"] = 0 if a.float_shortcut else int8_shortcuts(q)
            with torch.inference_mode():
                m["int8_vs_fp32_cosine"] = centered_cosine(q(check), ref)  # sanity of the quantized graph
            eager["int8"] = q
        for e in a.engines:
            for b in batches:
                base = eager[e.split("-")[0]]
                nets[(name, e, b)] = frozen(base, inputs[(name, b)], e == "fp32-jit") if e.endswith("-jit") else base
        if "int8-jit" in a.engines:
            with torch.inference_mode():
                m["int8_jit_vs_int8_max_abs_diff"] = float(
                    (nets[(name, "int8-jit", batches[0])](check[:batches[0]]) - eager["int8"](check[:batches[0]]))
                    .abs().max())
        if not a.no_impls:  # per engine and batch: PyTorch picks oneDNN or its own conv by shape
            m["onednn_conv_impls"] = {e: {str(b): onednn_impls(nets[(name, e, b)], inputs[(name, b)])
                                          for b in batches} for e in a.engines}
        meta[name] = m
        log(f"{name}: built in {time.perf_counter() - t0:.1f} s" +
            (f", int8 vs fp32 logits cosine (centered) {m['int8_vs_fp32_cosine']:.4f}" if "int8_vs_fp32_cosine" in m else ""))

    configs = [(n, e, t, b) for n in a.models for e in a.engines for t in threads for b in batches]
    runs = {c: [] for c in configs}
    with torch.inference_mode():
        for c in configs:
            torch.set_num_threads(c[2])
            for _ in range(a.warmup):
                nets[(c[0], c[1], c[3])](inputs[(c[0], c[3])])
        order = random.Random(a.seed)
        t_start = time.perf_counter()
        for r in range(a.repeats):
            round_configs = configs[:]
            order.shuffle(round_configs)
            for c in round_configs:
                net, x = nets[(c[0], c[1], c[3])], inputs[(c[0], c[3])]
                torch.set_num_threads(c[2])
                for _ in range(a.rewarm):
                    net(x)
                t0 = time.perf_counter()
                net(x)
                runs[c].append(1e3 * (time.perf_counter() - t0))
            log(f"round {r + 1}/{a.repeats} done ({time.perf_counter() - t_start:.1f} s)")

    results = []
    for c in configs:
        v = runs[c]
        med = statistics.median(v)
        results.append({"model": c[0], "engine": c[1], "threads": c[2], "batch": c[3], "median_ms": med,
                        "ms_per_image": med / c[3], "min_ms": min(v), "max_ms": max(v), "runs_ms": v})

    if a.json:
        doc = dict(torch_info())
        if ONEDNN_ISA:
            doc["onednn_isa"] = ONEDNN_ISA["isa"]
        doc.update({"repeats": a.repeats, "warmup": a.warmup, "rewarm": a.rewarm, "calib_batches": a.calib_batches,
                    "calib_size": a.calib_size, "seed": a.seed, "cpus": os.cpu_count(),
                    "timing": "median wall time of one forward call under torch.inference_mode; rounds of all "
                              "configurations in shuffled order",
                    "models": meta, "results": results})
        print(json.dumps(doc, indent=2))
        return 0
    info = torch_info()
    print(f"torch {info['torch']}, oneDNN {info.get('onednn', '?')}, quantized engine onednn; median of "
          f"{a.repeats} interleaved runs after {a.warmup} warm-up run{'' if a.warmup == 1 else 's'}")
    print(f"{'model':<10} {'engine':<8} {'threads':>7} {'batch':>5} {'median ms':>10} {'ms/image':>10}")
    for r in results:
        print(f"{r['model']:<10} {r['engine']:<8} {r['threads']:>7} {r['batch']:>5} {r['median_ms']:>10.3f} "
              f"{r['ms_per_image']:>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
