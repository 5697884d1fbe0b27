#include "trainer/models/import.h"

#include <stdexcept>

namespace winoq::train {
namespace {

torch::Tensor read(const SafetensorsFile& f, const std::string& name, at::IntArrayRef shape) {
    if (!f.contains(name)) throw std::runtime_error("winoq-train: the checkpoint has no tensor " + name);
    const TensorInfo& info = f.info(name);
    if (at::IntArrayRef(info.shape) != shape) {
        std::string want, got;
        for (int64_t d : shape) want += std::to_string(d) + " ";
        for (int64_t d : info.shape) got += std::to_string(d) + " ";
        throw std::runtime_error("winoq-train: checkpoint tensor " + name + " has shape [ " + got +
                                 "], the model needs [ " + want + "]");
    }
    std::vector<float> v = f.f32(name);
    return torch::from_blob(v.data(), shape, torch::kFloat).clone();
}

// Names of the conv weight and its BatchNorm in the PyTorch checkpoint.
std::pair<std::string, std::string> source_names(const std::string& conv) {
    const size_t dot = conv.rfind('.');
    const std::string prefix = dot == std::string::npos ? "" : conv.substr(0, dot + 1);
    const std::string last = dot == std::string::npos ? conv : conv.substr(dot + 1);
    if (last == "downsample") return {conv + ".0", conv + ".1"};
    if (last.rfind("conv", 0) == 0) return {conv, prefix + "bn" + last.substr(4)};
    throw std::logic_error("winoq-train: no checkpoint naming rule for layer " + conv);
}

}  // namespace

void import_safetensors(ResNet& model, const SafetensorsFile& f, double bn_eps) {
    torch::NoGradGuard no_grad;
    for (QConv& c : model->convs()) {
        const auto [conv, bn] = source_names(c->options().name);
        const int64_t K = c->weight.size(0);
        const torch::Tensor w = read(f, conv + ".weight", c->weight.sizes());
        const torch::Tensor b = f.contains(conv + ".bias") ? read(f, conv + ".bias", {K}) : torch::zeros({K});
        const torch::Tensor gamma = read(f, bn + ".weight", {K}), beta = read(f, bn + ".bias", {K});
        const torch::Tensor mean = read(f, bn + ".running_mean", {K}), var = read(f, bn + ".running_var", {K});
        if (c->has_batchnorm()) {
            c->weight.copy_(w);
            c->bias.copy_(b);
            c->bn->weight.copy_(gamma);
            c->bn->bias.copy_(beta);
            c->bn->running_mean.copy_(mean);
            c->bn->running_var.copy_(var);
            continue;
        }
        // In double, then rounded once to float.
        const torch::Tensor g = gamma.to(torch::kDouble) / torch::sqrt(var.to(torch::kDouble) + bn_eps);
        c->weight.copy_(w.to(torch::kDouble) * g.view({-1, 1, 1, 1}));
        c->bias.copy_((b.to(torch::kDouble) - mean.to(torch::kDouble)) * g + beta.to(torch::kDouble));
    }
    const std::string fc = model->classifier_name();
    model->classifier->weight.copy_(read(f, fc + ".weight", model->classifier->weight.sizes()));
    model->classifier->bias.copy_(read(f, fc + ".bias", model->classifier->bias.sizes()));
}

}  // namespace winoq::train
