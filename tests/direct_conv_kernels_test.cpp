// The Halide direct convolution (winoq::ConvKernel on DirectConvParams) is bit-exact with the
// scalar reference winoq::reference::direct_conv: 3x3 and 1x1, stride 1 and 2, channel counts
// that are and are not multiples of 4 and 16, odd and ResNet-like sizes, batches, residual
// and ReLU, extreme inputs and saturating output scales.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "expected_target.h"
#include "winoq/kernels/conv_kernels.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/reference.h"

using namespace winoq;

namespace {

enum class Fill { kRandom, kExtremeLow, kExtremeHigh, kSmall };
enum class Scale { kSpread, kSaturating, kHugeMult, kUnit };

struct Case {
    int N, C, H, W, K, kernel, stride, pad;
    bool residual, relu;
    Fill fill = Fill::kRandom;
    Scale scale = Scale::kSpread;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << "N" << c.N << " C" << c.C << " " << c.H << "x" << c.W << " K" << c.K << " k" << c.kernel << " s"
              << c.stride << " p" << c.pad << (c.residual ? " res" : "") << (c.relu ? " relu" : "") << " fill"
              << int(c.fill) << " scale" << int(c.scale);
}

struct Layer {
    DirectConvParams p;
    std::vector<int8_t> in, residual;
};

// Integer layer params. kSpread: mult / 2^shift maps the typical accumulator to about +-60,
// so outputs cover the whole int8 range without mostly saturating.
Layer make_layer(const Case& c, uint32_t seed) {
    std::mt19937 rng(seed);
    Layer L;
    DirectConvParams& p = L.p;
    p.shape = {c.N, c.C, c.H, c.W, c.K, c.kernel, c.stride, c.pad};
    const ConvShape& s = p.shape;
    std::uniform_int_distribution<int> w8(-127, 127), a8(-128, 127), shift_d(24, 40);
    p.weights.resize(size_t(s.K) * s.kernel * s.kernel * s.C);
    for (auto& w : p.weights) w = int8_t(w8(rng));
    L.in.resize(s.in_size());
    std::uniform_int_distribution<int> small(-3, 3);
    for (auto& v : L.in)
        v = int8_t(c.fill == Fill::kExtremeLow    ? -128
                   : c.fill == Fill::kExtremeHigh ? 127
                   : c.fill == Fill::kSmall       ? small(rng)
                                                  : a8(rng));
    if (c.fill == Fill::kSmall)
        for (auto& w : p.weights) w = int8_t(small(rng));
    if (c.fill == Fill::kExtremeLow ||
        c.fill == Fill::kExtremeHigh) {  // the largest |accumulators|: weights of one sign per filter
        for (int k = 0; k < s.K; ++k)
            for (size_t i = 0; i < size_t(s.kernel) * s.kernel * s.C; ++i)
                p.weights[k * size_t(s.kernel) * s.kernel * s.C + i] = int8_t(k % 2 ? 127 : -127);
    }
    if (c.residual) {
        L.residual.resize(s.out_size());
        for (auto& v : L.residual) v = int8_t(a8(rng));
    }
    OutputStage& o = p.out;
    o.residual = c.residual;
    o.relu = c.relu;
    const double acc_typ = std::sqrt(double(s.C) * s.kernel * s.kernel) * 73.0 * 73.0;
    std::uniform_real_distribution<double> u(0.5, 1.5);
    std::uniform_int_distribution<int32_t> bias_d(-int32_t(acc_typ), int32_t(acc_typ));
    for (int k = 0; k < s.K; ++k) {
        int shift = shift_d(rng);
        // kSaturating: most outputs clamp to -127 / 0 / 127.
        const double ratio = 60.0 / acc_typ * u(rng) * (c.scale == Scale::kSaturating ? 64 : 1);
        const double res_ratio = 0.7 * u(rng);
        while (std::ldexp(std::max(ratio, res_ratio), shift) >= 2147483647.0) --shift;  // |mult| < 2^31
        int64_t mult = std::llround(std::ldexp(ratio, shift));
        int64_t res_mult = std::llround(std::ldexp(res_ratio, shift));
        int32_t bias = bias_d(rng);
        if (c.scale == Scale::kHugeMult) {  // the extremes of the int64 output stage
            shift = k % 3 == 0 ? 1 : 62;
            mult = k % 2 ? 2147483647 : -2147483647;
            res_mult = k % 2 ? -2147483647 : 2147483647;
            bias = k % 2 ? (1 << 30) : -(1 << 30);
        }
        if (c.scale == Scale::kUnit) {  // every unit of the accumulator shows, ties included
            shift = 1 + k % 30;         // mult < 2^31
            mult = k % 2 ? (int64_t(1) << shift) : (int64_t(1) << (shift - 1));
            res_mult = std::llround(std::ldexp(res_ratio, shift));
            bias = bias_d(rng) % 8;
        }
        if (k % 5 == 4) mult = -mult;
        o.bias.push_back(bias);
        EXPECT_LT(std::max(std::llabs(mult), std::llabs(res_mult)), int64_t(1) << 31);
        o.mult.push_back(int32_t(mult));
        o.res_mult.push_back(c.residual ? int32_t(res_mult) : 0);
        o.shift.push_back(shift);
    }
    return L;
}

class DirectConvKernelTest : public ::testing::TestWithParam<Case> {};

TEST_P(DirectConvKernelTest, BitExactWithReference) {
    const Case& c = GetParam();
    const Layer L = make_layer(c, 1234u + c.C * 7u + c.K * 13u + c.H);
    const ConvShape& s = L.p.shape;
    std::vector<int8_t> expected(s.out_size()), got(s.out_size(), int8_t(99));
    const int8_t* res = c.residual ? L.residual.data() : nullptr;
    reference::direct_conv(L.p, L.in.data(), res, expected.data());

    ConvKernel kernel(L.p);
    EXPECT_EQ(kernel.variant(), Variant::kDirect);
    kernel.run(L.in.data(), res, got.data());
    size_t mismatches = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i)
        if (got[i] != expected[i] && mismatches++ == 0) first = i;
    ASSERT_EQ(mismatches, 0u) << "first at " << first << ": got " << int(got[first]) << " expected "
                              << int(expected[first]);

    // A second run (kept scratch buffers) gives the same result.
    std::vector<int8_t> again(s.out_size(), int8_t(-99));
    kernel.run(L.in.data(), res, again.data());
    EXPECT_EQ(again, got);

    // The test exercises the output range it claims to (not, e.g., all zeros).
    int clamped = 0, inner = 0;
    for (int8_t v : expected) (v == 127 || v == -127 || (c.relu && v == 0) ? clamped : inner)++;
    if (c.scale == Scale::kSpread && c.fill == Fill::kRandom) EXPECT_GT(inner, int(expected.size()) / 4);
    if (c.scale == Scale::kSaturating) EXPECT_GT(clamped, int(expected.size()) / 2);
}

std::vector<Case> cases() {
    std::vector<Case> v;
    // 3x3 stride 1, ResNet-like sizes and channel counts, multiples of 16 and not.
    v.push_back({1, 16, 32, 32, 16, 3, 1, 1, false, true});
    v.push_back({1, 64, 14, 14, 64, 3, 1, 1, true, true});
    v.push_back({1, 32, 28, 28, 32, 3, 1, 1, false, false});
    v.push_back({2, 64, 7, 7, 64, 3, 1, 1, true, false});
    v.push_back({1, 3, 32, 32, 16, 3, 1, 1, false, true});  // the stem: 3 input channels
    v.push_back({2, 5, 9, 11, 3, 3, 1, 1, false, false});
    v.push_back({1, 12, 13, 7, 17, 3, 1, 1, true, true});
    v.push_back({2, 20, 15, 17, 40, 3, 1, 1, false, true});
    v.push_back({1, 33, 6, 10, 24, 3, 1, 1, true, false});
    v.push_back({1, 8, 1, 1, 16, 3, 1, 1, false, false});   // a single pixel
    v.push_back({1, 16, 5, 4, 16, 3, 1, 0, false, false});  // no padding: 3x2 output
    // 3x3 stride 2 (ResNet downsampling), even and odd sizes.
    v.push_back({1, 16, 32, 32, 32, 3, 2, 1, false, true});
    v.push_back({2, 64, 14, 14, 64, 3, 2, 1, true, true});
    v.push_back({1, 24, 15, 9, 20, 3, 2, 1, false, false});
    v.push_back({2, 7, 28, 28, 48, 3, 2, 1, true, false});
    v.push_back({1, 16, 9, 8, 16, 3, 2, 0, false, true});  // no padding: 4x3 output
    // 7x7 stride 2 (the ResNet-18 stem: 3 channels, padding 3), odd sizes, no padding.
    v.push_back({1, 3, 56, 56, 64, 7, 2, 3, false, true});
    v.push_back({2, 3, 23, 17, 20, 7, 2, 3, false, false});
    v.push_back({1, 5, 15, 16, 16, 7, 2, 0, false, true});
    // 1x1 stride 1 and 2 (shortcuts, bottlenecks).
    v.push_back({1, 64, 14, 14, 64, 1, 1, 0, false, false});
    v.push_back({2, 16, 32, 32, 32, 1, 2, 0, true, false});
    v.push_back({1, 9, 7, 13, 5, 1, 1, 0, true, true});
    v.push_back({2, 40, 11, 11, 72, 1, 2, 0, false, true});
    v.push_back({1, 16, 8, 8, 16, 1, 1, 1, false, false});  // 1x1 with padding: a zero border
    v.push_back({1, 20, 7, 6, 16, 1, 2, 1, true, false});   // ... and stride 2
    // Extreme inputs (largest |accumulators|) and saturating / extreme output scales.
    Case e{1, 64, 9, 9, 32, 3, 1, 1, false, false, Fill::kExtremeLow, Scale::kSpread};
    v.push_back(e);
    e.fill = Fill::kExtremeHigh;
    e.residual = true;
    v.push_back(e);
    e = {2, 24, 10, 10, 20, 3, 2, 1, true, true, Fill::kRandom, Scale::kSaturating};
    v.push_back(e);
    e = {1, 16, 8, 8, 48, 3, 1, 1, true, false, Fill::kRandom, Scale::kHugeMult};
    v.push_back(e);
    e = {1, 64, 6, 6, 16, 1, 1, 0, false, true, Fill::kExtremeLow, Scale::kHugeMult};
    v.push_back(e);
    // Small values at scale 1 and 1/2: an accumulator off by one changes the output.
    e = {2, 6, 9, 10, 20, 3, 1, 1, true, false, Fill::kSmall, Scale::kUnit};
    v.push_back(e);
    e = {1, 18, 8, 7, 16, 3, 2, 1, false, false, Fill::kSmall, Scale::kUnit};
    v.push_back(e);
    e = {1, 4, 9, 9, 17, 1, 1, 0, false, true, Fill::kSmall, Scale::kUnit};
    v.push_back(e);
    return v;
}

INSTANTIATE_TEST_SUITE_P(Shapes, DirectConvKernelTest, ::testing::ValuesIn(cases()));

TEST(DirectConvKernel, FromQuantizedFloatLayer) {
    // The float -> int path (quantize_direct_conv) feeds the kernel like any other params.
    ConvShape s{1, 16, 12, 12, 32, 3, 1, 1};
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0.f, 0.1f);
    std::vector<float> w(size_t(s.K) * s.C * 9), b(s.K);
    for (auto& x : w) x = g(rng);
    for (auto& x : b) x = g(rng);
    const DirectConvParams p = quantize_direct_conv(s, w.data(), b.data(), 0.02, std::vector<double>(s.K, 0.003),
                                                    OutputScales{0.05, 0.0, true});
    std::vector<int8_t> in(s.in_size()), expected(s.out_size()), got(s.out_size());
    std::uniform_int_distribution<int> a8(-127, 127);
    for (auto& v : in) v = int8_t(a8(rng));
    reference::direct_conv(p, in.data(), nullptr, expected.data());
    ConvKernel kernel(p);
    kernel.run(in.data(), nullptr, got.data());
    EXPECT_EQ(got, expected);
}

// ctest runs this binary once per compiled target (WINOQ_TARGET=<name>): the kernels must really
// run that target (or the next lower one where the CPU lacks it).
TEST(DirectConvKernel, DispatchRunsTheRequestedTarget) {
    const Layer L = make_layer({1, 16, 8, 8, 16, 3, 1, 1, false, false}, 3);
    ConvKernel kernel(L.p);
    std::vector<int8_t> out(L.p.shape.out_size());
    kernel.run(L.in.data(), nullptr, out.data());
    EXPECT_EQ(active_target_name(), test::expected_target()) << "WINOQ_TARGET='" << test::requested_target() << "'";
}

TEST(DirectConvKernel, RejectsWrongResidualArgumentAndShapes) {
    const Layer L = make_layer({1, 16, 8, 8, 16, 3, 1, 1, true, false}, 1);
    ConvKernel kernel(L.p);
    std::vector<int8_t> out(L.p.shape.out_size());
    EXPECT_THROW(kernel.run(L.in.data(), nullptr, out.data()), std::invalid_argument);

    const Layer M = make_layer({1, 16, 8, 8, 16, 3, 1, 1, false, false}, 2);
    ConvKernel plain(M.p);
    EXPECT_THROW(plain.run(M.in.data(), L.residual.data(), out.data()), std::invalid_argument);

    DirectConvParams bad = M.p;
    bad.shape.kernel = 5;
    EXPECT_THROW(ConvKernel{bad}, std::invalid_argument);
    bad = M.p;
    bad.weights.pop_back();
    EXPECT_THROW(ConvKernel{bad}, std::invalid_argument);
}

}  // namespace
