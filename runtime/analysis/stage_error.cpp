#include "winoq/analysis/stage_error.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "winoq/analysis/float_conv.h"
#include "winoq/numerics/input_tile.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace winoq {
namespace {

double round_to_grid(double x, double scale) { return quantize_float(x, scale) * scale; }

}  // namespace

std::vector<double> m_plane_scales(const WinogradStageValues& values, const WinogradScales& sc, MScaleMode mode,
                                   const CalibrationOptions& o) {
    const PlaneLayout& L = plane_layout(values.variant);
    std::vector<double> out(L.out.size(), sc.m);
    if (mode == MScaleMode::kPerTensor) return out;
    if (mode == MScaleMode::kPipeline) return m_plane_grid(sc, int(L.out.size())).scale;
    std::map<int, std::vector<double>> by_tap;
    for (size_t p = 0; p < L.out.size(); ++p) {
        std::vector<double>& g = by_tap[L.out[p].tap];
        g.insert(g.end(), values.m[p].begin(), values.m[p].end());
    }
    std::map<int, double> tap_scale;
    for (const auto& [tap, vals] : by_tap) {
        const double alpha = choose_clip(vals, o);
        double s = alpha > 0 ? alpha / kQMax : sc.m;
        tap_scale[tap] = s;
    }
    for (size_t p = 0; p < L.out.size(); ++p) out[p] = tap_scale[L.out[p].tap];
    if (mode == MScaleMode::kPerTapPow2) {  // the grid the integer pipeline would put them on
        WinogradScales grid = sc;
        grid.m_plane = out;
        return m_plane_grid(grid, int(L.out.size())).scale;
    }
    return out;
}

std::vector<double> simulate_winograd(Variant v, const ConvShape& s, const float* weights, const float* bias,
                                      const double* x, const WinogradScales& sc, const std::vector<double>& m_scales,
                                      const StageRounding& r) {
    validate_shape(v, s);
    const WinogradMatrices& wm = winograd_matrices(v);
    const PlaneLayout& L = plane_layout(v);
    const std::vector<bool> real = tap_is_real(L);
    const int n = wm.n, m = wm.m, C = s.C, K = s.K, A = int(L.act.size()), Q = int(L.prod.size());
    const int th = (s.H + m - 1) / m, tw = (s.W + m - 1) / m;

    std::vector<double> wq(size_t(Q) * K * C);  // [q][k][c] filter planes
    for (int k = 0; k < K; ++k)
        for (int c = 0; c < C; ++c) {
            const std::vector<ComplexD> U = filter_transform(v, weights + (size_t(k) * C + c) * 9);
            for (int q = 0; q < Q; ++q) {
                const double u = filter_part_value(v, q, U);
                wq[(size_t(q) * K + k) * C + c] = r.u ? round_to_grid(u, weight_scale(sc, q, k, K)) : u;
            }
        }
    std::vector<double> y(s.out_size());
    std::vector<double> d(n * n), X(size_t(A) * C), acc(Q), planes(L.out.size());
    for (int b = 0; b < s.N; ++b)
        for (int ty = 0; ty < th; ++ty)
            for (int tx = 0; tx < tw; ++tx) {
                for (int c = 0; c < C; ++c) {
                    gather_input_tile(x, s, b, ty, tx, c, m, n, d.data());
                    const std::vector<double> p = act_plane_values(L, input_transform<double>(wm, d, 0.0));
                    for (int a = 0; a < A; ++a) X[size_t(a) * C + c] = r.v ? round_to_grid(p[a], sc.act[a]) : p[a];
                }
                for (int k = 0; k < K; ++k) {
                    for (int q = 0; q < Q; ++q) {
                        const double* xa = &X[size_t(L.prod[q].act) * C];
                        const double* wk = &wq[(size_t(q) * K + k) * C];
                        double sum = 0;
                        for (int c = 0; c < C; ++c) sum += wk[c] * xa[c];
                        acc[q] = sum;
                    }
                    for (size_t o = 0; o < L.out.size(); ++o) {
                        const OutPlane& op = L.out[o];
                        double val = 0;
                        for (int j = 0; j < op.nterms; ++j) val += op.sign[j] * acc[op.term[j]];
                        planes[o] = r.m ? round_to_grid(val, m_scales[o]) : val;
                    }
                    const std::vector<double> Y =
                        output_transform<double>(wm, tap_grid_from_out_planes<double>(L, planes, 0.0), real, 0.0);
                    for (int a = 0; a < m; ++a)
                        for (int e = 0; e < m; ++e) {
                            const int yy = ty * m + a, xx = tx * m + e;
                            if (yy >= s.H || xx >= s.W) continue;
                            const double val = Y[a * m + e] + (bias ? bias[k] : 0.0);
                            y[((size_t(b) * s.H + yy) * s.W + xx) * K + k] = r.y ? round_to_grid(val, sc.out.y) : val;
                        }
                }
            }
    return y;
}

std::vector<StageErrorRow> stage_error_breakdown(const LayerData& d, Variant v, const CalibrationOptions& o) {
    const FloatConvLayer& L = d.layer;
    const double x_scale = calibrate_activation_scale(d.calib_x, o);
    const std::vector<double> xc = dequantize(quantize_activations(d.calib_x, x_scale), x_scale);
    const std::vector<double> xe = dequantize(quantize_activations(d.eval_x, x_scale), x_scale);
    const ConvShape sc_shape = L.shape(d.n_calib, d.H, d.W), ev_shape = L.shape(d.n_eval, d.H, d.W);
    const WinogradStageValues values = winograd_stage_values(v, sc_shape, L.weights.data(), xc.data());
    const WinogradScales sc = winograd_scales_from_values(
        values, float_conv(sc_shape, xc.data(), L.weights.data(), L.bias_or_null()), x_scale, o);
    const std::vector<double> ref = float_conv(ev_shape, xe.data(), L.weights.data(), L.bias_or_null());

    using M = MScaleMode;
    std::vector<StageErrorRow> rows = {
        {"V only", {true, false, false, false, M::kPerTensor}},
        {"U only", {false, true, false, false, M::kPerTensor}},
        {"M only (per tensor)", {false, false, true, false, M::kPerTensor}},
        {"M only (per tap)", {false, false, true, false, M::kPerTap}},
        {"y only", {false, false, false, true, M::kPerTensor}},
        {"all stages (the int8 pipeline)", {true, true, true, true, M::kPipeline}},
        {"all stages, M per tensor", {true, true, true, true, M::kPerTensor}},
        {"all stages, M per tap", {true, true, true, true, M::kPerTap}},
        {"all stages, M per tap (power-of-two ratios)", {true, true, true, true, M::kPerTapPow2}},
    };
    for (StageErrorRow& row : rows) {
        const std::vector<double> ms = m_plane_scales(values, sc, row.rounding.m_mode, o);
        row.rel_rms = relative_rms_error(
            simulate_winograd(v, ev_shape, L.weights.data(), L.bias_or_null(), xe.data(), sc, ms, row.rounding), ref);
    }
    return rows;
}

}  // namespace winoq
