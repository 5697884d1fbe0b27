// The Winograd matrices are exact: A^T[(G g G^T) . (B^T d B)]A equals direct correlation
// for random integer tiles and filters, computed in exact Gaussian integer arithmetic.
#include <gtest/gtest.h>

#include <random>

#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

using namespace winoq;

namespace {

// Direct correlation of an n x n tile with a 3x3 filter: the m x m valid outputs.
std::vector<int64_t> direct_tile(const std::vector<int64_t>& d, const std::vector<int64_t>& g, int n, int m) {
    std::vector<int64_t> y(m * m, 0);
    for (int a = 0; a < m; ++a)
        for (int b = 0; b < m; ++b)
            for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) y[a * m + b] += d[(a + i) * n + (b + j)] * g[i * 3 + j];
    return y;
}

// U * g_den^2 = G_num g G_num^T, exact Gaussian integers.
std::vector<Complex<int64_t>> scaled_filter_transform(const WinogradMatrices& w, const std::vector<int64_t>& g) {
    std::vector<Complex<int64_t>> U(w.n * w.n, {0, 0});
    for (int i = 0; i < w.n; ++i)
        for (int j = 0; j < w.n; ++j)
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) {
                    const GaussInt gi = w.g(i, a), gj = w.g(j, b);
                    U[i * w.n + j].re += (gi.re * gj.re - gi.im * gj.im) * g[a * 3 + b];
                    U[i * w.n + j].im += (gi.re * gj.im + gi.im * gj.re) * g[a * 3 + b];
                }
    return U;
}

class TransformExact : public ::testing::TestWithParam<Variant> {};

TEST_P(TransformExact, WinogradEqualsDirectCorrelation) {
    const Variant v = GetParam();
    const WinogradMatrices& w = winograd_matrices(v);
    const PlaneLayout& L = plane_layout(v);
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> dist(-128, 127);
    const int64_t den2 = w.g_den * w.g_den;
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<int64_t> d(w.n * w.n), g(9);
        for (auto& x : d) x = dist(rng);
        for (auto& x : g) x = dist(rng);
        const std::vector<Complex<int64_t>> V = input_transform<int64_t>(w, d, 0);
        const std::vector<Complex<int64_t>> U = scaled_filter_transform(w, g);
        std::vector<Complex<int64_t>> M(V.size());
        for (size_t t = 0; t < V.size(); ++t)
            M[t] = {U[t].re * V[t].re - U[t].im * V[t].im, U[t].re * V[t].im + U[t].im * V[t].re};
        // 1) every tap computed, treated as complex.
        const std::vector<int64_t> y_full = output_transform<int64_t>(w, M, std::vector<bool>(M.size(), false), 0);
        // 2) only representative taps, conjugates filled in from them (what the kernels do).
        std::vector<int64_t> planes(L.out.size());
        for (size_t o = 0; o < L.out.size(); ++o)
            planes[o] = L.out[o].part == ActPart::kIm ? M[L.out[o].tap].im : M[L.out[o].tap].re;
        const std::vector<int64_t> y_rep =
            output_transform<int64_t>(w, tap_grid_from_out_planes<int64_t>(L, planes, 0), tap_is_real(L), 0);
        const std::vector<int64_t> ref = direct_tile(d, g, w.n, w.m);
        for (int i = 0; i < w.m * w.m; ++i) {
            ASSERT_EQ(y_full[i], ref[i] * den2) << variant_name(v) << " output " << i;
            ASSERT_EQ(y_rep[i], ref[i] * den2) << variant_name(v) << " output " << i;
        }
        // Real taps really hold real values, conjugate taps the conjugate of their representative.
        for (size_t t = 0; t < V.size(); ++t) {
            const TapInfo& ti = L.taps[t];
            if (ti.real) EXPECT_EQ(V[t].im, 0);
            if (ti.conj) {
                EXPECT_EQ(V[t].re, V[ti.rep].re);
                EXPECT_EQ(V[t].im, -V[ti.rep].im);
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllWinograd, TransformExact, ::testing::ValuesIn(kWinogradVariants),
                         [](const auto& info) { return std::string(variant_name(info.param)); });

TEST(PlaneLayout, MultiplicationCountsMatchMethod) {
    // docs/method.md sections 1 and 3: 16, 36, 46 and 56 multiplications per output tile.
    EXPECT_EQ(mults_per_tile(Variant::kF23), 16);
    EXPECT_EQ(mults_per_tile(Variant::kF43), 36);
    EXPECT_EQ(mults_per_tile(Variant::kCF43), 46);
    EXPECT_EQ(mults_per_tile(Variant::kCF43M4), 56);
    int real = 0, conj = 0;
    for (const TapInfo& t : plane_layout(Variant::kCF43).taps) {
        real += t.real;
        conj += t.conj;
    }
    EXPECT_EQ(real, 16);
    EXPECT_EQ(conj, 10);
}

TEST(PlaneLayout, WorstCaseGrowth) {
    // docs/method.md section 1: 2D growth of B^T d B and A^T M A.
    auto growth = [](const std::vector<GaussInt>& mat, int rows, int cols) {
        int64_t worst = 0;
        for (int i = 0; i < rows; ++i) {
            int64_t s = 0;
            for (int j = 0; j < cols; ++j) s += std::abs(mat[i * cols + j].re) + std::abs(mat[i * cols + j].im);
            worst = std::max(worst, s);
        }
        return worst * worst;
    };
    const auto& f23 = winograd_matrices(Variant::kF23);
    const auto& f43 = winograd_matrices(Variant::kF43);
    const auto& cf43 = winograd_matrices(Variant::kCF43);
    EXPECT_EQ(growth(f23.BT, 4, 4), 4);
    EXPECT_EQ(growth(f23.AT, 2, 4), 9);
    EXPECT_EQ(growth(f43.BT, 6, 6), 100);
    EXPECT_EQ(growth(f43.AT, 4, 6), 361);
    EXPECT_EQ(growth(cf43.BT, 6, 6), 16);
    EXPECT_EQ(growth(cf43.AT, 4, 6), 25);
}

}  // namespace
