// Integer mode (int64 torch tensors) against winoq::reference, bit for bit: random layers of
// every variant, partial tiles, residual and ReLU on and off, inputs at the int8 extremes and
// clipping factors tight enough to saturate every stage.
#include <gtest/gtest.h>

#include <random>

#include "trainer/layers/integer_conv.h"
#include "trainer/layers/quant_conv.h"
#include "winoq/analysis/calibration.h"
#include "winoq/numerics/reference.h"
#include "winoq/numerics/transforms.h"

namespace winoq::train {
namespace {

// NHWC int8 <-> NCHW int64.
torch::Tensor to_nchw(const std::vector<int8_t>& v, int N, int H, int W, int C) {
    return torch::from_blob(const_cast<int8_t*>(v.data()), {N, H, W, C}, torch::kInt8)
        .permute({0, 3, 1, 2})
        .to(torch::kLong);
}
std::vector<int8_t> to_nhwc(const torch::Tensor& t) {
    const torch::Tensor c = t.permute({0, 2, 3, 1}).to(torch::kInt8).contiguous();
    return std::vector<int8_t>(c.data_ptr<int8_t>(), c.data_ptr<int8_t>() + c.numel());
}

struct Layer {
    ConvShape s;
    std::vector<float> w, b;
};

Layer random_layer(std::mt19937& rng, int N, int C, int H, int W, int K, int kernel, int stride) {
    Layer L;
    L.s = {N, C, H, W, K, kernel, stride, kernel / 2};
    std::normal_distribution<float> g(0.0f, 0.3f);
    for (int i = 0; i < K * C * kernel * kernel; ++i) L.w.push_back(g(rng));
    for (int k = 0; k < K; ++k) L.b.push_back(g(rng));
    return L;
}

std::vector<int8_t> random_int8(std::mt19937& rng, size_t n, bool extremes) {
    std::uniform_int_distribution<int> d(-128, 127), e(0, 3);
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(extremes && e(rng) == 0 ? (e(rng) < 2 ? -128 : 127) : d(rng));
    return v;
}

std::vector<double> dequantized(const std::vector<int8_t>& q, double s) {
    std::vector<double> v;
    for (int8_t x : q) v.push_back(x * s);
    return v;
}

struct Case {
    int N, C, H, W, K;
    bool residual, relu, extremes;
    double tighten;  // scales of the intermediate stages divided by this: > 1 saturates
    bool per_tap;    // per-tap scales, M included (power-of-two grid, m_lshift)
};

const std::vector<Case> kCases = {
    {2, 5, 9, 7, 6, false, false, false, 1.0, false}, {1, 3, 8, 8, 4, true, true, false, 1.0, true},
    {2, 16, 6, 10, 8, true, false, true, 1.0, false}, {2, 16, 6, 10, 8, true, false, true, 1.0, true},
    {1, 7, 5, 13, 9, false, true, true, 6.0, false},  {1, 7, 5, 13, 9, false, true, true, 6.0, true},
    {1, 4, 1, 2, 3, true, true, true, 20.0, true},
};

// The layer's Winograd scales calibrated (max) on its own input.
WinogradScales calibrated_scales(Variant v, const Layer& L, const std::vector<int8_t>& xin, double x_scale,
                                 bool per_tap, bool per_channel_u) {
    CalibrationOptions co;
    co.granularity = per_tap ? ScaleGranularity::kPerTap : ScaleGranularity::kPerTensor;
    co.per_channel_u = per_channel_u;
    return calibrate_winograd_conv(v, L.s, L.w.data(), L.b.data(), dequantized(xin, x_scale), x_scale, co);
}

TEST(IntegerMode, WinogradEqualsReferenceBitForBit) {
    std::mt19937 rng(11);
    for (Variant v : kWinogradVariants)
        for (const Case& c : kCases) {
            const Layer L = random_layer(rng, c.N, c.C, c.H, c.W, c.K, 3, 1);
            const double x_scale = 0.02;
            const std::vector<int8_t> xin = random_int8(rng, L.s.in_size(), c.extremes);
            WinogradScales sc = calibrated_scales(v, L, xin, x_scale, c.per_tap, false);
            for (double& a : sc.act) a /= c.tighten;
            for (double& a : sc.w) a /= c.tighten;
            for (double& a : sc.m_plane) a /= c.tighten;
            sc.m /= c.tighten;
            sc.out.y /= c.tighten;
            sc.out.relu = c.relu;
            sc.out.res = c.residual ? 0.05 : 0.0;
            const WinogradConvParams p = quantize_winograd_conv(v, L.s, L.w.data(), L.b.data(), sc);
            if (c.per_tap) {  // the case must exercise the left shifts of the output transform
                EXPECT_EQ(p.m_lshift.size(), plane_layout(v).out.size());
            }
            const std::vector<int8_t> res = random_int8(rng, L.s.out_size(), c.extremes);

            std::vector<int8_t> ref(L.s.out_size());
            reference::winograd_conv(p, xin.data(), c.residual ? res.data() : nullptr, ref.data());
            const torch::Tensor x = to_nchw(xin, c.N, c.H, c.W, c.C);
            const torch::Tensor r = c.residual ? to_nchw(res, c.N, c.H, c.W, c.K) : torch::Tensor();
            const torch::Tensor out = integer_winograd_conv(p, x, r);
            EXPECT_EQ(to_nhwc(out), ref) << variant_name(v) << " case C=" << c.C << " tighten=" << c.tighten;

            // The intermediates agree too: X[act][c][t] vs X[act][t][c], M[o][k][t] vs M[o][t][k].
            const std::vector<int8_t> Xref = reference::input_transform(p, xin.data());
            const torch::Tensor X = integer_input_transform(p, x);
            const torch::Tensor Xt = X.permute({0, 2, 1}).to(torch::kInt8).contiguous();
            EXPECT_EQ(std::vector<int8_t>(Xt.data_ptr<int8_t>(), Xt.data_ptr<int8_t>() + Xt.numel()), Xref);
            const std::vector<int8_t> Mref = reference::winograd_gemm(p, Xref);
            const torch::Tensor Mt = integer_winograd_gemm(p, X).permute({0, 2, 1}).to(torch::kInt8).contiguous();
            EXPECT_EQ(std::vector<int8_t>(Mt.data_ptr<int8_t>(), Mt.data_ptr<int8_t>() + Mt.numel()), Mref);
            if (c.tighten > 1) {  // the case is only meaningful if stages really saturate
                EXPECT_GT((X.abs() == 127).sum().item<int64_t>(), 0) << variant_name(v);
            }
        }
}

TEST(IntegerMode, PerChannelUScalesEqualReferenceBitForBit) {
    // U calibrated per (product plane group, output channel), then jittered per channel so
    // that every channel's M multipliers differ.
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    for (Variant v : kWinogradVariants)
        for (const Case& c : kCases) {
            const Layer L = random_layer(rng, c.N, c.C, c.H, c.W, c.K, 3, 1);
            const double x_scale = 0.02;
            const std::vector<int8_t> xin = random_int8(rng, L.s.in_size(), c.extremes);
            WinogradScales sc = calibrated_scales(v, L, xin, x_scale, c.per_tap, true);
            ASSERT_EQ(sc.w.size(), plane_layout(v).prod.size() * size_t(c.K));
            for (double& a : sc.w) a *= jitter(rng) / c.tighten;
            sc.out.relu = c.relu;
            sc.out.res = c.residual ? 0.05 : 0.0;
            const WinogradConvParams p = quantize_winograd_conv(v, L.s, L.w.data(), L.b.data(), sc);
            const std::vector<int8_t> res = random_int8(rng, L.s.out_size(), c.extremes);
            std::vector<int8_t> ref(L.s.out_size());
            reference::winograd_conv(p, xin.data(), c.residual ? res.data() : nullptr, ref.data());
            const torch::Tensor r = c.residual ? to_nchw(res, c.N, c.H, c.W, c.K) : torch::Tensor();
            const torch::Tensor out = integer_winograd_conv(p, to_nchw(xin, c.N, c.H, c.W, c.C), r);
            EXPECT_EQ(to_nhwc(out), ref) << variant_name(v) << " case C=" << c.C << " tighten=" << c.tighten;
        }
}

TEST(IntegerMode, PerTapMScalesUseNonzeroLeftShifts) {
    // Real F(4,3) taps differ by orders of magnitude: calibrated per-tap M scales must spread
    // over several powers of two, or the per-tap cases above test nothing new.
    std::mt19937 rng(21);
    const Layer L = random_layer(rng, 1, 8, 8, 8, 4, 3, 1);
    const std::vector<int8_t> xin = random_int8(rng, L.s.in_size(), false);
    CalibrationOptions co;
    co.granularity = ScaleGranularity::kPerTap;
    const WinogradScales sc =
        calibrate_winograd_conv(Variant::kF43, L.s, L.w.data(), L.b.data(), dequantized(xin, 0.02), 0.02, co);
    const WinogradConvParams p = quantize_winograd_conv(Variant::kF43, L.s, L.w.data(), L.b.data(), sc);
    ASSERT_FALSE(p.m_lshift.empty());
    EXPECT_GE(*std::max_element(p.m_lshift.begin(), p.m_lshift.end()), 3);
}

TEST(IntegerMode, DirectEqualsReferenceBitForBit) {
    std::mt19937 rng(12);
    for (const auto& ks : std::vector<std::pair<int, int>>{{3, 1}, {3, 2}, {1, 2}, {1, 1}})
        for (const Case& c : kCases) {
            const Layer L = random_layer(rng, c.N, c.C, c.H, c.W, c.K, ks.first, ks.second);
            const double x_scale = 0.02;
            const std::vector<int8_t> xin = random_int8(rng, L.s.in_size(), c.extremes);
            CalibrationOptions co;
            DirectConvScales sc =
                calibrate_direct_conv(L.s, L.w.data(), L.b.data(), dequantized(xin, x_scale), x_scale, co);
            std::uniform_real_distribution<double> jitter(0.5, 1.5);
            for (double& w : sc.w) w *= jitter(rng) / c.tighten;  // per-channel weight scales
            sc.out.y /= c.tighten;
            sc.out.relu = c.relu;
            sc.out.res = c.residual ? 0.05 : 0.0;
            const DirectConvParams p = quantize_direct_conv(L.s, L.w.data(), L.b.data(), x_scale, sc.w, sc.out);
            const std::vector<int8_t> res = random_int8(rng, L.s.out_size(), c.extremes);
            std::vector<int8_t> ref(L.s.out_size());
            reference::direct_conv(p, xin.data(), c.residual ? res.data() : nullptr, ref.data());
            const torch::Tensor r = c.residual ? to_nchw(res, c.N, L.s.out_h(), L.s.out_w(), c.K) : torch::Tensor();
            const torch::Tensor out = integer_direct_conv(p, to_nchw(xin, c.N, c.H, c.W, c.C), r);
            EXPECT_EQ(to_nhwc(out), ref) << "kernel " << ks.first << " stride " << ks.second;
        }
}

TEST(IntegerMode, QConvIntegerModeRunsTheReferenceParameters) {
    // The module path: learned alphas -> params -> integer pipeline, equal to the reference
    // run on the params the module reports.
    torch::manual_seed(5);
    std::mt19937 rng(13);
    for (const std::string& v : {"direct", "f23", "f43", "cf43", "cf43m4", "f43 per-channel U", "cf43 per-channel U"}) {
        QConvOptions o;
        o.in = 6;
        o.out = 5;
        o.variant = v.substr(0, v.find(' '));
        o.relu = true;
        o.per_tap = true;
        o.per_channel_u = v.find("per-channel") != std::string::npos;
        QConv conv(o);
        if (o.per_channel_u) {
            EXPECT_EQ(conv->w_quant->planes(), int64_t(plane_layout(*parse_variant(o.variant)).prod.size()) * 5) << v;
        }
        const double x_scale = 0.05;
        const std::vector<int8_t> xin = random_int8(rng, 2 * 6 * 7 * 9, false);
        const torch::Tensor x = to_nchw(xin, 2, 7, 9, 6);
        conv->set_quant_state(QuantState::kObserve);
        conv->forward({x.to(torch::kFloat) * x_scale});
        CalibrationOptions co;
        co.method = ClipMethod::kPercentile;
        for (Quantizer& q : conv->quantizers()) q->finish_calibration(co);
        conv->set_mode(Mode::kInteger);
        const Act y = conv->forward({x, x_scale});
        std::vector<int8_t> ref(2 * 7 * 9 * 5);
        if (o.variant == "direct") {
            DirectConvParams p = conv->direct_params(x_scale, 0, 7, 9);
            p.shape.N = 2;
            reference::direct_conv(p, xin.data(), nullptr, ref.data());
        } else {
            WinogradConvParams p = conv->winograd_params(x_scale, 0, 7, 9);
            p.shape.N = 2;
            reference::winograd_conv(p, xin.data(), nullptr, ref.data());
        }
        EXPECT_EQ(to_nhwc(y.v), ref) << v;
        EXPECT_DOUBLE_EQ(y.scale, conv->y_quant->scale());
    }
}

}  // namespace
}  // namespace winoq::train
