// Knowledge distillation during QAT: the student learns from the labels and from an FP32
// teacher's softened logits (Hinton et al. 2015):
//
//   loss = (1 - w) * CE(student, labels) + w * T^2 * KL(softmax(teacher / T) || softmax(student / T))
//
// T^2 keeps the soft term's gradient on the scale of the hard one as T changes.
#pragma once

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "trainer/models/resnet.h"

namespace winoq::train {

struct Distillation {
    ResNet teacher{nullptr};   // null: no distillation (plain cross-entropy)
    double weight = 0.5;       // w above, in [0, 1]
    double temperature = 4.0;  // T above, > 0
    bool enabled() const { return !teacher.is_empty(); }
    nlohmann::json to_json() const;  // weight and temperature, or null when disabled
};

// Throws std::invalid_argument on a weight outside [0, 1] or a temperature <= 0.
void validate(const Distillation& d);

// The loss above for logits [N, classes], labels [N] and the teacher's logits [N, classes].
torch::Tensor distillation_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                const torch::Tensor& teacher_logits, double weight, double temperature);

// The teacher's logits of a batch: eval mode (running BatchNorm statistics), no gradient. A holder
// copy: it shares the module.
torch::Tensor teacher_logits(ResNet teacher, const torch::Tensor& x);

}  // namespace winoq::train
