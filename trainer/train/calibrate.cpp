#include "trainer/train/calibrate.h"

#include <algorithm>

#include "trainer/data/batches.h"

namespace winoq::train {

void calibrate(ResNet& model, const ImageDataset& data, const Normalization& norm, const CalibrationOptions& o,
               int64_t images, int batch_size, uint64_t seed) {
    torch::NoGradGuard no_grad;
    const bool was_training = model->is_training();
    model->eval();
    model->set_mode(Mode::kFloat);
    model->set_quant_state(QuantState::kObserve);
    for (Quantizer& q : model->quantizers()) q->reset_observations();
    const torch::Device dev = model->classifier->weight.device();
    std::vector<int64_t> order = epoch_order(data.size(), seed, -1, true);
    order.resize(static_cast<size_t>(std::min<int64_t>(images, data.size())));
    std::mt19937_64 rng(seed);
    for (size_t first = 0; first < order.size(); first += static_cast<size_t>(batch_size)) {
        const std::vector<int64_t> idx(order.begin() + first,
                                       order.begin() + std::min(order.size(), first + static_cast<size_t>(batch_size)));
        model->forward(make_batch(data, idx, norm, {}, rng, nullptr).to(dev));
    }
    for (Quantizer& q : model->quantizers()) q->finish_calibration(o);
    model->set_mode(Mode::kFakeQuant);
    model->train(was_training);
}

bool all_calibrated(ResNet& model) {
    for (const Quantizer& q : model->quantizers())
        if (!q->calibrated()) return false;
    return true;
}

}  // namespace winoq::train
