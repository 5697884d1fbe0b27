// The fake quantizer: forward values against the int8 grid, and its gradients (input and
// clipping factor) against central finite differences of the straight-through surrogate
// (the forward formula with round(u) replaced by u + (round(u0) - u0) frozen at the point).
#include <gtest/gtest.h>

#include <cmath>

#include "trainer/quant/fake_quant.h"
#include "trainer/quant/quantizer.h"
#include "winoq/numerics/transforms.h"

namespace winoq::train {
namespace {

// The surrogate of y = s * round(clamp(x, -a, a) / s), s = a / 127, around (x0, a0).
double surrogate(double x, double a, double x0, double a0) {
    const double s0 = a0 / 127.0, u0 = std::clamp(x0, -a0, a0) / s0;
    const double frozen = std::nearbyint(u0) - u0;
    const double s = a / 127.0;
    return s * (std::clamp(x, -a, a) / s + frozen);
}

TEST(FakeQuant, ForwardRoundsToTheGridAndClips) {
    const double a = 2.0, s = a / 127.0;
    const std::vector<double> xs = {-5.0, -2.0, -1.2345, -0.004, 0.0, 0.0078, 0.5, 1.99, 2.5, 100.0};
    const torch::Tensor y = fake_quantize(torch::tensor(xs, torch::kDouble), torch::tensor({a}, torch::kDouble));
    for (size_t i = 0; i < xs.size(); ++i) {
        const double expect = std::abs(xs[i]) >= a ? std::copysign(a, xs[i]) : s * std::nearbyint(xs[i] / s);
        EXPECT_NEAR(y[i].item<double>(), expect, 1e-12) << "x = " << xs[i];
        EXPECT_LE(std::abs(y[i].item<double>() / s), 127.0 + 1e-9);
    }
}

// Gradients of L = sum_i w_i y_i against finite differences, for alpha of shape alpha_shape
// broadcast over x of shape x_shape.
void check_gradients(const std::vector<int64_t>& x_shape, const std::vector<int64_t>& alpha_shape, double grad_scale) {
    torch::manual_seed(7);
    const auto opts = torch::dtype(torch::kDouble);
    torch::Tensor x = (torch::randn(x_shape, opts) * 1.5).requires_grad_(true);
    torch::Tensor alpha = (torch::rand(alpha_shape, opts) * 1.5 + 0.8).requires_grad_(true);
    const torch::Tensor w = torch::randn(x_shape, opts);
    // Keep points away from the clipping kink |x| = alpha, where the derivative jumps.
    {
        torch::NoGradGuard ng;
        const torch::Tensor a = alpha.expand(x_shape);
        const torch::Tensor near = (x.abs() - a).abs() < 1e-3;
        x.masked_fill_(near, 0.1);
    }
    (fake_quantize(x, alpha, grad_scale) * w).sum().backward();

    const torch::Tensor xd = x.detach().contiguous(), ad = alpha.detach().expand(x_shape).contiguous();
    const torch::Tensor wd = w.contiguous();
    const int64_t n = xd.numel();
    const double* xv = xd.data_ptr<double>();
    const double* av = ad.data_ptr<double>();
    const double* wv = wd.data_ptr<double>();
    const double h = 1e-6;
    // d/dx: each element on its own.
    const torch::Tensor gx = x.grad().contiguous();
    for (int64_t i = 0; i < n; ++i) {
        const double fd =
            (surrogate(xv[i] + h, av[i], xv[i], av[i]) - surrogate(xv[i] - h, av[i], xv[i], av[i])) / (2 * h);
        EXPECT_NEAR(gx.data_ptr<double>()[i], wv[i] * fd, 1e-6) << "x element " << i;
    }
    // d/dalpha: perturb one alpha entry, sum over the elements it covers.
    const torch::Tensor alpha_flat = alpha.detach().contiguous().view(-1);
    for (int64_t j = 0; j < alpha_flat.numel(); ++j) {
        torch::Tensor bump = torch::zeros_like(alpha_flat);
        bump[j] = h;
        const torch::Tensor ap = (alpha.detach() + bump.view(alpha_shape)).expand(x_shape).contiguous();
        const torch::Tensor am = (alpha.detach() - bump.view(alpha_shape)).expand(x_shape).contiguous();
        double fd = 0;
        for (int64_t i = 0; i < n; ++i)
            fd += wv[i] *
                  (surrogate(xv[i], ap.data_ptr<double>()[i], xv[i], av[i]) -
                   surrogate(xv[i], am.data_ptr<double>()[i], xv[i], av[i])) /
                  (2 * h);
        EXPECT_NEAR(alpha.grad().contiguous().view(-1)[j].item<double>(), grad_scale * fd, 1e-5 * (1 + std::abs(fd)))
            << "alpha entry " << j;
    }
}

TEST(FakeQuant, GradientsPerTensorMatchFiniteDifferences) { check_gradients({4, 50}, {1}, 1.0); }

TEST(FakeQuant, GradientsPerPlaneMatchFiniteDifferences) { check_gradients({3, 5, 7}, {3, 1, 1}, 1.0); }

TEST(FakeQuant, AlphaGradientScaleMultipliesOnlyTheAlphaGradient) { check_gradients({2, 30}, {2, 1}, 0.25); }

TEST(FakeQuant, ClippedValuesPassNoInputGradientAndFullAlphaGradient) {
    torch::Tensor x = torch::tensor({3.0, -4.0, 5.0}, torch::kDouble).requires_grad_(true);
    torch::Tensor a = torch::tensor({1.0}, torch::kDouble).requires_grad_(true);
    fake_quantize(x, a).sum().backward();
    EXPECT_EQ(x.grad().abs().sum().item<double>(), 0.0);
    EXPECT_DOUBLE_EQ(a.grad().item<double>(), 1.0);  // +1 - 1 + 1
}

TEST(Quantizer, GroupsFollowTheCalibrationGranularity) {
    // cf43 per tensor: plain planes and Gauss operands are two tensors on each side.
    const auto act = activation_plane_groups(Variant::kCF43, false);
    EXPECT_EQ(*std::max_element(act.begin(), act.end()), 1);
    const PlaneLayout& L = plane_layout(Variant::kCF43);
    for (size_t a = 0; a < L.act.size(); ++a) EXPECT_EQ(act[a], L.act[a].part == ActPart::kReIm ? 1 : 0);
    // Per tap: re and im of a tap share a group, different taps do not.
    const PlaneLayout& L4 = plane_layout(Variant::kCF43M4);
    const auto tap = activation_plane_groups(Variant::kCF43M4, true);
    for (size_t a = 0; a < L4.act.size(); ++a)
        for (size_t b = 0; b < L4.act.size(); ++b) EXPECT_EQ(tap[a] == tap[b], L4.act[a].tap == L4.act[b].tap);
    const auto w = weight_plane_groups(Variant::kF43, true);
    EXPECT_EQ(static_cast<int>(w.size()), 36);
    EXPECT_EQ(*std::max_element(w.begin(), w.end()), 35);
}

TEST(Quantizer, MaxCalibrationSetsAlphaToTheLargestMagnitudePerGroup) {
    Quantizer q(std::vector<int64_t>{0, 1, 0});
    q->set_state(QuantState::kObserve);
    const torch::Tensor x = torch::tensor({{1.0, -3.0}, {0.5, 0.25}, {2.0, -0.5}});
    EXPECT_TRUE(torch::equal(q(x), x));  // observing is the identity
    CalibrationOptions o;
    q->finish_calibration(o);
    EXPECT_TRUE(q->calibrated());
    EXPECT_EQ(q->plane_alphas(), (std::vector<double>{3.0, 0.5, 3.0}));
    q->set_state(QuantState::kQuantize);
    const torch::Tensor y = q(x);
    EXPECT_NEAR(y[1][1].item<float>(), std::nearbyint(0.25 / (0.5 / 127)) * 0.5 / 127, 1e-6);
}

}  // namespace
}  // namespace winoq::train
