// Optimizers and learning-rate schedules. Parameters form three groups: weights (with weight
// decay), biases and BatchNorm parameters (no decay), clipping factors alpha (no decay, the
// learning rate times alpha_lr_mult).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "trainer/models/resnet.h"

namespace winoq::train {

struct OptimOptions {
    std::string optimizer = "sgd";  // sgd | adam
    // Models with folded BatchNorm (every quantized model) need lr <= 1e-3 with SGD (3e-3
    // diverges from the pretrained ResNet-20); float models with --batchnorm take 0.01-0.1.
    double lr = 0.001, momentum = 0.9, weight_decay = 5e-4, alpha_lr_mult = 1.0;
    bool nesterov = true;
    std::string schedule = "cosine";  // cosine | step | constant
    std::vector<double> milestones;   // step: epochs at which lr *= gamma (fractions of the run if all < 1)
    double gamma = 0.1;
    double warmup_epochs = 0;  // linear warm-up from 0
};

struct Optimizer {
    std::unique_ptr<torch::optim::Optimizer> opt;
    std::vector<double> group_lr_mult;  // per param group
};

Optimizer make_optimizer(ResNet& model, const OptimOptions& o);

// The learning rate at `epoch` (fractional: epoch + step / steps) of a run of `epochs`.
double scheduled_lr(const OptimOptions& o, double epoch, int epochs);
void set_lr(Optimizer& opt, double lr);

}  // namespace winoq::train
