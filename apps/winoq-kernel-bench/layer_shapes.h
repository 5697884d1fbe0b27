// The 3x3 stride-1 pad-1 convolution shapes the kernel benchmark times: every distinct one of
// ResNet-20 (CIFAR-10, 32x32 input) and ResNet-18 (ImageNet, 224x224 input), C = K, batch 1.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "winoq/numerics/conv_params.h"

namespace winoq::bench {

struct LayerShape {
    const char* model;  // "r20" (ResNet-20) or "r18" (ResNet-18)
    int channels, height, width;

    // e.g. "r18_64x56x56", used in benchmark names and the docs table
    std::string name() const {
        return std::string(model) + "_" + std::to_string(channels) + "x" + std::to_string(height) + "x" +
               std::to_string(width);
    }

    ConvShape conv() const {
        ConvShape s;
        s.N = 1;
        s.C = s.K = channels;
        s.H = height;
        s.W = width;
        return s;  // kernel 3, stride 1, pad 1 are ConvShape's defaults
    }
};

inline constexpr std::array<LayerShape, 7> kLayerShapes = {{
    {"r20", 16, 32, 32},
    {"r20", 32, 16, 16},
    {"r20", 64, 8, 8},
    {"r18", 64, 56, 56},
    {"r18", 128, 28, 28},
    {"r18", 256, 14, 14},
    {"r18", 512, 7, 7},
}};

// Multiply-accumulates of the direct convolution: the work every variant is credited with.
inline int64_t direct_macs(const ConvShape& s) {
    return int64_t(s.N) * s.K * s.C * s.kernel * s.kernel * s.out_h() * s.out_w();
}

}  // namespace winoq::bench
