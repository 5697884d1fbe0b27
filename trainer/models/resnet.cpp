#include "trainer/models/resnet.h"

#include <stdexcept>

#include "trainer/models/integer_head.h"

namespace winoq::train {
namespace {

QConvOptions conv_options(const std::string& name, int in, int out, int kernel, int stride, bool relu,
                          const ModelConfig& cfg) {
    QConvOptions o;
    o.name = name;
    o.in = in;
    o.out = out;
    o.kernel = kernel;
    o.stride = stride;
    o.relu = relu;
    o.variant = cfg.variant_for(name, kernel, stride);
    o.per_tap = cfg.per_tap;
    o.per_channel_u = cfg.per_channel_u;
    o.batchnorm = cfg.batchnorm;
    return o;
}

Act max_pool(const Act& x) {
    // 3x3, stride 2, padding 1. On int8 values it is exact (max commutes with the scale).
    if (!x.integer()) return {torch::max_pool2d(x.v, 3, 2, 1), 0.0};
    return {torch::max_pool2d(x.v.to(torch::kDouble), 3, 2, 1).to(torch::kLong), x.scale};
}

}  // namespace

Act option_a_shortcut(const Act& x, int out_channels) {
    const int64_t pad = (out_channels - x.v.size(1)) / 2;
    const torch::Tensor sub = x.v.slice(2, 0, x.v.size(2), 2).slice(3, 0, x.v.size(3), 2);
    return {torch::constant_pad_nd(sub, {0, 0, 0, 0, pad, pad}, 0), x.scale};
}

BasicBlockImpl::BasicBlockImpl(const std::string& prefix, int in, int out, int stride, const std::string& sc,
                               const ModelConfig& cfg)
    : shortcut(sc) {
    conv1 = register_module("conv1", QConv(conv_options(prefix + "conv1", in, out, 3, stride, true, cfg)));
    conv2 = register_module("conv2", QConv(conv_options(prefix + "conv2", out, out, 3, 1, true, cfg)));
    if (sc == "projection")
        downsample =
            register_module("downsample", QConv(conv_options(prefix + "downsample", in, out, 1, stride, false, cfg)));
    else if (sc != "identity" && sc != "option_a")
        throw std::invalid_argument("winoq-train: unknown shortcut " + sc);
}

Act BasicBlockImpl::forward(const Act& x) {
    const Act h = conv1(x);
    const Act s = shortcut == "option_a"     ? option_a_shortcut(x, conv2->options().out)
                  : shortcut == "projection" ? downsample(x)
                                             : x;
    return conv2->forward(h, &s);
}

ResNetImpl::ResNetImpl(ModelConfig cfg) : cfg_(std::move(cfg)) {
    input_quant = register_module("input_quant", Quantizer());
    std::vector<int> widths;
    int blocks_per_stage = 0, channels = 0;
    std::string shortcut;
    if (cfg_.arch == "resnet20") {
        widths = {16, 32, 64};
        blocks_per_stage = 3;
        shortcut = "option_a";
        stem = register_module("conv1", QConv(conv_options("conv1", cfg_.in_channels, 16, 3, 1, true, cfg_)));
        channels = 16;
        classifier_name_ = "linear";
    } else if (cfg_.arch == "resnet18") {
        widths = {64, 128, 256, 512};
        blocks_per_stage = 2;
        shortcut = "projection";
        stem = register_module("conv1", QConv(conv_options("conv1", cfg_.in_channels, 64, 7, 2, true, cfg_)));
        channels = 64;
        maxpool_ = true;
        classifier_name_ = "fc";
    } else {
        throw std::invalid_argument("winoq-train: unknown architecture '" + cfg_.arch + "' (resnet20, resnet18)");
    }
    for (size_t s = 0; s < widths.size(); ++s) {
        torch::nn::ModuleList stage;
        for (int b = 0; b < blocks_per_stage; ++b) {
            const int stride = (s > 0 && b == 0) ? 2 : 1;
            const bool change = stride != 1 || channels != widths[s];
            const std::string prefix = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
            BasicBlock block(prefix, channels, widths[s], stride, change ? shortcut : "identity", cfg_);
            stage->push_back(block);
            blocks.push_back(block);
            channels = widths[s];
        }
        register_module("layer" + std::to_string(s + 1), stage);
    }
    classifier = register_module(classifier_name_, torch::nn::Linear(channels, cfg_.num_classes));
    // A per-layer variant naming no conv of this network is a typo, never silently ignored.
    for (const auto& [name, variant] : cfg_.layer_variants) {
        bool found = false;
        for (const QConv& c : convs()) found = found || c->options().name == name;
        if (!found)
            throw std::invalid_argument("winoq-train: --layer-variant names no convolution of " + cfg_.arch + ": '" +
                                        name + "' (winoq info lists the layer names)");
    }
}

Act ResNetImpl::quantize_input(const torch::Tensor& images) {
    if (mode_ != Mode::kInteger) return {input_quant(images), 0.0};
    // The int8 input with the shared rounding rule (winoq::quantize_float: half to even).
    const double s = input_quant->scale();
    return {torch::round(images.to(torch::kDouble) / s).clamp(-127.0, 127.0).to(torch::kLong), s};
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& images) {
    Act x = stem(quantize_input(images));
    if (maxpool_) x = max_pool(x);
    for (BasicBlock& b : blocks) x = b(x);
    if (mode_ == Mode::kInteger) {
        // The deployable model's exact int8 head (integer_head.h), double logits.
        const ModelHead head = integer_head(classifier->weight, classifier->bias, x.scale,
                                            static_cast<int>(x.v.size(2)), static_cast<int>(x.v.size(3)));
        return apply_integer_head(head, x.v);
    }
    const torch::Tensor features = torch::adaptive_avg_pool2d(x.dequantized(), {1, 1}).flatten(1);
    return classifier(features);
}

void ResNetImpl::set_mode(Mode m) {
    mode_ = m;
    for (QConv& c : convs()) c->set_mode(m);
    input_quant->set_state(m == Mode::kFloat ? QuantState::kOff : QuantState::kQuantize);
}

void ResNetImpl::set_quant_state(QuantState s) {
    for (Quantizer& q : quantizers()) q->set_state(s);
}

void ResNetImpl::set_conv_observer(const ConvObserver& f) {
    for (QConv& c : convs()) c->set_observer(f);
}

void ResNetImpl::fold_batchnorm() {
    for (QConv& c : convs()) c->fold_batchnorm();
    cfg_.batchnorm = false;
}

std::vector<QConv> ResNetImpl::convs() const {
    std::vector<QConv> out = {stem};
    for (const BasicBlock& b : blocks) {
        out.push_back(b->conv1);
        if (!b->downsample.is_empty()) out.push_back(b->downsample);
        out.push_back(b->conv2);
    }
    return out;
}

std::vector<Quantizer> ResNetImpl::quantizers() const {
    std::vector<Quantizer> out = {input_quant};
    for (const QConv& c : convs())
        for (const Quantizer& q : c->quantizers()) out.push_back(q);
    return out;
}

}  // namespace winoq::train
