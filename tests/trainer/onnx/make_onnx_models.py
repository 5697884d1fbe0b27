#!/usr/bin/env python3
"""Writes the ONNX models the import tests read (tests/trainer/onnx_import_test.cpp), with random
weights, and each model's outputs on a random input as the reference.

    make_onnx_models.py OUT_DIR [--only NAME ...]

For each model NAME: NAME.onnx, NAME.input.f32 and NAME.output.f32 (float32, C order; the input
is 2 x C x H x W, the output 2 x classes). Also bad_*.onnx files that the importer must refuse.
Needs Debian's python3-torch, python3-torchvision and python3-onnx; exits 77 (CTest's skip)
without them. vgg16 (the full torchvision VGG-16, 0.55 GB) is written only when named with
--only: it is for MAC counts (docs/results.md), not for the tests.
"""
import os
import sys

try:
    import numpy as np
    import onnx
    import torch
    import torch.nn as nn
    import torchvision
except ImportError as e:  # pragma: no cover
    print(f"make_onnx_models: skipped, {e}")
    sys.exit(77)


class CustomCNN(nn.Module):
    """Every op the importer knows, in a small CIFAR-sized network."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.down = nn.Conv2d(16, 24, 5, stride=2, padding=2)
        self.dw = nn.Conv2d(24, 24, 3, padding=1, groups=24, bias=False)
        self.bn_dw = nn.BatchNorm2d(24)
        self.pw = nn.Conv2d(24, 24, 1)
        self.branch = nn.Conv2d(24, 8, (1, 3), padding=(0, 1))
        self.bn_sum = nn.BatchNorm2d(32)  # after a Concat: not foldable into a conv
        self.mid = nn.Conv2d(32, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.avg = nn.AvgPool2d(2, stride=2)
        self.fc1 = nn.Linear(32 * 4 * 4, 40)
        self.w2 = nn.Parameter(torch.randn(40, 10) * 0.1)  # x @ w2 + b2: MatMul and Add
        self.b2 = nn.Parameter(torch.randn(10) * 0.1)

    def forward(self, x):
        x = torch.relu(self.bn1(self.stem(x)))
        x = torch.clamp(self.down(x), 0.0, 6.0)  # ReLU6: Clip
        x = x + self.pw(torch.relu(self.bn_dw(self.dw(x))))  # residual Add
        x = torch.cat([x, self.branch(x)], dim=1)
        x = torch.relu(self.bn_sum(x))
        x = torch.relu(self.mid(x))
        x = self.avg(self.pool(x))  # 16 -> 8 -> 4
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return x @ self.w2 + self.b2


class Sigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        return self.fc(torch.flatten(torch.mean(torch.sigmoid(self.conv(x)), (2, 3), keepdim=True), 1))


class Dilated(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=2, dilation=2)
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.conv(x), 1), 1))


def randomize_batchnorm(model, gen):
    # Non-trivial running statistics, so that folding them is tested.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def small_vgg11_bn():
    # torchvision's VGG-11-BN features at 224 with a smaller classifier: the full one is
    # 123M parameters (0.5 GB of ONNX) of Linear layers, which test nothing the small one misses.
    m = torchvision.models.vgg11_bn()
    m.classifier = nn.Sequential(nn.Linear(512 * 7 * 7, 64), nn.ReLU(True), nn.Dropout(), nn.Linear(64, 1000))
    return m


MODELS = {
    "custom_cnn": (CustomCNN, 32),
    "resnet18": (lambda: torchvision.models.resnet18(), 224),
    "vgg11_bn": (small_vgg11_bn, 224),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), 224),
    "bad_sigmoid": (Sigmoid, 16),
    "bad_dilation": (Dilated, 16),
    "vgg16": (lambda: torchvision.models.vgg16(), 224),
}
DEFAULT = ["custom_cnn", "resnet18", "vgg11_bn", "mobilenet_v2", "bad_sigmoid", "bad_dilation"]


def write(name, out_dir):
    make, size = MODELS[name]
    gen = torch.Generator().manual_seed(7)
    torch.manual_seed(7)
    model = make()
    randomize_batchnorm(model, gen)
    model.eval()
    x = torch.randn(2, 3, size, size, generator=gen)
    path = os.path.join(out_dir, name + ".onnx")
    with torch.no_grad():
        y = model(x)
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    m = onnx.load(path)
    onnx.checker.check_model(m)
    for key, value in (("mean", "0.5,0.5,0.5"), ("std", "0.25,0.25,0.25")):
        p = m.metadata_props.add()
        p.key, p.value = key, value
    onnx.save(m, path)
    x.numpy().astype(np.float32).tofile(os.path.join(out_dir, name + ".input.f32"))
    y.numpy().astype(np.float32).tofile(os.path.join(out_dir, name + ".output.f32"))
    print(f"make_onnx_models: {path} ({os.path.getsize(path)} bytes), output {tuple(y.shape)}")


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    out_dir, names = args[0], DEFAULT
    if "--only" in args:
        names = args[args.index("--only") + 1:]
    for n in names:
        if n not in MODELS:
            print(f"make_onnx_models: unknown model {n}; known: {', '.join(MODELS)}")
            sys.exit(2)
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for n in names:
        write(n, out_dir)


if __name__ == "__main__":
    main()
