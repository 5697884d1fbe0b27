#include "trainer/models/integer_head.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "winoq/numerics/requantize.h"

namespace winoq::train {

ModelHead integer_head(const torch::Tensor& weight, const torch::Tensor& bias, double feature_scale, int H, int W) {
    if (weight.dim() != 2 || bias.dim() != 1 || bias.size(0) != weight.size(0))
        throw std::invalid_argument("winoq-train: integer_head needs weight [classes, C] and bias [classes]");
    if (!(feature_scale > 0) || H < 1 || W < 1)
        throw std::invalid_argument("winoq-train: integer_head: bad feature map");
    const torch::Tensor w = weight.detach().to(torch::kCPU, torch::kFloat).contiguous();
    const torch::Tensor b = bias.detach().to(torch::kCPU, torch::kFloat).contiguous();
    ModelHead h;
    h.classes = static_cast<int>(w.size(0));
    h.C = static_cast<int>(w.size(1));
    h.weight.resize(size_t(h.classes) * h.C);
    h.bias.resize(size_t(h.classes));
    h.logit_scale.resize(size_t(h.classes));
    const float* wp = w.data_ptr<float>();
    for (int k = 0; k < h.classes; ++k) {
        const float* row = wp + size_t(k) * h.C;
        double max_abs = 0;
        for (int c = 0; c < h.C; ++c) max_abs = std::max(max_abs, std::fabs(double(row[c])));
        // An all-zero row quantizes to zeros with any scale; 1/127 keeps logit_scale > 0.
        const double s_w = (max_abs > 0 ? max_abs : 1.0) / kQMax;
        for (int c = 0; c < h.C; ++c) h.weight[size_t(k) * h.C + c] = quantize_float(double(row[c]), s_w);
        h.logit_scale[k] = static_cast<float>(s_w * feature_scale / (double(H) * double(W)));
        h.bias[k] = quantize_bias(double(b.data_ptr<float>()[k]), double(h.logit_scale[k]),
                                  std::numeric_limits<int32_t>::max());
    }
    return h;
}

torch::Tensor apply_integer_head(const ModelHead& head, const torch::Tensor& q) {
    if (q.dim() != 4 || q.size(1) != head.C)
        throw std::invalid_argument("winoq-train: the head takes " + std::to_string(head.C) + "-channel features");
    const torch::Tensor S = q.to(torch::kCPU, torch::kDouble).sum({2, 3});  // [N, C], exact integers
    const torch::Tensor W =
        torch::from_blob(const_cast<int8_t*>(head.weight.data()), {head.classes, head.C}, torch::kInt8)
            .to(torch::kDouble);
    const torch::Tensor b =
        torch::from_blob(const_cast<int32_t*>(head.bias.data()), {head.classes}, torch::kInt).to(torch::kDouble);
    const torch::Tensor scale =
        torch::from_blob(const_cast<float*>(head.logit_scale.data()), {head.classes}, torch::kFloat).to(torch::kDouble);
    // |sum| <= 127 * 127 * H * W * C, far below 2^53: the double GEMM is exact in any order.
    const torch::Tensor sums = S.mm(W.t()) + b.view({1, -1});
    return (sums * scale.view({1, -1})).to(q.device());
}

}  // namespace winoq::train
