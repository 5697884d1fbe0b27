// The benchmark's peer computes the same convolution as winoq: oneDNN's int8 output for a
// winoq DirectConvParams agrees with winoq::reference::direct_conv. oneDNN requantizes in
// float (and saturates at -128, not -127), so one step of difference is allowed, rarely.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "int8_diff.h"
#include "onednn_conv.h"
#include "winoq/analysis/random_layer.h"
#include "winoq/numerics/reference.h"

namespace winoq::bench {
namespace {

struct Case {
    int N, C, K, H, W, kernel, stride, pad;
};

ConvShape shape_of(const Case& c) {
    ConvShape s;
    s.N = c.N;
    s.C = c.C;
    s.K = c.K;
    s.H = c.H;
    s.W = c.W;
    s.kernel = c.kernel;
    s.stride = c.stride;
    s.pad = c.pad;
    return s;
}

// Runs both and checks: no element off by more than one step, at most 1% off at all, and an
// output that is not constant (a wrong layout or scale would still "agree" on all zeros).
// oneDNN saturates s8 at -128 where winoq's symmetric range stops at -127: those pairs are
// expected and set aside before counting.
void expect_peer_matches(const DirectConvParams& p, const std::vector<int8_t>& in, OneDnnSrc src) {
    std::vector<int8_t> want(p.shape.out_size()), got(p.shape.out_size(), 99);
    reference::direct_conv(p, in.data(), nullptr, want.data());
    OneDnnConv(p, src).run(in.data(), got.data());
    size_t saturated = 0;
    for (size_t i = 0; i < got.size(); ++i)
        if (got[i] == -128 && want[i] == -127) {
            got[i] = -127;
            ++saturated;
        }
    EXPECT_LE(saturated, want.size() / 20) << "too many saturated outputs for a meaningful comparison";
    const Int8Diff d = compare_int8(got.data(), want.data(), want.size());
    EXPECT_LE(d.max_abs, 1);
    EXPECT_LE(d.nonzero, want.size() / 100);
    const std::set<int8_t> distinct(want.begin(), want.end());
    EXPECT_GE(distinct.size(), 20u) << "reference output too uniform for a meaningful comparison";
}

class OneDnnPeer : public ::testing::TestWithParam<Case> {};

TEST_P(OneDnnPeer, U8ReluMatchesReference) {
    const ConvShape s = shape_of(GetParam());
    const RandomLayer layer = make_random_layer(s, 7);
    expect_peer_matches(direct_params(layer), layer.input, OneDnnSrc::kU8);
}

TEST_P(OneDnnPeer, S8SignedInputNoReluMatchesReference) {
    const ConvShape s = shape_of(GetParam());
    const RandomLayer layer = make_random_layer(s, 11, /*signed_input=*/true);
    DirectConvParams p = direct_params(layer);
    p.out.relu = false;  // the multipliers do not depend on it
    // Without VNNI oneDNN multiplies int8 with vpmaddubsw, whose int16 pair sums saturate for a
    // signed source (its documented non-VNNI int8 behaviour): no exact peer to compare with.
    const std::string impl = OneDnnConv(p, OneDnnSrc::kS8).impl_name();
    if (impl.find("vnni") == std::string::npos && impl.find("amx") == std::string::npos)
        GTEST_SKIP() << "oneDNN runs " << impl << " here: its s8-source int8 path saturates without VNNI";
    expect_peer_matches(p, layer.input, OneDnnSrc::kS8);
}

INSTANTIATE_TEST_SUITE_P(Shapes, OneDnnPeer,
                         ::testing::Values(Case{1, 16, 16, 12, 12, 3, 1, 1},  // a ResNet-20-like layer
                                           Case{2, 24, 40, 9, 11, 3, 1, 1},   // batch 2, C != K, odd sizes
                                           Case{1, 32, 64, 10, 10, 3, 2, 1},  // stride 2
                                           Case{1, 48, 32, 7, 7, 1, 1, 0}),   // 1x1
                         [](const ::testing::TestParamInfo<Case>& i) {
                             const Case& c = i.param;
                             return "N" + std::to_string(c.N) + "_C" + std::to_string(c.C) + "_K" +
                                    std::to_string(c.K) + "_" + std::to_string(c.H) + "x" + std::to_string(c.W) + "_k" +
                                    std::to_string(c.kernel) + "s" + std::to_string(c.stride);
                         });

}  // namespace
}  // namespace winoq::bench
