// Numerical error of the int8 variants on one layer: the relative RMS error
// ||y_q - y_float|| / ||y_float|| of the int8 result (scalar reference, dequantized with the
// output scale) against a double direct convolution with the same float weights on the same
// dequantized int8 input. ReLU off. Every scale comes from calibration on a separate
// calibration batch, so each variant is judged on what it can do.
#pragma once

#include <cstdint>
#include <vector>

#include "winoq/analysis/calibration.h"
#include "winoq/analysis/float_conv.h"
#include "winoq/numerics/variant.h"

namespace winoq {

// A layer and its data: float inputs NHWC (n images of H x W x layer.C), one batch to
// calibrate on and another to measure on.
struct LayerData {
    FloatConvLayer layer;
    int H = 0, W = 0;
    int n_calib = 0, n_eval = 0;
    std::vector<double> calib_x, eval_x;
};

struct LayerError {
    Variant variant;
    ClipMethod method;
    ScaleGranularity granularity;
    double rel_rms = 0;
};

// Every (method, variant, granularity) combination; `base` supplies the method parameters
// (percentile, MSE grid). Direct has no taps: both granularities give the same number.
std::vector<LayerError> measure_layer_errors(const LayerData& data, const std::vector<Variant>& variants,
                                             const std::vector<ClipMethod>& methods,
                                             const std::vector<ScaleGranularity>& granularities,
                                             const CalibrationOptions& base = {});
double measure_layer_error(const LayerData& data, Variant v, const CalibrationOptions& o);

// A seeded random layer: He-initialised Gaussian weights (std sqrt(2 / (9 C))), no bias,
// ReLU-like half-normal inputs |N(0, 1)|; calibration and evaluation batches are
// independent draws.
LayerData make_random_layer(int C, int K, int H, int W, int n_calib, int n_eval, uint64_t seed);

}  // namespace winoq
