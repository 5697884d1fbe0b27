#include "trainer/layers/quant_conv.h"

#include <cmath>

#include "trainer/layers/tiles.h"
#include "trainer/quant/m_grid.h"
#include <stdexcept>

namespace winoq::train {

bool variant_fits(const std::string& variant, int kernel, int stride) {
    if (variant == "float") return true;
    const std::optional<Variant> v = parse_variant(variant);
    if (!v) return false;
    if (!is_winograd(*v)) return direct_kernel_supported(kernel);
    return kernel == 3 && stride == 1;
}

QConvImpl::QConvImpl(QConvOptions o) : opt_(std::move(o)) {
    if (opt_.variant != "float") {
        variant_ = parse_variant(opt_.variant);
        if (!variant_) throw std::invalid_argument("winoq-train: unknown variant '" + opt_.variant + "'");
        is_winograd_variant_ = winoq::is_winograd(*variant_);
    }
    if (!variant_fits(opt_.variant, opt_.kernel, opt_.stride))
        throw std::invalid_argument("winoq-train: " + opt_.name + ": variant " + opt_.variant + " cannot run a " +
                                    std::to_string(opt_.kernel) + "x" + std::to_string(opt_.kernel) + " stride-" +
                                    std::to_string(opt_.stride) + " convolution");
    weight = register_parameter("weight", torch::empty({opt_.out, opt_.in, opt_.kernel, opt_.kernel}));
    torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanOut, torch::kReLU);
    bias = register_parameter("bias", torch::zeros({opt_.out}));
    if (opt_.batchnorm) bn = register_module("bn", torch::nn::BatchNorm2d(opt_.out));
    if (is_winograd()) {
        w_quant = register_module(
            "w_quant",
            Quantizer(opt_.per_channel_u ? per_channel_groups(weight_plane_groups(*variant_, opt_.per_tap), opt_.out)
                                         : weight_plane_groups(*variant_, opt_.per_tap)));
        v_quant = register_module("v_quant", Quantizer(activation_plane_groups(*variant_, opt_.per_tap)));
        m_quant = register_module("m_quant", Quantizer(product_plane_groups(*variant_, opt_.per_tap)));
        if (opt_.per_tap) m_quant->set_projection(project_to_m_grid);
    } else if (variant_) {
        std::vector<int64_t> groups(opt_.out, 0);
        if (opt_.per_tap)
            for (int k = 0; k < opt_.out; ++k) groups[k] = k;
        w_quant = register_module("w_quant", Quantizer(groups));
    }
    y_quant = register_module("y_quant", Quantizer());
}

std::vector<Quantizer> QConvImpl::quantizers() const {
    std::vector<Quantizer> q;
    for (const Quantizer& x : {w_quant, v_quant, m_quant, y_quant})
        if (!x.is_empty()) q.push_back(x);
    return q;
}

void QConvImpl::set_mode(Mode m) {
    mode_ = m;
    set_quant_state(m == Mode::kFloat ? QuantState::kOff : QuantState::kQuantize);
}

void QConvImpl::set_quant_state(QuantState s) {
    for (Quantizer& q : quantizers()) q->set_state(s);
}

void QConvImpl::fold_batchnorm() {
    if (bn.is_empty()) return;
    torch::NoGradGuard no_grad;
    const torch::Tensor g = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    weight.mul_(g.view({-1, 1, 1, 1}));
    bias.copy_((bias - bn->running_mean) * g + bn->bias);
    unregister_module("bn");
    bn = nullptr;
    opt_.batchnorm = false;
}

const WinogradMaps& QConvImpl::maps_for(const torch::Tensor& x) {
    if (!maps_.input.defined() || maps_.input.device() != x.device() || maps_.input.scalar_type() != x.scalar_type())
        maps_ = winograd_maps(*variant_).to(x.device(), x.scalar_type());
    return maps_;
}

// conv(x, w) through the Winograd domain for all tiles at once, quantizing V, U and M.
torch::Tensor QConvImpl::winograd_accumulate(const torch::Tensor& x) {
    const WinogradMaps& T = maps_for(x);
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), K = opt_.out;
    const int64_t m = T.m, n = T.n, th = (H + m - 1) / m, tw = (W + m - 1) / m, NT = N * th * tw;
    const int64_t A = T.input.size(0), Q = T.filter.size(0);
    const torch::Tensor d = extract_tiles(x, m, n, th, tw).view({n * n, C * NT});
    const torch::Tensor V = v_quant(T.input_map->apply(d).view({A, C, NT}));
    // Per channel, the quantizer's planes are the (product plane, output channel) rows.
    const torch::Tensor U =
        w_quant(T.filter.mm(weight.reshape({K * C, 9}).t()).view({opt_.per_channel_u ? Q * K : Q, -1})).view({Q, K, C});
    torch::Tensor M;
    if (T.one_to_one) {
        // GEMMs in activation-plane order: permute the small U instead of gathering V.
        const torch::Tensor acc = torch::bmm(U.index_select(0, T.prod_of_act), V);  // [A, K, NT]
        M = T.combine_by_act_map->apply(acc.view({A, K * NT}));
    } else {
        const torch::Tensor acc = torch::bmm(U, V.index_select(0, T.act_of_prod));  // [Q, K, NT]
        M = T.combine_map->apply(acc.view({Q, K * NT}));
    }
    M = m_quant(M);  // [O, K * NT]
    return assemble_tiles(T.output_map->apply(M).view({m * m, K, NT}), m, N, H, W);
}

Act QConvImpl::forward(const Act& x, const Act* residual) {
    Act y = mode_ == Mode::kInteger ? forward_integer(x, residual) : forward_float(x, residual);
    if (observer_) observer_(*this, x, residual, y);
    return y;
}

Act QConvImpl::forward_float(const Act& x, const Act* residual) {
    if (x.integer()) throw std::logic_error("winoq-train: integer activation in a float-mode layer");
    torch::Tensor acc;
    if (is_winograd()) {
        acc = winograd_accumulate(x.v);
    } else {
        const torch::Tensor w = w_quant.is_empty() ? weight : w_quant(weight);
        acc = torch::conv2d(x.v, w, {}, opt_.stride, opt_.pad());
    }
    torch::Tensor b = bias;
    if (is_winograd() && m_quant->state() == QuantState::kQuantize) {
        // The integer pipeline adds the bias in int32 on M's (base) grid: round it there.
        const torch::Tensor s = m_quant->effective_plane_alphas().min() / 127.0;
        b = bias + (torch::round(bias / s) * s - bias).detach();
    }
    torch::Tensor y = acc + b.view({1, -1, 1, 1});
    if (!bn.is_empty()) {
        if (mode_ != Mode::kFloat)
            throw std::logic_error("winoq-train: " + opt_.name + ": fold the BatchNorm before quantizing");
        y = bn(y);
    }
    if (residual) y = y + residual->v;
    if (opt_.relu) y = torch::relu(y);
    return {y_quant(y), 0.0};
}

ConvShape QConvImpl::shape(int H, int W) const {
    ConvShape s;
    s.N = 1;
    s.C = opt_.in;
    s.H = H;
    s.W = W;
    s.K = opt_.out;
    s.kernel = opt_.kernel;
    s.stride = opt_.stride;
    s.pad = opt_.pad();
    return s;
}

}  // namespace winoq::train
