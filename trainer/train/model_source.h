// Building a model of a given configuration and filling its weights from a file: a
// PyTorch-named FP32 safetensors file (import.h, BatchNorm folded) or a winoq-train checkpoint
// of any configuration (its BatchNorm folded unless the new model keeps BatchNorm; then every
// tensor whose name and shape match is copied: the weights always, the clipping factors of
// layers whose quantizers have the same shape, e.g. when resuming QAT in another mode).
#pragma once

#include <string>

#include "trainer/models/resnet.h"

namespace winoq::train {

bool is_safetensors_path(const std::string& path);

// Throws if a convolution or the classifier found no weights in the file. `summary` (if given)
// receives one line describing what was copied.
ResNet build_model(const ModelConfig& cfg, const std::string& from, std::string* summary = nullptr);

}  // namespace winoq::train
