// QConv in integer mode: the learned clipping factors become integer layer parameters
// (winoq::quantize_direct_conv / quantize_winograd_conv) and the layer runs the exact
// integer pipeline.
#include <algorithm>
#include <stdexcept>

#include "trainer/layers/integer_conv.h"
#include "trainer/layers/quant_conv.h"

namespace winoq::train {
namespace {

std::vector<float> cpu_floats(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

DirectConvParams QConvImpl::direct_params(double x_scale, double res_scale, int H, int W) const {
    if (!variant_ || is_winograd()) throw std::logic_error("winoq-train: " + opt_.name + " is not a direct int8 layer");
    if (has_batchnorm()) throw std::logic_error("winoq-train: " + opt_.name + ": fold the BatchNorm before quantizing");
    const std::vector<float> w = cpu_floats(weight), b = cpu_floats(bias);
    OutputScales out;
    out.y = y_quant->scale();
    out.res = res_scale;
    out.relu = opt_.relu;
    return quantize_direct_conv(shape(H, W), w.data(), b.data(), x_scale, w_quant->plane_scales(), out);
}

WinogradConvParams QConvImpl::winograd_params(double x_scale, double res_scale, int H, int W) const {
    if (!is_winograd()) throw std::logic_error("winoq-train: " + opt_.name + " is not a Winograd layer");
    if (has_batchnorm()) throw std::logic_error("winoq-train: " + opt_.name + ": fold the BatchNorm before quantizing");
    const std::vector<float> w = cpu_floats(weight), b = cpu_floats(bias);
    WinogradScales sc;
    sc.x = x_scale;
    sc.act = v_quant->plane_scales();
    sc.w = w_quant->plane_scales();
    sc.w_per_channel = opt_.per_channel_u;
    if (opt_.per_tap) {
        sc.m_plane = m_quant->plane_scales();
        sc.m = *std::max_element(sc.m_plane.begin(), sc.m_plane.end());  // unused with m_plane
    } else {
        sc.m = m_quant->scale();
    }
    sc.out.y = y_quant->scale();
    sc.out.res = res_scale;
    sc.out.relu = opt_.relu;
    return quantize_winograd_conv(*variant_, shape(H, W), w.data(), b.data(), sc);
}

Act QConvImpl::forward_integer(const Act& x, const Act* residual) {
    if (!x.integer()) throw std::logic_error("winoq-train: " + opt_.name + ": integer mode needs an int8 input");
    if (residual && !residual->integer())
        throw std::logic_error("winoq-train: " + opt_.name + ": integer mode needs an int8 residual");
    const int H = static_cast<int>(x.v.size(2)), W = static_cast<int>(x.v.size(3));
    const double y_scale = y_quant->scale(), res_scale = residual ? residual->scale : 0.0;
    const torch::Tensor res = residual ? residual->v : torch::Tensor();
    if (!variant_) {
        // Float arithmetic between int8 tensors: dequantize, convolve, requantize (round half
        // to even, as winoq::quantize_float).
        torch::Tensor y = torch::conv2d(x.v.to(torch::kDouble) * x.scale, weight.detach().to(torch::kDouble), {},
                                        opt_.stride, opt_.pad()) +
                          bias.detach().to(torch::kDouble).view({1, -1, 1, 1});
        if (residual) y = y + res.to(torch::kDouble) * res_scale;
        const torch::Tensor q = torch::round(y / y_scale).clamp(opt_.relu ? 0.0 : -127.0, 127.0);
        return {q.to(torch::kLong), y_scale};
    }
    if (is_winograd()) return {integer_winograd_conv(winograd_params(x.scale, res_scale, H, W), x.v, res), y_scale};
    return {integer_direct_conv(direct_params(x.scale, res_scale, H, W), x.v, res), y_scale};
}

}  // namespace winoq::train
