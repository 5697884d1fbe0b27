// A random but plausible quantized layer for timing: He-initialised float weights, a small
// bias, post-ReLU int8 activations, and integer params for every variant calibrated on that
// data with winoq's own calibration (calibration.h: 99.99th-percentile clipping, per-tap
// Winograd scales). Kernel speed does not depend on the values; the scales only have to be
// realistic enough that the requantizers neither saturate everything nor give zeros.
#pragma once

#include <cstdint>
#include <vector>

#include "winoq/numerics/conv_params.h"

namespace winoq::bench {

struct RandomLayer {
    ConvShape shape;
    std::vector<float> weights;  // [K][C][kh][kw] (PyTorch order)
    std::vector<float> bias;     // [K]
    std::vector<int8_t> input;   // NHWC int8 in [0, 127], about half zeros (like a ReLU output),
                                 // or in [-127, 127] when made with signed_input
    double x_scale = 1.0 / 127;  // float value of one input step
    std::vector<double> x;       // the input as floats (input * x_scale)
    std::vector<double> y;       // the float layer output on x (bias included, before ReLU)
};

// Any shape direct supports (3x3 or 1x1, stride 1 or 2); Winograd params need 3x3 stride 1.
RandomLayer make_random_layer(const ConvShape& s, uint32_t seed, bool signed_input = false);

// ReLU fused, no residual.
DirectConvParams direct_params(const RandomLayer& layer);
WinogradConvParams winograd_params(Variant v, const RandomLayer& layer);

}  // namespace winoq::bench
