// The trainer's copy of the per-tap M scale grid agrees with what winoq::quantize_winograd_conv
// does with WinogradScales::m_plane (left shifts and the base scale the bias is quantized in).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "trainer/quant/m_grid.h"
#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"

namespace winoq::train {
namespace {

TEST(MGrid, MatchesQuantizeWinogradConv) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> e(-16.0, 2.0);
    for (Variant v : kWinogradVariants)
        for (int trial = 0; trial < 20; ++trial) {
            const int O = static_cast<int>(plane_layout(v).out.size());
            ConvShape s{1, 1, 4, 4, 1, 3, 1, 1};
            const float w[9] = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f, 0.9f};
            const float b[1] = {1.0f};
            WinogradScales sc;
            sc.act.assign(plane_layout(v).act.size(), 0.01);
            sc.w.assign(plane_layout(v).prod.size(), 0.01);
            for (int o = 0; o < O; ++o) sc.m_plane.push_back(std::exp2(e(rng)));
            sc.m = 1.0;
            sc.out.y = 0.01;
            const WinogradConvParams p = quantize_winograd_conv(v, s, w, b, sc);
            const MPlaneGrid g = m_plane_grid(sc.m_plane);
            ASSERT_EQ(p.m_lshift.size(), g.lshift.size());
            for (int o = 0; o < O; ++o) EXPECT_EQ(p.m_lshift[o], g.lshift[o]) << variant_name(v) << " plane " << o;
            // The bias is quantized in the base scale.
            EXPECT_EQ(p.out.bias[0], quantize_bias(1.0, g.base));
            for (int l : g.lshift) {
                EXPECT_GE(l, 0);
                EXPECT_LE(l, kMaxMLeftShift);
            }
        }
}

TEST(MGrid, ProjectionKeepsGridValuesAndIsScaleInvariant) {
    const torch::Tensor a = torch::tensor({1.0, 2.0, 8.0, 3.0}, torch::kDouble);
    const torch::Tensor g = project_to_m_grid(a);
    EXPECT_TRUE(torch::allclose(g, torch::tensor({1.0, 2.0, 8.0, 4.0}, torch::kDouble)));  // 3 -> 2^round(log2 3) = 4
    EXPECT_TRUE(torch::allclose(project_to_m_grid(a * 127.0), g * 127.0));
}

}  // namespace
}  // namespace winoq::train
