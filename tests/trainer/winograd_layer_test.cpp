// A QConv in float mode (quantizers off) computes the convolution exactly through the
// Winograd domain: it equals torch::conv2d (padding 1), values and gradients, for every
// variant and for odd map sizes that leave partial tiles. In fake-quant mode it simulates
// the integer pipeline: its output agrees with integer mode up to rare one-step rounding ties.
#include <gtest/gtest.h>

#include <array>

#include "trainer/layers/quant_conv.h"
#include "trainer/layers/tiles.h"

namespace winoq::train {
namespace {

const std::vector<std::string> kVariants = {"direct", "f23", "f43", "cf43", "cf43m4"};

QConv make_conv(const std::string& variant, int C, int K, bool relu = false, bool per_channel_u = false) {
    QConvOptions o;
    o.per_channel_u = per_channel_u;
    o.name = "test";
    o.in = C;
    o.out = K;
    o.variant = variant;
    o.relu = relu;
    QConv conv(o);
    torch::NoGradGuard ng;
    conv->bias.uniform_(-0.5, 0.5);
    return conv;
}

double max_rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs().max() / b.abs().max()).item<double>();
}

TEST(WinogradLayer, FloatModeEqualsConv2dInFloat32) {
    torch::manual_seed(1);
    for (const std::string& v : kVariants) {
        QConv conv = make_conv(v, 5, 7);
        conv->set_mode(Mode::kFloat);
        const torch::Tensor x = torch::randn({2, 5, 9, 11});
        const torch::Tensor y = conv->forward({x}).v;
        const torch::Tensor ref = torch::conv2d(x, conv->weight, conv->bias, 1, 1);
        ASSERT_EQ(y.sizes(), ref.sizes()) << v;
        EXPECT_LT(max_rel_diff(y, ref), 1e-4) << v;
    }
}

TEST(WinogradLayer, FloatModeEqualsConv2dInFloat64WithGradients) {
    torch::manual_seed(2);
    for (const std::string& v : kVariants) {
        QConv conv = make_conv(v, 3, 4);
        conv->to(torch::kDouble);
        conv->set_mode(Mode::kFloat);
        for (const auto& hw : std::vector<std::pair<int, int>>{{8, 8}, {7, 5}, {1, 3}}) {
            torch::Tensor x = torch::randn({2, 3, hw.first, hw.second}, torch::kDouble).requires_grad_(true);
            const torch::Tensor gy = torch::randn({2, 4, hw.first, hw.second}, torch::kDouble);
            (conv->forward({x}).v * gy).sum().backward();
            const torch::Tensor gx = x.grad().clone(), gw = conv->weight.grad().clone();
            x.grad().zero_();
            conv->weight.grad().zero_();
            const torch::Tensor ref = torch::conv2d(x, conv->weight, conv->bias, 1, 1);
            (ref * gy).sum().backward();
            EXPECT_LT(max_rel_diff(conv->forward({x}).v, ref), 1e-12) << v << " " << hw.first << "x" << hw.second;
            EXPECT_LT(max_rel_diff(gx, x.grad()), 1e-12) << v;
            EXPECT_LT(max_rel_diff(gw, conv->weight.grad()), 1e-12) << v;
            conv->weight.grad().zero_();
            conv->bias.grad().zero_();
        }
    }
}

TEST(WinogradLayer, StridedAndPointwiseDirectLayersEqualConv2d) {
    torch::manual_seed(3);
    for (const auto& ks : std::vector<std::pair<int, int>>{{3, 2}, {1, 2}, {1, 1}}) {
        QConvOptions o;
        o.in = 4;
        o.out = 6;
        o.kernel = ks.first;
        o.stride = ks.second;
        o.variant = "direct";
        QConv conv(o);
        conv->set_mode(Mode::kFloat);
        const torch::Tensor x = torch::randn({2, 4, 9, 10});
        EXPECT_LT(
            max_rel_diff(conv->forward({x}).v, torch::conv2d(x, conv->weight, conv->bias, ks.second, ks.first / 2)),
            1e-5);
    }
}

TEST(WinogradLayer, RejectsVariantsThatCannotRunTheShape) {
    QConvOptions o;
    o.in = 4;
    o.out = 4;
    o.stride = 2;
    o.variant = "cf43";
    EXPECT_THROW(QConv{o}, std::invalid_argument);
    o.stride = 1;
    o.variant = "f63";
    EXPECT_THROW(QConv{o}, std::invalid_argument);
}

// Calibrate every quantizer of `conv` (max clipping) on x, with x itself on the int8 grid.
void calibrate(QConv& conv, const torch::Tensor& x) {
    conv->set_mode(Mode::kFloat);
    conv->set_quant_state(QuantState::kObserve);
    conv->forward({x});
    CalibrationOptions o;
    o.method = ClipMethod::kMse;
    for (Quantizer& q : conv->quantizers()) q->finish_calibration(o);
}

TEST(WinogradLayer, FakeQuantModeSimulatesIntegerMode) {
    torch::manual_seed(4);
    for (const std::string& name :
         {"direct", "f23", "f43", "cf43", "cf43m4", "f43 per-channel U", "cf43 per-channel U"}) {
        const std::string v = std::string(name).substr(0, std::string(name).find(' '));
        QConv conv = make_conv(v, 8, 6, true, std::string(name).find("per-channel") != std::string::npos);
        conv->to(torch::kDouble);
        const double x_scale = 0.03;
        const torch::Tensor xq = torch::randint(-127, 128, {2, 8, 10, 9}, torch::kLong);
        const torch::Tensor x = xq.to(torch::kDouble) * x_scale;
        calibrate(conv, x);
        conv->set_mode(Mode::kFakeQuant);
        const torch::Tensor sim = conv->forward({x}).v;
        conv->set_mode(Mode::kInteger);
        const Act out = conv->forward({xq, x_scale});
        const torch::Tensor diff = (sim / out.scale - out.v.to(torch::kDouble)).abs();
        // Only a few outputs may land one step away (ties, the bias rounded to int32).
        EXPECT_LE(diff.max().item<double>(), 1.0 + 1e-6) << name;
        EXPECT_LT((diff > 0.5).to(torch::kDouble).mean().item<double>(), 0.01) << name;
        EXPECT_GT((out.v > 0).to(torch::kDouble).mean().item<double>(), 0.1)
            << name << ": output should not be all zero";
    }
}

}  // namespace
}  // namespace winoq::train

namespace winoq::train {
namespace {

// The CPU loops of tiles.cpp against the strided-tensor fallback (taken for other dtypes and
// devices), forward and backward.
TEST(Tiles, LoopsEqualTheTensorFallback) {
    torch::manual_seed(8);
    for (const auto& s : std::vector<std::array<int64_t, 4>>{{2, 3, 9, 7}, {1, 2, 8, 8}, {2, 1, 1, 3}})
        for (int64_t m : {2, 4}) {
            const int64_t n = m + 2, th = (s[2] + m - 1) / m, tw = (s[3] + m - 1) / m;
            const torch::Tensor x = torch::randint(-50, 50, {s[0], s[1], s[2], s[3]}, torch::kLong);
            const torch::Tensor fast = extract_tiles(x.to(torch::kDouble), m, n, th, tw);
            EXPECT_TRUE(torch::equal(fast.to(torch::kLong), extract_tiles(x, m, n, th, tw)));
            const torch::Tensor y = torch::randint(-50, 50, {m * m, s[1], s[0] * th * tw}, torch::kLong);
            EXPECT_TRUE(torch::equal(assemble_tiles(y.to(torch::kDouble), m, s[0], s[2], s[3]).to(torch::kLong),
                                     assemble_tiles(y, m, s[0], s[2], s[3])));
            // Backward: the loops against the half-precision fallback (exact on small integers).
            for (torch::Dtype dt : {torch::kDouble, torch::kHalf}) {
                torch::Tensor xg = x.to(dt).requires_grad_(true);
                (extract_tiles(xg, m, n, th, tw) * fast.to(dt)).sum().backward();
                torch::Tensor yg = y.to(dt).requires_grad_(true);
                (assemble_tiles(yg, m, s[0], s[2], s[3]) * x.to(dt).narrow(1, 0, 1)).sum().backward();
                if (dt == torch::kDouble) {
                    const torch::Tensor &gx = xg.grad(), &gy = yg.grad();
                    torch::Tensor hx = x.to(torch::kHalf).requires_grad_(true);
                    (extract_tiles(hx, m, n, th, tw) * fast.to(torch::kHalf)).sum().backward();
                    EXPECT_TRUE(torch::equal(hx.grad().to(torch::kDouble), gx));
                    torch::Tensor hy = y.to(torch::kHalf).requires_grad_(true);
                    (assemble_tiles(hy, m, s[0], s[2], s[3]) * x.to(torch::kHalf).narrow(1, 0, 1)).sum().backward();
                    EXPECT_TRUE(torch::equal(hy.grad().to(torch::kDouble), gy));
                }
            }
        }
}

}  // namespace
}  // namespace winoq::train
