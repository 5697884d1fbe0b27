#include "winoq/analysis/calibration.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>

#include "winoq/analysis/float_conv.h"
#include "winoq/numerics/input_tile.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace winoq {

const char* clip_method_name(ClipMethod m) { return name_of(kClipMethodNames, m); }
std::optional<ClipMethod> parse_clip_method(std::string_view s) { return parse_name(kClipMethodNames, s); }

const char* granularity_name(ScaleGranularity g) { return name_of(kGranularityNames, g); }
std::optional<ScaleGranularity> parse_granularity(std::string_view s) { return parse_name(kGranularityNames, s); }

double clip_max(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::fabs(x));
    return m;
}

double clip_percentile(const std::vector<double>& v, double percent) {
    if (!(percent > 0 && percent <= 100)) throw std::invalid_argument("winoq: percentile must be in (0, 100]");
    if (v.empty()) return 0;
    std::vector<double> a(v.size());
    std::transform(v.begin(), v.end(), a.begin(), [](double x) { return std::fabs(x); });
    // Nearest rank: the smallest value with at least percent% of the values <= it.
    const double rank = std::ceil(percent / 100.0 * double(a.size()) - 1e-9);
    const size_t idx = static_cast<size_t>(std::clamp(rank, 1.0, double(a.size()))) - 1;
    std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(idx), a.end());
    return a[idx];
}

double quantization_mse(const std::vector<double>& v, double alpha) {
    if (v.empty()) return 0;
    if (!(alpha > 0)) {  // everything quantizes to 0
        double s = 0;
        for (double x : v) s += x * x;
        return s / double(v.size());
    }
    const double scale = alpha / kQMax;
    double s = 0;
    for (double x : v) {
        const double e = x - quantize_float(x, scale) * scale;
        s += e * e;
    }
    return s / double(v.size());
}

double clip_mse(const std::vector<double>& v, int grid) {
    if (grid < 2) throw std::invalid_argument("winoq: the MSE grid needs at least 2 candidates");
    if (v.empty()) return 0;
    // Sorted |v| with prefix sums of |v| and v^2: the quantization error of every value in
    // the rounding bin of level j, [(j - 1/2) s, (j + 1/2) s), is sum (|v| - j s)^2, and the
    // last level (j = 127) also takes every clipped value. So one candidate costs 128
    // binary searches instead of a pass over the data, and every value counts.
    std::vector<double> a(v.size());
    std::transform(v.begin(), v.end(), a.begin(), [](double x) { return std::fabs(x); });
    std::sort(a.begin(), a.end());
    const double top = a.back();
    if (top == 0) return 0;
    std::vector<double> p1(a.size() + 1, 0.0), p2(a.size() + 1, 0.0);
    for (size_t i = 0; i < a.size(); ++i) {
        p1[i + 1] = p1[i] + a[i];
        p2[i + 1] = p2[i] + a[i] * a[i];
    }
    auto mse = [&](double alpha) {
        const double s = alpha / kQMax;
        double total = 0;
        size_t lo = 0;
        for (int j = 0; j <= kQMax && lo < a.size(); ++j) {
            const size_t hi =
                j == kQMax ? a.size() : size_t(std::lower_bound(a.begin() + lo, a.end(), (j + 0.5) * s) - a.begin());
            const double js = j * s, cnt = double(hi - lo);
            total += (p2[hi] - p2[lo]) - 2 * js * (p1[hi] - p1[lo]) + cnt * js * js;
            lo = hi;
        }
        return total;
    };
    // Coarse log-spaced candidates top * 2^(-12 i / (grid - 1)) over a 4096x range (the best
    // clip of a Winograd-domain tensor can sit far below its maximum), then the same number
    // of candidates between the best one's neighbours.
    const double step = std::exp2(12.0 / (grid - 1));
    double best_alpha = top, best = mse(top);
    auto consider = [&](double alpha) {
        const double e = mse(alpha);
        if (e < best) {
            best = e;
            best_alpha = alpha;
        }
    };
    for (int i = 1; i < grid; ++i) consider(top * std::exp2(-12.0 * i / (grid - 1)));
    const double lo = best_alpha / step, hi = std::min(top, best_alpha * step);
    for (int i = 1; i < grid; ++i) consider(lo * std::pow(hi / lo, double(i) / grid));
    return best_alpha;
}

double choose_clip(const std::vector<double>& v, const CalibrationOptions& o) {
    switch (o.method) {
        case ClipMethod::kMax: return clip_max(v);
        case ClipMethod::kPercentile: return clip_percentile(v, o.percentile);
        case ClipMethod::kMse: return clip_mse(v, o.mse_grid);
    }
    return 0;
}

namespace {

// A clipping factor of 0 (every observed value 0) cannot be a scale: fall back to `other`,
// then to 1 (any scale represents zeros exactly).
double scale_from_clip(double alpha, double other = 0) {
    if (alpha > 0) return alpha / kQMax;
    if (other > 0) return other / kQMax;
    return 1.0;
}

// Planes sharing one clipping factor get the same key: (tap or -1 for per tensor, kind).
// Kind 0 holds the plain parts (real, re, im), kind 1 the Gauss operands of cf43.
int act_kind(ActPart p) { return p == ActPart::kReIm ? 1 : 0; }
int weight_kind(WeightPart p) { return p == WeightPart::kImMinusRe || p == WeightPart::kRePlusIm ? 1 : 0; }

std::vector<double> group_scales(const std::vector<std::vector<double>>& planes,
                                 const std::vector<std::pair<int, int>>& keys, const CalibrationOptions& o) {
    std::map<std::pair<int, int>, std::vector<double>> groups;
    for (size_t i = 0; i < planes.size(); ++i) {
        std::vector<double>& g = groups[keys[i]];
        g.insert(g.end(), planes[i].begin(), planes[i].end());
    }
    std::map<std::pair<int, int>, double> alpha;
    double largest = 0;
    for (const auto& [key, vals] : groups) {
        alpha[key] = choose_clip(vals, o);
        largest = std::max(largest, alpha[key]);
    }
    std::vector<double> scales;
    for (const auto& key : keys) scales.push_back(scale_from_clip(alpha[key], largest));
    return scales;
}

std::vector<double> dequantized(const std::vector<double>& x, double x_scale) {
    return dequantize(quantize_activations(x, x_scale), x_scale);
}

void check_input(const ConvShape& s, const std::vector<double>& x) {
    if (x.size() != s.in_size()) throw std::invalid_argument("winoq: calibration input does not match the layer shape");
}

}  // namespace

WinogradStageValues winograd_stage_values(Variant v, const ConvShape& s, const float* weights, const double* x) {
    validate_shape(v, s);
    const WinogradMatrices& wm = winograd_matrices(v);
    const PlaneLayout& L = plane_layout(v);
    const int n = wm.n, m = wm.m, nn = n * n, C = s.C, K = s.K;
    const int th = (s.H + m - 1) / m, tw = (s.W + m - 1) / m;
    WinogradStageValues out;
    out.variant = v;
    out.K = K;
    out.act.resize(L.act.size());
    out.w.resize(L.prod.size());
    out.m.resize(L.out.size());

    // Transformed filters, kept per tap as [k][c] for the products.
    std::vector<std::vector<ComplexD>> U(size_t(nn), std::vector<ComplexD>(size_t(K) * C));
    for (int k = 0; k < K; ++k)
        for (int c = 0; c < C; ++c) {
            const std::vector<ComplexD> u = filter_transform(v, weights + (size_t(k) * C + c) * 9);
            for (int t = 0; t < nn; ++t) U[t][size_t(k) * C + c] = u[t];
            for (size_t q = 0; q < L.prod.size(); ++q) out.w[q].push_back(filter_part_value(v, int(q), u));
        }

    std::vector<double> d(nn);
    std::vector<ComplexD> V(size_t(nn) * C);  // [tap][c] of the current tile
    for (int b = 0; b < s.N; ++b)
        for (int ty = 0; ty < th; ++ty)
            for (int tx = 0; tx < tw; ++tx) {
                for (int c = 0; c < C; ++c) {
                    gather_input_tile(x, s, b, ty, tx, c, m, n, d.data());
                    const std::vector<Complex<double>> vt = input_transform<double>(wm, d, 0.0);
                    const std::vector<double> planes = act_plane_values(L, vt);
                    for (size_t a = 0; a < planes.size(); ++a) out.act[a].push_back(planes[a]);
                    for (int t = 0; t < nn; ++t) V[size_t(t) * C + c] = {vt[t].re, vt[t].im};
                }
                // M = sum_c U V per output plane, exact complex products in double.
                for (size_t o = 0; o < L.out.size(); ++o) {
                    const OutPlane& op = L.out[o];
                    const ComplexD* vt = &V[size_t(op.tap) * C];
                    for (int k = 0; k < K; ++k) {
                        const ComplexD* ut = &U[op.tap][size_t(k) * C];
                        double acc = 0;
                        if (op.part == ActPart::kIm)
                            for (int c = 0; c < C; ++c) acc += ut[c].re * vt[c].im + ut[c].im * vt[c].re;
                        else
                            for (int c = 0; c < C; ++c) acc += ut[c].re * vt[c].re - ut[c].im * vt[c].im;
                        out.m[o].push_back(acc);
                    }
                }
            }
    return out;
}

WinogradScales winograd_scales_from_values(const WinogradStageValues& values, const std::vector<double>& y,
                                           double x_scale, const CalibrationOptions& o) {
    const PlaneLayout& L = plane_layout(values.variant);
    const bool per_tap = o.granularity == ScaleGranularity::kPerTap;
    std::vector<std::pair<int, int>> act_keys, w_keys;
    for (const ActPlane& p : L.act) act_keys.push_back({per_tap ? p.tap : -1, act_kind(p.part)});
    for (const ProdPlane& p : L.prod) w_keys.push_back({per_tap ? p.tap : -1, weight_kind(p.weight)});

    WinogradScales sc;
    sc.x = x_scale;
    sc.act = group_scales(values.act, act_keys, o);
    if (o.per_channel_u) {
        // Planes (q, k) = product plane q's filter parts of output channel k; keys (group of q, k).
        std::map<std::pair<int, int>, int> group_of;
        std::vector<std::vector<double>> planes;
        std::vector<std::pair<int, int>> keys;
        for (size_t q = 0; q < L.prod.size(); ++q) {
            const int g = group_of.emplace(w_keys[q], int(group_of.size())).first->second;
            const size_t C = values.w[q].size() / size_t(values.K);
            for (int k = 0; k < values.K; ++k) {
                planes.emplace_back(values.w[q].begin() + std::ptrdiff_t(size_t(k) * C),
                                    values.w[q].begin() + std::ptrdiff_t(size_t(k + 1) * C));
                keys.push_back({g, k});
            }
        }
        sc.w = group_scales(planes, keys, o);
        sc.w_per_channel = true;
    } else {
        sc.w = group_scales(values.w, w_keys, o);
    }
    std::vector<double> all_m;
    for (const auto& p : values.m) all_m.insert(all_m.end(), p.begin(), p.end());
    sc.m = scale_from_clip(choose_clip(all_m, o));
    if (per_tap) {
        // One clip per tap (re and im share it); quantize_winograd_conv puts them on the
        // tensor scale's power-of-two grid so the output transform stays exact.
        std::vector<std::pair<int, int>> m_keys;
        for (const OutPlane& p : L.out) m_keys.push_back({p.tap, 0});
        sc.m_plane = group_scales(values.m, m_keys, o);
    }
    sc.out.y = scale_from_clip(choose_clip(y, o));
    return sc;
}

double calibrate_activation_scale(const std::vector<double>& x, const CalibrationOptions& o) {
    return scale_from_clip(choose_clip(x, o));
}

WinogradScales calibrate_winograd_conv(Variant v, const ConvShape& s, const float* weights, const float* bias,
                                       const std::vector<double>& x, double x_scale, const CalibrationOptions& o) {
    check_input(s, x);
    const std::vector<double> xq = dequantized(x, x_scale);
    return winograd_scales_from_values(winograd_stage_values(v, s, weights, xq.data()),
                                       float_conv(s, xq.data(), weights, bias), x_scale, o);
}

DirectConvScales calibrate_direct_conv(const ConvShape& s, const float* weights, const float* bias,
                                       const std::vector<double>& x, double x_scale, const CalibrationOptions& o) {
    check_input(s, x);
    validate_shape(Variant::kDirect, s);
    const std::vector<double> xq = dequantized(x, x_scale);
    const std::vector<double> w(weights, weights + size_t(s.K) * s.C * s.kernel * s.kernel);
    return direct_scales_from_values(w, s.K, float_conv(s, xq.data(), weights, bias), x_scale, o);
}

DirectConvScales direct_scales_from_values(const std::vector<double>& weights, int K, const std::vector<double>& y,
                                           double x_scale, const CalibrationOptions& o) {
    DirectConvScales sc;
    sc.x = x_scale;
    sc.w.assign(K, scale_from_clip(choose_clip(weights, o)));
    sc.out.y = scale_from_clip(choose_clip(y, o));
    return sc;
}

}  // namespace winoq
