#include "trainer/train/distill.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace winoq::train {

nlohmann::json Distillation::to_json() const {
    if (!enabled()) return nullptr;
    return {{"weight", weight}, {"temperature", temperature}};
}

void validate(const Distillation& d) {
    if (!(d.weight >= 0.0 && d.weight <= 1.0))
        throw std::invalid_argument("distillation weight must be in [0, 1], got " + std::to_string(d.weight));
    if (!(d.temperature > 0.0 && std::isfinite(d.temperature)))
        throw std::invalid_argument("distillation temperature must be > 0, got " + std::to_string(d.temperature));
}

torch::Tensor distillation_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                const torch::Tensor& teacher_logits, double weight, double temperature) {
    const torch::Tensor hard = torch::cross_entropy_loss(logits, labels);
    if (weight == 0.0) return hard;
    const torch::Tensor log_p = torch::log_softmax(logits / temperature, 1);
    const torch::Tensor log_q = torch::log_softmax(teacher_logits.detach() / temperature, 1);
    // KL(q || p) averaged over the batch: sum_c q (log q - log p).
    const torch::Tensor kl = (log_q.exp() * (log_q - log_p)).sum(1).mean();
    return (1.0 - weight) * hard + weight * temperature * temperature * kl;
}

torch::Tensor teacher_logits(ResNet teacher, const torch::Tensor& x) {
    torch::NoGradGuard no_grad;
    teacher->eval();
    return teacher->forward(x);
}

}  // namespace winoq::train
