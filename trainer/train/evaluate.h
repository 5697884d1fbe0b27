// Top-1 accuracy of a model on a data set (no augmentation), in a given mode. Int8 models are
// reported in Mode::kInteger: the exact integer pipeline of the deployed kernels.
#pragma once

#include <cstdint>
#include <functional>

#include "trainer/data/dataset.h"
#include "trainer/models/resnet.h"

namespace winoq::train {

struct EvalResult {
    double top1 = 0;  // percent
    double loss = 0;  // mean cross-entropy
    int64_t images = 0;
    double seconds = 0;
};

// limit > 0: the first `limit` images only. The model's mode is restored afterwards.
EvalResult evaluate(ResNet& model, const ImageDataset& data, const Normalization& norm, Mode mode, int batch_size = 256,
                    int64_t limit = 0);

// The same loop for any model: `forward` maps normalised images on `device` to logits.
EvalResult evaluate_forward(const std::function<torch::Tensor(const torch::Tensor&)>& forward, const ImageDataset& data,
                            const Normalization& norm, torch::Device device, int batch_size = 256, int64_t limit = 0);

// The mode int8 results are reported in: integer for quantized models, float otherwise.
Mode report_mode(const ModelConfig& c);

}  // namespace winoq::train
