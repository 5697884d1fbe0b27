#include "winoq/analysis/layer_error.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/reference.h"

namespace winoq {
namespace {

// What does not depend on the variant for one calibration method: the input scale, the
// int8 input of the evaluation batch, and the float outputs.
struct MethodContext {
    double x_scale = 1;
    std::vector<double> calib_xq;         // dequantized int8 calibration input
    std::vector<int8_t> eval_q;           // int8 evaluation input
    std::vector<double> calib_y, eval_y;  // float outputs on the dequantized inputs
};

MethodContext make_context(const LayerData& d, const CalibrationOptions& o) {
    const FloatConvLayer& L = d.layer;
    MethodContext c;
    c.x_scale = calibrate_activation_scale(d.calib_x, o);
    c.calib_xq = dequantize(quantize_activations(d.calib_x, c.x_scale), c.x_scale);
    c.eval_q = quantize_activations(d.eval_x, c.x_scale);
    const std::vector<double> eval_xq = dequantize(c.eval_q, c.x_scale);
    c.calib_y = float_conv(L.shape(d.n_calib, d.H, d.W), c.calib_xq.data(), L.weights.data(), L.bias_or_null());
    c.eval_y = float_conv(L.shape(d.n_eval, d.H, d.W), eval_xq.data(), L.weights.data(), L.bias_or_null());
    return c;
}

double direct_error(const LayerData& d, const MethodContext& c, const CalibrationOptions& o) {
    const FloatConvLayer& L = d.layer;
    const DirectConvScales sc = direct_scales_from_values(std::vector<double>(L.weights.begin(), L.weights.end()), L.K,
                                                          c.calib_y, c.x_scale, o);
    const ConvShape s = L.shape(d.n_eval, d.H, d.W);
    const DirectConvParams p = quantize_direct_conv(s, L.weights.data(), L.bias_or_null(), sc.x, sc.w, sc.out);
    std::vector<int8_t> out(s.out_size());
    reference::direct_conv(p, c.eval_q.data(), nullptr, out.data());
    return relative_rms_error(dequantize(out, sc.out.y), c.eval_y);
}

double winograd_error(const LayerData& d, const MethodContext& c, Variant v, const WinogradStageValues& values,
                      const CalibrationOptions& o) {
    const FloatConvLayer& L = d.layer;
    const WinogradScales sc = winograd_scales_from_values(values, c.calib_y, c.x_scale, o);
    const ConvShape s = L.shape(d.n_eval, d.H, d.W);
    const WinogradConvParams p = quantize_winograd_conv(v, s, L.weights.data(), L.bias_or_null(), sc);
    std::vector<int8_t> out(s.out_size());
    reference::winograd_conv(p, c.eval_q.data(), nullptr, out.data());
    return relative_rms_error(dequantize(out, sc.out.y), c.eval_y);
}

void check(const LayerData& d) {
    const FloatConvLayer& L = d.layer;
    if (L.weights.size() != size_t(L.K) * L.C * L.kernel * L.kernel)
        throw std::invalid_argument("winoq: layer '" + L.name + "': weights do not match its shape");
    if (d.calib_x.size() != L.shape(d.n_calib, d.H, d.W).in_size() ||
        d.eval_x.size() != L.shape(d.n_eval, d.H, d.W).in_size())
        throw std::invalid_argument("winoq: layer '" + L.name + "': input batches do not match its shape");
}

}  // namespace

std::vector<LayerError> measure_layer_errors(const LayerData& d, const std::vector<Variant>& variants,
                                             const std::vector<ClipMethod>& methods,
                                             const std::vector<ScaleGranularity>& granularities,
                                             const CalibrationOptions& base) {
    check(d);
    std::vector<LayerError> out;
    for (ClipMethod method : methods) {
        CalibrationOptions o = base;
        o.method = method;
        const MethodContext c = make_context(d, o);
        for (Variant v : variants) {
            if (!is_winograd(v)) {
                const double e = direct_error(d, c, o);
                for (ScaleGranularity g : granularities) out.push_back({v, method, g, e});
                continue;
            }
            const WinogradStageValues values =
                winograd_stage_values(v, d.layer.shape(d.n_calib, d.H, d.W), d.layer.weights.data(), c.calib_xq.data());
            for (ScaleGranularity g : granularities) {
                o.granularity = g;
                out.push_back({v, method, g, winograd_error(d, c, v, values, o)});
            }
        }
    }
    return out;
}

double measure_layer_error(const LayerData& d, Variant v, const CalibrationOptions& o) {
    return measure_layer_errors(d, {v}, {o.method}, {o.granularity}, o).at(0).rel_rms;
}

LayerData make_random_layer(int C, int K, int H, int W, int n_calib, int n_eval, uint64_t seed) {
    LayerData d;
    d.layer.name = "random";
    d.layer.C = C;
    d.layer.K = K;
    d.H = H;
    d.W = W;
    d.n_calib = n_calib;
    d.n_eval = n_eval;
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const double he = std::sqrt(2.0 / (9.0 * C));
    d.layer.weights.resize(size_t(K) * C * 9);
    for (float& w : d.layer.weights) w = static_cast<float>(he * normal(rng));
    auto half_normal = [&](size_t n) {
        std::vector<double> x(n);
        for (double& v : x) v = std::fabs(normal(rng));
        return x;
    };
    d.calib_x = half_normal(size_t(n_calib) * H * W * C);
    d.eval_x = half_normal(size_t(n_eval) * H * W * C);
    return d;
}

}  // namespace winoq
