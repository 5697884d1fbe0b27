#include "winoq/numerics/conv_params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace winoq {

void validate_shape(Variant v, const ConvShape& s) {
    auto fail = [&](const std::string& why) {
        throw std::invalid_argument(std::string("winoq: unsupported convolution for variant ") + variant_name(v) +
                                    ": " + why);
    };
    if (s.N < 1 || s.H < 1 || s.W < 1) fail("batch and spatial sizes must be >= 1");
    if (s.C < 1 || s.K < 1) fail("channel counts must be >= 1");
    if (s.C > kMaxChannels || s.K > kMaxChannels)
        fail("channel counts above " + std::to_string(kMaxChannels) + " could overflow the int32 accumulators");
    if (is_winograd(v)) {
        if (s.kernel != 3 || s.stride != 1 || s.pad != 1) fail("Winograd needs a 3x3 kernel, stride 1, padding 1");
    } else {
        if (!direct_kernel_supported(s.kernel)) fail("direct supports 1x1, 3x3 and 7x7 kernels");
        if (s.stride != 1 && s.stride != 2) fail("direct supports stride 1 and 2");
        if (s.pad < 0 || s.pad > std::max(1, s.kernel / 2)) fail("padding must be in [0, max(1, kernel / 2)]");
        // The int32 accumulator bound (docs/numerics.md) holds for C * kernel^2 <= kMaxChannels * 9.
        if (int64_t(s.C) * s.kernel * s.kernel > int64_t(kMaxChannels) * 9)
            fail("C * kernel^2 above " + std::to_string(kMaxChannels * 9) + " could overflow the int32 accumulators");
        if (s.out_h() < 1 || s.out_w() < 1) fail("empty output");
    }
}

namespace {

void check_count(const char* what, size_t got, size_t want) {
    if (got != want)
        throw std::invalid_argument(std::string("winoq: ") + what + " has " + std::to_string(got) +
                                    " values, expected " + std::to_string(want));
}

void check_range(const char* what, const std::vector<int32_t>& values, int32_t lo, int32_t hi) {
    for (int32_t v : values)
        if (v < lo || v > hi)
            throw std::invalid_argument(std::string("winoq: ") + what + " " + std::to_string(v) + " outside [" +
                                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace

void validate_output_stage(const OutputStage& st, int K) {
    check_count("OutputStage::bias", st.bias.size(), size_t(K));
    check_count("OutputStage::mult", st.mult.size(), size_t(K));
    check_count("OutputStage::shift", st.shift.size(), size_t(K));
    if (st.residual) check_count("OutputStage::res_mult", st.res_mult.size(), size_t(K));
    check_range("OutputStage::shift", st.shift, 1, kMaxShift);
}

void validate(const DirectConvParams& p) {
    validate_shape(Variant::kDirect, p.shape);
    const ConvShape& s = p.shape;
    check_count("DirectConvParams::weights", p.weights.size(), size_t(s.K) * s.kernel * s.kernel * s.C);
    validate_output_stage(p.out, s.K);
}

void validate(const WinogradConvParams& p) {
    if (!is_winograd(p.variant)) throw std::invalid_argument("winoq: WinogradConvParams need a Winograd variant");
    validate_shape(p.variant, p.shape);
    const PlaneLayout& L = plane_layout(p.variant);
    const ConvShape& s = p.shape;
    check_count("WinogradConvParams::weights", p.weights.size(), L.prod.size() * s.K * s.C);
    check_count("WinogradConvParams::in_mult", p.in_mult.size(), L.act.size());
    check_count("WinogradConvParams::in_shift", p.in_shift.size(), L.act.size());
    check_count("WinogradConvParams::m_mult", p.m_mult.size(), L.out.size() * s.K * 2);
    check_count("WinogradConvParams::m_shift", p.m_shift.size(), L.out.size() * s.K);
    check_range("WinogradConvParams::in_shift", p.in_shift, 1, kMaxShift);
    check_range("WinogradConvParams::m_shift", p.m_shift, 1, kMaxShift);
    if (!p.m_lshift.empty()) check_count("WinogradConvParams::m_lshift", p.m_lshift.size(), L.out.size());
    check_range("WinogradConvParams::m_lshift", p.m_lshift, 0, kMaxMLeftShift);
    validate_output_stage(p.out, s.K);
}

int WinogradConvParams::tiles_h() const {
    const int m = tile_size(variant);
    return (shape.H + m - 1) / m;
}
int WinogradConvParams::tiles_w() const {
    const int m = tile_size(variant);
    return (shape.W + m - 1) / m;
}

namespace {

OutputStage make_output_stage(int K, const float* bias, const std::vector<double>& acc_scale /* per k */,
                              const OutputScales& o) {
    OutputStage st;
    st.relu = o.relu;
    st.residual = o.res > 0;
    for (int k = 0; k < K; ++k) {
        st.bias.push_back(bias ? quantize_bias(bias[k], acc_scale[k]) : 0);
        const FixedPoint2 fp = make_fixed_point(acc_scale[k] / o.y, st.residual ? o.res / o.y : 0.0);
        st.mult.push_back(fp.mult[0]);
        st.res_mult.push_back(fp.mult[1]);
        st.shift.push_back(fp.shift);
    }
    return st;
}

void check_scale(double s, const char* what) {
    if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument(std::string("winoq: scale must be > 0: ") + what);
}

}  // namespace

DirectConvParams quantize_direct_conv(const ConvShape& s, const float* weights, const float* bias, double x_scale,
                                      const std::vector<double>& w_scale, const OutputScales& out) {
    validate_shape(Variant::kDirect, s);
    check_scale(x_scale, "input");
    check_scale(out.y, "output");
    if (static_cast<int>(w_scale.size()) != s.K)
        throw std::invalid_argument("winoq: need one weight scale per output channel");
    DirectConvParams p;
    p.shape = s;
    const int kk = s.kernel;
    p.weights.resize(size_t(s.K) * kk * kk * s.C);
    std::vector<double> acc_scale(s.K);
    for (int k = 0; k < s.K; ++k) {
        check_scale(w_scale[k], "weight");
        acc_scale[k] = x_scale * w_scale[k];
        for (int c = 0; c < s.C; ++c)
            for (int ky = 0; ky < kk; ++ky)
                for (int kx = 0; kx < kk; ++kx)
                    p.weights[((size_t(k) * kk + ky) * kk + kx) * s.C + c] =
                        quantize_float(weights[((size_t(k) * s.C + c) * kk + ky) * kk + kx], w_scale[k]);
    }
    p.out = make_output_stage(s.K, bias, acc_scale, out);
    return p;
}

std::vector<ComplexD> filter_transform(Variant v, const float* g) {
    // U = G g G^T with G = G_num / g_den: exact in double for these small integers.
    const WinogradMatrices& w = winograd_matrices(v);
    const double inv = 1.0 / double(w.g_den * w.g_den);
    std::vector<ComplexD> U(w.n * w.n);
    for (int i = 0; i < w.n; ++i)
        for (int j = 0; j < w.n; ++j) {
            double re = 0, im = 0;
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) {
                    const GaussInt gi = w.g(i, a), gj = w.g(j, b);
                    const double pr = double(gi.re * gj.re - gi.im * gj.im), pi = double(gi.re * gj.im + gi.im * gj.re);
                    re += pr * g[a * 3 + b];
                    im += pi * g[a * 3 + b];
                }
            U[i * w.n + j] = {re * inv, im * inv};
        }
    return U;
}

double filter_part_value(Variant v, int q, const std::vector<ComplexD>& U) {
    const ProdPlane& p = plane_layout(v).prod.at(q);
    const ComplexD u = U[p.tap];
    switch (p.weight) {
        case WeightPart::kReal:
        case WeightPart::kRe: return u.re;
        case WeightPart::kIm: return u.im;
        case WeightPart::kImMinusRe: return u.im - u.re;
        case WeightPart::kRePlusIm: return u.re + u.im;
    }
    return 0;
}

MPlaneGrid m_plane_grid(const WinogradScales& sc, int O) {
    // Per-plane scales share the power-of-two grid of one base scale so that the output
    // transform of (M << l) stays exact in int32.
    MPlaneGrid g;
    g.base = sc.m;
    g.scale.assign(O, sc.m);
    if (sc.m_plane.empty()) return g;
    if (static_cast<int>(sc.m_plane.size()) != O)
        throw std::invalid_argument("winoq: need one M scale per output plane");
    double lo = sc.m_plane[0], hi = sc.m_plane[0];
    for (double a : sc.m_plane) {
        check_scale(a, "product M plane");
        lo = std::min(lo, a);
        hi = std::max(hi, a);
    }
    g.base = std::max(lo, std::ldexp(hi, -kMaxMLeftShift));
    g.lshift.resize(O);
    for (int o = 0; o < O; ++o) {
        g.lshift[o] = static_cast<int32_t>(
            std::clamp(std::nearbyint(std::log2(sc.m_plane[o] / g.base)), 0.0, double(kMaxMLeftShift)));
        g.scale[o] = std::ldexp(g.base, g.lshift[o]);
    }
    return g;
}

WinogradConvParams quantize_winograd_conv(Variant v, const ConvShape& s, const float* weights, const float* bias,
                                          const WinogradScales& sc) {
    validate_shape(v, s);
    const PlaneLayout& L = plane_layout(v);
    if (sc.act.size() != L.act.size()) throw std::invalid_argument("winoq: need one scale per activation plane");
    if (sc.w.size() != L.prod.size() * (sc.w_per_channel ? size_t(s.K) : 1))
        throw std::invalid_argument(sc.w_per_channel
                                        ? "winoq: need one weight scale per product plane and output channel"
                                        : "winoq: need one weight scale per product plane");
    check_scale(sc.x, "input");
    check_scale(sc.m, "product M");
    check_scale(sc.out.y, "output");
    for (double a : sc.act) check_scale(a, "activation plane");
    for (double a : sc.w) check_scale(a, "weight plane");

    WinogradConvParams p;
    p.variant = v;
    p.shape = s;
    const int Q = static_cast<int>(L.prod.size());
    p.weights.resize(size_t(Q) * s.K * s.C);
    for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c) {
            const std::vector<ComplexD> U = filter_transform(v, weights + (size_t(k) * s.C + c) * 9);
            for (int q = 0; q < Q; ++q)
                p.weights[(size_t(q) * s.K + k) * s.C + c] =
                    quantize_float(filter_part_value(v, q, U), weight_scale(sc, q, k, s.K));
        }
    for (size_t a = 0; a < L.act.size(); ++a) {
        const FixedPoint2 fp = make_fixed_point(sc.x / sc.act[a]);
        p.in_mult.push_back(fp.mult[0]);
        p.in_shift.push_back(fp.shift);
    }
    const int O = static_cast<int>(L.out.size());
    const MPlaneGrid grid = m_plane_grid(sc, O);
    const double m_base = grid.base;
    const std::vector<double>& m_scale = grid.scale;
    p.m_lshift = grid.lshift;
    for (int oi = 0; oi < O; ++oi)
        for (int k = 0; k < s.K; ++k) {
            const OutPlane& o = L.out[oi];
            double r[2] = {0, 0};
            for (int j = 0; j < o.nterms; ++j) {
                const ProdPlane& pp = L.prod[o.term[j]];
                r[j] = o.sign[j] * weight_scale(sc, o.term[j], k, s.K) * sc.act[pp.act] / m_scale[oi];
            }
            const FixedPoint2 fp = make_fixed_point(r[0], r[1]);
            p.m_mult.push_back(fp.mult[0]);
            p.m_mult.push_back(fp.mult[1]);
            p.m_shift.push_back(fp.shift);
        }
    p.out = make_output_stage(s.K, bias, std::vector<double>(s.K, m_base), sc.out);
    return p;
}

}  // namespace winoq
