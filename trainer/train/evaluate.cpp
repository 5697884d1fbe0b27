#include "trainer/train/evaluate.h"

#include <algorithm>
#include <chrono>

#include "trainer/data/batches.h"

namespace winoq::train {

Mode report_mode(const ModelConfig& c) { return c.quantized() ? Mode::kInteger : Mode::kFloat; }

EvalResult evaluate_forward(const std::function<torch::Tensor(const torch::Tensor&)>& forward, const ImageDataset& data,
                            const Normalization& norm, torch::Device device, int batch_size, int64_t limit) {
    const auto t0 = std::chrono::steady_clock::now();
    torch::NoGradGuard no_grad;
    const int64_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
    EvalResult r;
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t first = 0; first < n; first += batch_size) {
        const int64_t count = std::min<int64_t>(batch_size, n - first);
        torch::Tensor labels;
        const torch::Tensor x = normalized_range(data, first, count, norm, &labels).to(device);
        labels = labels.to(device);
        const torch::Tensor logits = forward(x);
        loss_sum += torch::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum).item<double>();
        correct += (logits.argmax(1) == labels).sum().item<int64_t>();
    }
    r.images = n;
    r.top1 = n > 0 ? 100.0 * double(correct) / double(n) : 0.0;
    r.loss = n > 0 ? loss_sum / double(n) : 0.0;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

EvalResult evaluate(ResNet& model, const ImageDataset& data, const Normalization& norm, Mode mode, int batch_size,
                    int64_t limit) {
    const Mode saved = model->mode();
    const bool was_training = model->is_training();
    model->set_mode(mode);
    model->eval();
    const EvalResult r = evaluate_forward([&](const torch::Tensor& x) { return model->forward(x); }, data, norm,
                                          model->classifier->weight.device(), batch_size, limit);
    model->set_mode(saved);
    model->train(was_training);
    return r;
}

}  // namespace winoq::train
