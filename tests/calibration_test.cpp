// Calibration methods on distributions whose answer is known independently, and the
// Winograd scales checked against the integer reference (max scales saturate nothing and
// use the full int8 range).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <cmath>
#include <numeric>
#include <random>

#include "winoq/analysis/calibration.h"
#include "winoq/analysis/float_conv.h"
#include "winoq/analysis/layer_error.h"
#include "winoq/numerics/reference.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"

namespace winoq {
namespace {

std::vector<double> normal_values(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> d(0.0, 1.0);
    std::vector<double> v(n);
    for (double& x : v) x = d(rng);
    return v;
}

TEST(ClipMax, IsTheLargestMagnitude) {
    EXPECT_DOUBLE_EQ(clip_max({0.5, -3.25, 2.0}), 3.25);
    EXPECT_DOUBLE_EQ(clip_max({}), 0.0);
}

TEST(ClipPercentile, PicksTheNearestRankOrderStatistic) {
    std::vector<double> v(10000);
    std::iota(v.begin(), v.end(), 1.0);  // 1 .. 10000
    std::shuffle(v.begin(), v.end(), std::mt19937(7));
    for (size_t i = 0; i < v.size(); i += 2) v[i] = -v[i];  // signs must not matter
    EXPECT_DOUBLE_EQ(clip_percentile(v, 99.99), 9999.0);    // ceil(0.9999 * 10000) = 9999th smallest
    EXPECT_DOUBLE_EQ(clip_percentile(v, 50.0), 5000.0);
    EXPECT_DOUBLE_EQ(clip_percentile(v, 100.0), 10000.0);
    EXPECT_DOUBLE_EQ(clip_percentile(v, 0.005), 1.0);
    EXPECT_DOUBLE_EQ(clip_percentile({-4.0, 1.0, 2.0}, 60.0), 2.0);  // rank ceil(1.8) = 2 of |v| = {1, 2, 4}
    EXPECT_THROW(clip_percentile(v, 0.0), std::invalid_argument);
    EXPECT_THROW(clip_percentile(v, 100.5), std::invalid_argument);
}

TEST(QuantizationMse, CountsRoundingAndClipping) {
    // alpha = 127: scale 1. 0.5 rounds half to even (to 0), 1.25 to 1, 300 clips to 127.
    EXPECT_DOUBLE_EQ(quantization_mse({0.5, 1.25}, 127.0), (0.25 + 0.0625) / 2);
    EXPECT_DOUBLE_EQ(quantization_mse({300.0}, 127.0), 173.0 * 173.0);
    EXPECT_DOUBLE_EQ(quantization_mse({-300.0}, 127.0), 173.0 * 173.0);
    EXPECT_DOUBLE_EQ(quantization_mse({2.0, -2.0}, 0.0), 4.0);  // alpha 0: everything becomes 0
}

TEST(ClipMse, UniformDataKeepsAboutTheMaximum) {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> v(200000);
    for (double& x : v) x = u(rng);
    const double top = clip_max(v), alpha = clip_mse(v, 64);
    // Clipping a uniform distribution costs (1 - a)^3 / 3 against a rounding gain of order
    // (a / 127)^2 / 12: the optimum is within a few percent of the maximum.
    EXPECT_GT(alpha, 0.95 * top);
    EXPECT_LE(alpha, top);
}

TEST(ClipMse, GaussianOptimumMatchesTheory) {
    // For N(0, 1) and levels -127..127 the MSE is 2((1 + a^2) Q(a) - a phi(a)) (clipping) +
    // (a / 127)^2 / 12 (1 - 2 Q(a)) (rounding); minimise it on a fine grid here.
    auto theory = [](double a) {
        const double q = 0.5 * std::erfc(a / std::sqrt(2.0)), phi = std::exp(-a * a / 2) / std::sqrt(2 * M_PI);
        return 2 * ((1 + a * a) * q - a * phi) + (a / 127) * (a / 127) / 12 * (1 - 2 * q);
    };
    double best = 1.0;
    for (double a = 1.0; a < 8.0; a += 0.001)
        if (theory(a) < theory(best)) best = a;
    ASSERT_NEAR(best, 3.92, 0.01);  // the known 8-bit optimum (Banner et al., ACIQ)
    const std::vector<double> v = normal_values(1000000, 11);
    const double alpha = clip_mse(v, 64);
    EXPECT_NEAR(alpha, best, 0.2);
    EXPECT_LT(alpha, clip_max(v) * 0.9);  // 1e6 samples reach about 5 sigma: it does clip
}

TEST(ClipMse, IsTheBestCandidateByDirectEvaluation) {
    // The fast search (sorted values, prefix sums) must agree with scoring each value: no
    // alpha on a dense grid may beat its choice by more than the grid's resolution allows.
    std::mt19937_64 rng(5);
    std::normal_distribution<double> n(0.0, 1.0);  // log-normal magnitudes: a heavy tail
    std::vector<double> v(20000);
    for (double& x : v) x = (rng() & 1 ? 1 : -1) * std::exp(1.5 * n(rng));
    const double alpha = clip_mse(v, 64), top = clip_max(v);
    const double chosen = quantization_mse(v, alpha);
    double best = quantization_mse(v, top);
    for (int i = 1; i < 2000; ++i) best = std::min(best, quantization_mse(v, top * std::exp2(-12.0 * i / 1999)));
    EXPECT_LE(chosen, best * 1.01);
    EXPECT_LT(alpha, 0.99 * top);  // the tail is clipped
}

TEST(ClipMse, ZeroDataGivesZero) { EXPECT_EQ(clip_mse({0.0, 0.0}, 8), 0.0); }

TEST(Calibration, MethodsAreOrderedOnGaussianData) {
    const std::vector<double> v = normal_values(100000, 13);
    CalibrationOptions o;
    o.method = ClipMethod::kMax;
    const double mx = calibrate_activation_scale(v, o);
    o.method = ClipMethod::kPercentile;
    o.percentile = 99.0;
    const double pct = calibrate_activation_scale(v, o);
    EXPECT_NEAR(pct * kQMax, 2.576, 0.05);  // |N(0,1)| 99th percentile
    EXPECT_LT(pct, mx);
    EXPECT_DOUBLE_EQ(mx * kQMax, clip_max(v));
}

TEST(Calibration, ParsesNames) {
    for (ClipMethod m : {ClipMethod::kMax, ClipMethod::kPercentile, ClipMethod::kMse})
        EXPECT_EQ(parse_clip_method(clip_method_name(m)), m);
    EXPECT_FALSE(parse_clip_method("minmax"));
    EXPECT_EQ(parse_granularity("tap"), ScaleGranularity::kPerTap);
    EXPECT_EQ(parse_granularity("tensor"), ScaleGranularity::kPerTensor);
    EXPECT_FALSE(parse_granularity("channel"));
}

// With max scales calibrated on the very data the layer runs on, the integer input
// transform reaches +-127 in every scale group and never exceeds it.
void check_max_scales_fill_int8(Variant v, ScaleGranularity g) {
    SCOPED_TRACE(std::string(variant_name(v)) + " per " + granularity_name(g));
    const LayerData d = make_random_layer(8, 4, 9, 7, 1, 1, 21);
    CalibrationOptions o;
    o.method = ClipMethod::kMax;
    o.granularity = g;
    const double sx = calibrate_activation_scale(d.calib_x, o);
    const ConvShape s = d.layer.shape(1, d.H, d.W);
    const WinogradScales sc = calibrate_winograd_conv(v, s, d.layer.weights.data(), nullptr, d.calib_x, sx, o);
    const PlaneLayout& L = plane_layout(v);
    ASSERT_EQ(sc.act.size(), L.act.size());
    ASSERT_EQ(sc.w.size(), L.prod.size());
    for (size_t a = 0; a < L.act.size(); ++a) {
        // Complex values: re and im of a tap share one scale.
        if (L.act[a].part == ActPart::kIm) EXPECT_EQ(sc.act[a], sc.act[L.act_re[L.act[a].tap]]);
        if (g == ScaleGranularity::kPerTensor && L.act[a].part != ActPart::kReIm) EXPECT_EQ(sc.act[a], sc.act[0]);
    }
    const WinogradConvParams p = quantize_winograd_conv(v, s, d.layer.weights.data(), nullptr, sc);
    const std::vector<int8_t> xq = quantize_activations(d.calib_x, sx);
    const std::vector<int8_t> X = reference::input_transform(p, xq.data());
    const size_t plane = size_t(p.tiles()) * s.C;
    std::map<double, int> group_max;  // planes with one scale form one group
    for (size_t a = 0; a < L.act.size(); ++a)
        for (size_t i = 0; i < plane; ++i)
            group_max[sc.act[a]] = std::max(group_max[sc.act[a]], std::abs(int(X[a * plane + i])));
    for (const auto& [scale, mx] : group_max) EXPECT_EQ(mx, 127) << "scale " << scale;
    // Filter planes: the weight of largest magnitude in each scale group is +-127.
    std::map<double, int> wmax;
    for (size_t q = 0; q < L.prod.size(); ++q)
        for (size_t i = 0; i < size_t(s.K) * s.C; ++i)
            wmax[sc.w[q]] = std::max(wmax[sc.w[q]], std::abs(int(p.weights[q * s.K * s.C + i])));
    for (const auto& [scale, mx] : wmax) EXPECT_EQ(mx, 127) << "weight scale " << scale;
}

TEST(Calibration, MaxScalesFillTheInt8RangeWithoutSaturating) {
    for (Variant v : kWinogradVariants)
        for (ScaleGranularity g : {ScaleGranularity::kPerTensor, ScaleGranularity::kPerTap})
            check_max_scales_fill_int8(v, g);
}

TEST(Calibration, PerTapGivesEachTapItsOwnScale) {
    const LayerData d = make_random_layer(8, 4, 8, 8, 1, 1, 4);
    CalibrationOptions o;
    o.granularity = ScaleGranularity::kPerTap;
    const double sx = calibrate_activation_scale(d.calib_x, o);
    const WinogradScales sc = calibrate_winograd_conv(Variant::kF43, d.layer.shape(1, 8, 8), d.layer.weights.data(),
                                                      nullptr, d.calib_x, sx, o);
    // F(4,3)'s input transform grows the taps very differently (row norms of B^T differ).
    const auto [lo, hi] = std::minmax_element(sc.act.begin(), sc.act.end());
    EXPECT_GT(*hi / *lo, 4.0);
}

TEST(Calibration, PerChannelUFillsEachOutputChannelsInt8Range) {
    // Max scales per (product plane group, output channel): for every output channel k, the
    // largest |weight| of each group is 127, though the channels' filters differ in size.
    for (Variant v : kWinogradVariants)
        for (ScaleGranularity g : {ScaleGranularity::kPerTensor, ScaleGranularity::kPerTap}) {
            SCOPED_TRACE(std::string(variant_name(v)) + " per " + granularity_name(g));
            LayerData d = make_random_layer(6, 5, 8, 8, 1, 1, 31);
            const int C = 6, K = 5;
            // Channel k's filters: channel 0's scaled by 2^-k (exact in floating point).
            for (int k = 1; k < K; ++k)
                for (int i = 0; i < C * 9; ++i)
                    d.layer.weights[size_t(k) * C * 9 + size_t(i)] = d.layer.weights[size_t(i)] * std::ldexp(1.0f, -k);
            CalibrationOptions o;
            o.method = ClipMethod::kMax;
            o.granularity = g;
            const double sx = calibrate_activation_scale(d.calib_x, o);
            const ConvShape s = d.layer.shape(1, 8, 8);
            o.per_channel_u = true;
            const WinogradScales sc = calibrate_winograd_conv(v, s, d.layer.weights.data(), nullptr, d.calib_x, sx, o);
            const PlaneLayout& L = plane_layout(v);
            ASSERT_TRUE(sc.w_per_channel);
            ASSERT_EQ(sc.w.size(), L.prod.size() * size_t(K));
            const WinogradConvParams p = quantize_winograd_conv(v, s, d.layer.weights.data(), nullptr, sc);
            for (int k = 0; k < K; ++k) {
                std::map<double, int> wmax;  // this channel's scale groups
                for (size_t q = 0; q < L.prod.size(); ++q)
                    for (int c = 0; c < C; ++c)
                        wmax[weight_scale(sc, int(q), k, K)] =
                            std::max(wmax[weight_scale(sc, int(q), k, K)],
                                     std::abs(int(p.weights[(q * K + size_t(k)) * C + size_t(c)])));
                for (const auto& [scale, mx] : wmax) EXPECT_EQ(mx, 127) << "channel " << k << " scale " << scale;
            }
            // The channel scaled by 1/16 gets scales 16x smaller than channel 0's, plane by plane.
            for (size_t q = 0; q < L.prod.size(); ++q)
                EXPECT_DOUBLE_EQ(weight_scale(sc, int(q), 4, K) * 16, weight_scale(sc, int(q), 0, K)) << "plane " << q;
        }
}

TEST(Calibration, DirectMaxScales) {
    const LayerData d = make_random_layer(4, 3, 5, 5, 1, 1, 8);
    CalibrationOptions o;
    const double sx = calibrate_activation_scale(d.calib_x, o);
    const ConvShape s = d.layer.shape(1, 5, 5);
    const DirectConvScales sc = calibrate_direct_conv(s, d.layer.weights.data(), nullptr, d.calib_x, sx, o);
    double wmax = 0;
    for (float w : d.layer.weights) wmax = std::max(wmax, std::fabs(double(w)));
    ASSERT_EQ(sc.w.size(), 3u);
    for (double w : sc.w) EXPECT_DOUBLE_EQ(w, wmax / 127);
    const std::vector<double> xq = dequantize(quantize_activations(d.calib_x, sx), sx);
    EXPECT_DOUBLE_EQ(sc.out.y, clip_max(float_conv(s, xq.data(), d.layer.weights.data(), nullptr)) / 127);
}

TEST(Calibration, RejectsMismatchedInput) {
    const LayerData d = make_random_layer(4, 3, 5, 5, 1, 1, 8);
    const std::vector<double> short_x(10, 1.0);
    EXPECT_THROW(calibrate_winograd_conv(Variant::kF23, d.layer.shape(1, 5, 5), d.layer.weights.data(), nullptr,
                                         short_x, 0.01, {}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace winoq
