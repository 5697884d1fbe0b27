#include "winoq/analysis/random_layer.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "winoq/analysis/calibration.h"
#include "winoq/analysis/float_conv.h"

namespace winoq::bench {
namespace {

CalibrationOptions calibration_options() {
    CalibrationOptions o;
    o.method = ClipMethod::kPercentile;  // a little clipping, as trained clipping factors do
    o.percentile = 99.99;
    o.granularity = ScaleGranularity::kPerTap;
    return o;
}

}  // namespace

RandomLayer make_random_layer(const ConvShape& s, uint32_t seed, bool signed_input) {
    std::mt19937 rng(seed);
    RandomLayer L;
    L.shape = s;
    const int taps = s.kernel * s.kernel;
    std::normal_distribution<float> he(0.0f, std::sqrt(2.0f / float(taps * s.C)));
    std::normal_distribution<float> small(0.0f, 0.05f);
    std::normal_distribution<double> act(0.0, 40.0);
    L.weights.resize(size_t(s.K) * s.C * taps);
    for (float& w : L.weights) w = he(rng);
    L.bias.resize(s.K);
    for (float& b : L.bias) b = small(rng);
    const double lo = signed_input ? -127.0 : 0.0;
    L.input.resize(s.in_size());
    for (int8_t& q : L.input) q = static_cast<int8_t>(std::clamp(std::nearbyint(act(rng)), lo, 127.0));
    L.x = dequantize(L.input, L.x_scale);
    L.y = float_conv(s, L.x.data(), L.weights.data(), L.bias.data());
    return L;
}

DirectConvParams direct_params(const RandomLayer& L) {
    const std::vector<double> w(L.weights.begin(), L.weights.end());
    DirectConvScales sc = direct_scales_from_values(w, L.shape.K, L.y, L.x_scale, calibration_options());
    sc.out.relu = true;
    return quantize_direct_conv(L.shape, L.weights.data(), L.bias.data(), sc.x, sc.w, sc.out);
}

WinogradConvParams winograd_params(Variant v, const RandomLayer& L) {
    WinogradScales sc = winograd_scales_from_values(winograd_stage_values(v, L.shape, L.weights.data(), L.x.data()),
                                                    L.y, L.x_scale, calibration_options());
    sc.out.relu = true;
    return quantize_winograd_conv(v, L.shape, L.weights.data(), L.bias.data(), sc);
}

}  // namespace winoq::bench
