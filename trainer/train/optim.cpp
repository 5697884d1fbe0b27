#include "trainer/train/optim.h"

#include <cmath>
#include <stdexcept>

namespace winoq::train {

Optimizer make_optimizer(ResNet& model, const OptimOptions& o) {
    std::vector<torch::Tensor> weights, plain, alphas;
    for (const auto& p : model->named_parameters(true)) {
        const std::string& n = p.key();
        const auto ends = [&](const std::string& s) {
            return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
        };
        if (ends("alpha"))
            alphas.push_back(p.value());
        else if (ends("weight") && p.value().dim() > 1)
            weights.push_back(p.value());
        else
            plain.push_back(p.value());
    }
    Optimizer r;
    std::vector<torch::optim::OptimizerParamGroup> groups;
    const double wd[3] = {o.weight_decay, 0.0, 0.0};
    const double mult[3] = {1.0, 1.0, o.alpha_lr_mult};
    const std::vector<torch::Tensor>* lists[3] = {&weights, &plain, &alphas};
    for (int g = 0; g < 3; ++g) {
        if (lists[g]->empty()) continue;
        if (o.optimizer == "sgd") {
            auto opts = std::make_unique<torch::optim::SGDOptions>(o.lr * mult[g]);
            opts->momentum(o.momentum).weight_decay(wd[g]).nesterov(o.nesterov && o.momentum > 0);
            groups.emplace_back(*lists[g], std::move(opts));
        } else if (o.optimizer == "adam") {
            auto opts = std::make_unique<torch::optim::AdamOptions>(o.lr * mult[g]);
            opts->weight_decay(wd[g]);
            groups.emplace_back(*lists[g], std::move(opts));
        } else {
            throw std::invalid_argument("winoq-train: unknown optimizer '" + o.optimizer + "' (sgd, adam)");
        }
        r.group_lr_mult.push_back(mult[g]);
    }
    if (o.optimizer == "sgd")
        r.opt = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr));
    else
        r.opt = std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(o.lr));
    return r;
}

double scheduled_lr(const OptimOptions& o, double epoch, int epochs) {
    double f = 1.0;
    if (o.schedule == "cosine") {
        f = 0.5 * (1.0 + std::cos(M_PI * std::min(epoch / std::max(epochs, 1), 1.0)));
    } else if (o.schedule == "step") {
        bool fractions = true;
        for (double m : o.milestones) fractions = fractions && m < 1.0;
        for (double m : o.milestones)
            if (epoch >= (fractions ? m * epochs : m)) f *= o.gamma;
    } else if (o.schedule != "constant") {
        throw std::invalid_argument("winoq-train: unknown schedule '" + o.schedule + "' (cosine, step, constant)");
    }
    if (o.warmup_epochs > 0 && epoch < o.warmup_epochs) f *= epoch / o.warmup_epochs;
    return o.lr * f;
}

void set_lr(Optimizer& opt, double lr) {
    auto& groups = opt.opt->param_groups();
    for (size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(lr * opt.group_lr_mult[g]);
}

}  // namespace winoq::train
