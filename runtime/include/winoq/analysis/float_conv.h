// The float (double) direct convolution every error measurement compares against, and the
// float <-> int8 activation helpers around it. NHWC activations, PyTorch-ordered weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "winoq/numerics/conv_params.h"

namespace winoq {

// A float convolution layer (BatchNorm already folded in): 3x3 (or 1x1), padding kernel/2.
struct FloatConvLayer {
    std::string name;
    int C = 0, K = 0, kernel = 3, stride = 1;
    std::vector<float> weights;  // [K][C][kernel][kernel]
    std::vector<float> bias;     // K values, or empty: none
    ConvShape shape(int N, int H, int W) const { return {N, C, H, W, K, kernel, stride, kernel / 2}; }
    const float* bias_or_null() const { return bias.empty() ? nullptr : bias.data(); }
};

// y = conv(x, w) + bias in double, for any kernel / stride / pad of `s`.
// x: NHWC (s.in_size()), w: [K][C][kh][kw], bias: K values or nullptr. Returns NHWC.
std::vector<double> float_conv(const ConvShape& s, const double* x, const float* w, const float* bias);

// int8 quantization of activations with the shared rounding rule (quantize_float) and back.
std::vector<int8_t> quantize_activations(const std::vector<double>& x, double scale);
std::vector<double> dequantize(const std::vector<int8_t>& q, double scale);

// ||a - b|| / ||b|| (relative RMS error of a against the reference b).
double relative_rms_error(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace winoq
