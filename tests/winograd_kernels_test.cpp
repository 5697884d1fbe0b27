// The Halide Winograd kernels are bit-exact with the scalar reference (winoq::reference), stage
// by stage (X, M, output) and end to end through ConvKernel, for every Winograd variant, on
// quantized float layers and on directly random integer parameters, odd sizes, residual / ReLU,
// extreme inputs and saturating scales.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "conv_kernels_winograd.h"
#include "expected_target.h"
#include "kernel_layout.h"
#include "winoq/kernels/conv_kernels.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq/numerics/reference.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"

using namespace winoq;
using kernels::detail::WinogradEngine;

namespace {

struct Layer {
    int C, K, H, W;
    bool residual, relu;
};

std::string describe(Variant v, const Layer& l) {
    return std::string(variant_name(v)) + " C=" + std::to_string(l.C) + " K=" + std::to_string(l.K) +
           " HxW=" + std::to_string(l.H) + "x" + std::to_string(l.W) + (l.residual ? " residual" : "") +
           (l.relu ? " relu" : "");
}

ConvShape shape_of(const Layer& l) {
    ConvShape s;
    s.N = 2;
    s.C = l.C;
    s.K = l.K;
    s.H = l.H;
    s.W = l.W;
    return s;
}

// Scales of a float layer: activation planes by the transform's growth at their tap, weight
// planes from the actual transformed weights; `squeeze` < 1 clips harder (saturation).
WinogradScales make_scales(Variant v, const ConvShape& s, const std::vector<float>& w, std::mt19937& rng,
                           const Layer& l, double squeeze, bool per_channel_u) {
    const PlaneLayout& L = plane_layout(v);
    const WinogradMatrices& M = winograd_matrices(v);
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    WinogradScales sc;
    sc.x = 0.02;
    auto row_norm = [&](int i) {
        double n = 0;
        for (int u = 0; u < M.n; ++u) n += std::hypot(double(M.bt(i, u).re), double(M.bt(i, u).im));
        return n;
    };
    std::vector<double> tap_scale(L.taps.size());
    for (size_t t = 0; t < L.taps.size(); ++t)
        tap_scale[t] = sc.x * row_norm(int(t) / M.n) * row_norm(int(t) % M.n) * 0.3 * jitter(rng) * squeeze;
    for (const ActPlane& a : L.act) {
        // re and im of a tap share one scale; the Gauss operand re+im has its own.
        const double base = tap_scale[L.taps[a.tap].rep];
        sc.act.push_back(a.part == ActPart::kReIm ? 1.6 * base : base);
    }
    // U: the max |value| per product plane, or per (product plane, output channel).
    const size_t Kw = per_channel_u ? size_t(s.K) : 1;
    std::vector<double> wmax(L.prod.size() * Kw, 1e-6);
    for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c) {
            const std::vector<ComplexD> U = filter_transform(v, w.data() + (size_t(k) * s.C + c) * 9);
            for (size_t q = 0; q < L.prod.size(); ++q) {
                double& m = wmax[q * Kw + (per_channel_u ? size_t(k) : 0)];
                m = std::max(m, std::fabs(filter_part_value(v, int(q), U)));
            }
        }
    for (double m : wmax) sc.w.push_back(m / 127.0 * jitter(rng) * squeeze);
    sc.w_per_channel = per_channel_u;
    sc.m = sc.x * 0.05 * std::sqrt(double(s.C)) * squeeze;
    if (l.C % 2) {  // per-plane M scales (output planes enter the output transform as M << l)
        std::uniform_real_distribution<double> octaves(0.0, 8.0);
        for (size_t o = 0; o < L.out.size(); ++o) sc.m_plane.push_back(sc.m * std::exp2(octaves(rng)) / 16);
    }
    sc.out.y = sc.x * 0.4 * std::sqrt(double(s.C)) * squeeze;
    sc.out.res = l.residual ? 0.03 : 0.0;
    sc.out.relu = l.relu;
    return sc;
}

WinogradConvParams quantized_layer(Variant v, const Layer& l, std::mt19937& rng, double squeeze = 1.0,
                                   bool per_channel_u = false) {
    const ConvShape s = shape_of(l);
    std::normal_distribution<float> nd(0.f, 0.3f);
    std::vector<float> w(size_t(s.K) * s.C * 9), b(s.K);
    for (float& x : w) x = nd(rng);
    for (float& x : b) x = nd(rng);
    return quantize_winograd_conv(v, s, w.data(), b.data(), make_scales(v, s, w, rng, l, squeeze, per_channel_u));
}

// Integer parameters drawn directly: weights over all of int8, fixed-point multipliers of
// random sign and magnitude (log-uniform ratios), shifts across their range.
WinogradConvParams random_int_layer(Variant v, const Layer& l, std::mt19937& rng) {
    const PlaneLayout& L = plane_layout(v);
    WinogradConvParams p;
    p.variant = v;
    p.shape = shape_of(l);
    const int K = l.K;
    std::uniform_int_distribution<int> w8(-128, 127), coin(0, 1);
    std::uniform_real_distribution<double> log_ratio(-9.0, 1.0);
    auto ratio = [&](double center) { return center * std::exp(log_ratio(rng)) * (coin(rng) ? -1 : 1); };
    p.weights.resize(L.prod.size() * size_t(K) * l.C);
    for (auto& x : p.weights) x = static_cast<int8_t>(w8(rng));
    for (size_t a = 0; a < L.act.size(); ++a) {
        const FixedPoint2 fp = make_fixed_point(ratio(0.5));
        p.in_mult.push_back(fp.mult[0]);
        p.in_shift.push_back(fp.shift);
    }
    for (size_t o = 0; o < L.out.size(); ++o)
        for (int k = 0; k < K; ++k) {
            const FixedPoint2 fp = make_fixed_point(ratio(0.05), ratio(0.05));
            p.m_mult.push_back(fp.mult[0]);
            p.m_mult.push_back(fp.mult[1]);  // ignored by one-term planes, in reference and kernel alike
            p.m_shift.push_back(fp.shift);
        }
    if (l.K % 2) {
        std::uniform_int_distribution<int> lshift(0, kMaxMLeftShift);
        for (size_t o = 0; o < L.out.size(); ++o) p.m_lshift.push_back(lshift(rng));
    }
    std::uniform_int_distribution<int32_t> bias(-(1 << 30), 1 << 30);
    p.out.relu = l.relu;
    p.out.residual = l.residual;
    for (int k = 0; k < K; ++k) {
        const FixedPoint2 fp = make_fixed_point(ratio(0.01), l.residual ? ratio(1.0) : 0.0);
        p.out.bias.push_back(k % 3 == 0 ? bias(rng) : bias(rng) >> 20);
        p.out.mult.push_back(fp.mult[0]);
        p.out.res_mult.push_back(fp.mult[1]);
        p.out.shift.push_back(fp.shift);
    }
    return p;
}

enum class Fill { kRandom, kAllMin, kAllMax, kMixed };

std::vector<int8_t> make_tensor(size_t n, Fill f, std::mt19937& rng) {
    std::vector<int8_t> t(n);
    std::uniform_int_distribution<int> d(-128, 127);
    for (size_t i = 0; i < n; ++i) {
        switch (f) {
            case Fill::kRandom: t[i] = static_cast<int8_t>(d(rng)); break;
            case Fill::kAllMin: t[i] = -128; break;
            case Fill::kAllMax: t[i] = 127; break;
            case Fill::kMixed: t[i] = static_cast<int8_t>((i * 7 / 3) % 2 ? 127 : -128); break;
        }
    }
    return t;
}

struct Stats {
    size_t inner = 0, total = 0;  // outputs strictly inside (-127, 127)
};

// Runs every stage of the engine against the reference; returns statistics of the output.
Stats check_layer(const WinogradConvParams& p, const std::vector<int8_t>& in, std::mt19937& rng,
                  const std::string& what) {
    const ConvShape& s = p.shape;
    const PlaneLayout& L = plane_layout(p.variant);
    const std::vector<int8_t> res =
        p.out.residual ? make_tensor(s.out_size(), Fill::kRandom, rng) : std::vector<int8_t>();
    const int8_t* res_ptr = p.out.residual ? res.data() : nullptr;

    WinogradEngine eng(p);
    const int T = eng.tiles(), c4 = eng.c4(), k16 = eng.k16();
    EXPECT_EQ(T, p.tiles());

    // Stage 1: X = value + kActOffset (128 on x86, 0 on ARM), padded channels hold value 0.
    const std::vector<int8_t> X_ref = reference::input_transform(p, in.data());
    eng.input_transform(in.data());
    size_t bad = 0;
    for (size_t a = 0; a < L.act.size(); ++a)
        for (int t = 0; t < T; ++t)
            for (int c = 0; c < c4; ++c) {
                const int got = int(eng.X()[(a * T + t) * c4 + c]) - kernels::kActOffset;
                const int want = c < s.C ? X_ref[(a * T + t) * s.C + c] : 0;
                if (got != want && bad++ < 5)
                    ADD_FAILURE() << what << ": X plane " << a << " tile " << t << " c " << c << ": " << got
                                  << " != " << want;
            }
    EXPECT_EQ(bad, 0u) << what << ": X mismatches";

    // Stage 2: M, internal plane order.
    const std::vector<int8_t> M_ref = reference::winograd_gemm(p, X_ref);
    eng.gemm();
    bad = 0;
    for (size_t o = 0; o < L.out.size(); ++o) {
        const size_t oi = eng.layout().out_internal[o];
        for (int t = 0; t < T; ++t)
            for (int k = 0; k < s.K; ++k) {
                const int got = eng.M()[(oi * T + t) * k16 + k], want = M_ref[(o * T + t) * s.K + k];
                if (got != want && bad++ < 5)
                    ADD_FAILURE() << what << ": M plane " << o << " tile " << t << " k " << k << ": " << got
                                  << " != " << want;
            }
    }
    EXPECT_EQ(bad, 0u) << what << ": M mismatches";

    // Stage 3: output.
    std::vector<int8_t> out_ref(s.out_size()), out(s.out_size(), 55);
    reference::output_transform(p, M_ref, res_ptr, out_ref.data());
    eng.output_transform(res_ptr, out.data());
    bad = 0;
    for (size_t i = 0; i < out.size(); ++i)
        if (out[i] != out_ref[i] && bad++ < 5)
            ADD_FAILURE() << what << ": output " << i << ": " << int(out[i]) << " != " << int(out_ref[i]);
    EXPECT_EQ(bad, 0u) << what << ": output mismatches";

    // End to end through the public API, twice (scratch reuse).
    std::vector<int8_t> e2e_ref(s.out_size());
    reference::winograd_conv(p, in.data(), res_ptr, e2e_ref.data());
    ConvKernel kernel(p);
    for (int rep = 0; rep < 2; ++rep) {
        std::vector<int8_t> e2e(s.out_size(), -7);
        kernel.run(in.data(), res_ptr, e2e.data());
        EXPECT_EQ(e2e, e2e_ref) << what << ": ConvKernel::run, repetition " << rep;
    }

    Stats st;
    for (int8_t v : out_ref) st.inner += (v > -127 && v < 127);
    st.total = out_ref.size();
    return st;
}

const std::vector<Layer> kLayers = {
    {3, 5, 7, 7, false, false},   {5, 3, 9, 13, true, true},      {16, 16, 14, 14, false, true},
    {17, 33, 13, 5, true, false}, {33, 17, 28, 28, false, false}, {64, 64, 32, 32, true, true},
    {64, 16, 5, 9, false, true},  {4, 64, 14, 7, true, false},    {8, 24, 2, 3, true, true},  // few tiles
};

class WinogradKernels : public ::testing::TestWithParam<Variant> {};

TEST_P(WinogradKernels, QuantizedLayersMatchReference) {
    const Variant v = GetParam();
    std::mt19937 rng(100 + int(v));
    for (const Layer& l : kLayers) {
        const WinogradConvParams p = quantized_layer(v, l, rng);
        if (l.C % 2)
            EXPECT_GT(*std::max_element(p.m_lshift.begin(), p.m_lshift.end()), 0) << describe(v, l) << ": per-plane M";
        const std::vector<int8_t> in = make_tensor(p.shape.in_size(), Fill::kRandom, rng);
        const Stats st = check_layer(p, in, rng, describe(v, l));
        // Not vacuous: most outputs are ordinary values, not saturated.
        EXPECT_GT(st.inner, st.total / 4) << describe(v, l);
    }
}

TEST_P(WinogradKernels, PerChannelUScalesMatchReference) {
    // U with one scale per (product plane, output channel): the kernels take the factor in
    // M's per-channel multipliers, so only the parameters differ.
    const Variant v = GetParam();
    std::mt19937 rng(300 + int(v));
    for (const Layer& l : kLayers) {
        if (l.C * l.H > 64 * 28) continue;  // keep the suite fast
        const WinogradConvParams p = quantized_layer(v, l, rng, 1.0, true);
        const std::vector<int8_t> in = make_tensor(p.shape.in_size(), Fill::kRandom, rng);
        const Stats st = check_layer(p, in, rng, describe(v, l) + " (per-channel U)");
        EXPECT_GT(st.inner, st.total / 4) << describe(v, l);
    }
}

TEST_P(WinogradKernels, RandomIntegerParamsMatchReference) {
    const Variant v = GetParam();
    std::mt19937 rng(200 + int(v));
    for (const Layer& l : kLayers) {
        if (l.C * l.H > 64 * 28) continue;  // keep the suite fast; shapes are covered above
        const WinogradConvParams p = random_int_layer(v, l, rng);
        const std::vector<int8_t> in = make_tensor(p.shape.in_size(), Fill::kRandom, rng);
        check_layer(p, in, rng, describe(v, l) + " (random integer params)");
    }
}

TEST_P(WinogradKernels, ExtremeInputsMatchReference) {
    const Variant v = GetParam();
    std::mt19937 rng(300 + int(v));
    const Layer l{17, 20, 9, 11, true, false};
    const WinogradConvParams p = quantized_layer(v, l, rng);
    for (Fill f : {Fill::kAllMin, Fill::kAllMax, Fill::kMixed}) {
        const std::vector<int8_t> in = make_tensor(p.shape.in_size(), f, rng);
        check_layer(p, in, rng, describe(v, l) + " fill " + std::to_string(int(f)));
    }
}

TEST_P(WinogradKernels, SaturatingClippingMatchesReference) {
    const Variant v = GetParam();
    std::mt19937 rng(400 + int(v));
    const Layer l{20, 18, 10, 12, false, true};
    const WinogradConvParams p = quantized_layer(v, l, rng, /*squeeze=*/0.01);
    const std::vector<int8_t> in = make_tensor(p.shape.in_size(), Fill::kRandom, rng);
    WinogradEngine eng(p);
    eng.input_transform(in.data());
    size_t saturated = 0;
    for (const auto x : eng.X()) saturated += std::abs(int(x) - kernels::kActOffset) == 127;
    EXPECT_GT(saturated, eng.X().size() / 4) << "the tiny scales must saturate X";
    check_layer(p, in, rng, describe(v, l) + " tiny scales");
}

// The fused pipeline numbers tiles over the whole batch and blocks them by tile rows of one
// image: batches of several images, with maps whose tile rows do not divide into blocks, and
// channel counts below / above / between the k blocks.
TEST_P(WinogradKernels, FusedPipelineOnBatchesMatchesReference) {
    const Variant v = GetParam();
    std::mt19937 rng(500 + int(v));
    const std::vector<Layer> layers = {
        {16, 16, 32, 32, true, true}, {64, 80, 7, 7, false, true}, {8, 130, 23, 11, true, false}};
    for (const Layer& l : layers) {
        WinogradConvParams p = quantized_layer(v, l, rng);
        p.shape.N = 5;
        const ConvShape& s = p.shape;
        const std::vector<int8_t> in = make_tensor(s.in_size(), Fill::kRandom, rng);
        const std::vector<int8_t> res =
            l.residual ? make_tensor(s.out_size(), Fill::kRandom, rng) : std::vector<int8_t>();
        const int8_t* res_ptr = l.residual ? res.data() : nullptr;
        std::vector<int8_t> want(s.out_size()), got(s.out_size(), 3);
        reference::winograd_conv(p, in.data(), res_ptr, want.data());
        ConvKernel(p).run(in.data(), res_ptr, got.data());
        EXPECT_EQ(got, want) << describe(v, l) << " batch 5";
    }
}

INSTANTIATE_TEST_SUITE_P(AllWinograd, WinogradKernels, ::testing::ValuesIn(kWinogradVariants),
                         [](const auto& info) { return std::string(variant_name(info.param)); });

// ctest runs this binary once per compiled target (WINOQ_TARGET=<name>): the kernels must really
// run that target (or the next lower one where the CPU lacks it).
TEST(WinogradKernelsApi, DispatchRunsTheRequestedTarget) {
    std::mt19937 rng(8);
    const WinogradConvParams p = quantized_layer(Variant::kF23, {8, 8, 8, 8, false, false}, rng);
    std::vector<int8_t> in(p.shape.in_size()), out(p.shape.out_size());
    ConvKernel(p).run(in.data(), nullptr, out.data());
    EXPECT_EQ(active_target_name(), test::expected_target()) << "WINOQ_TARGET='" << test::requested_target() << "'";
}

TEST(WinogradKernelsApi, RejectsBadArguments) {
    std::mt19937 rng(7);
    const WinogradConvParams p = quantized_layer(Variant::kCF43, {8, 8, 8, 8, true, false}, rng);
    ConvKernel kernel(p);
    EXPECT_EQ(kernel.variant(), Variant::kCF43);
    EXPECT_EQ(kernel.shape().K, 8);
    std::vector<int8_t> in(p.shape.in_size()), out(p.shape.out_size());
    EXPECT_THROW(kernel.run(in.data(), nullptr, out.data()), std::invalid_argument);  // residual missing

    WinogradConvParams bad = p;
    bad.m_shift.pop_back();
    EXPECT_THROW(ConvKernel{bad}, std::invalid_argument);
    bad = p;
    bad.in_shift[0] = 0;
    EXPECT_THROW(ConvKernel{bad}, std::invalid_argument);
    bad = p;
    bad.m_lshift.assign(plane_layout(p.variant).out.size(), 0);
    bad.m_lshift[1] = kMaxMLeftShift + 1;
    EXPECT_THROW(ConvKernel{bad}, std::invalid_argument);
    bad = p;
    bad.shape.stride = 2;
    EXPECT_THROW(ConvKernel{bad}, std::invalid_argument);
}

}  // namespace
