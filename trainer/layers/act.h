// What flows between the layers of a trainer model, and the mode the model runs in.
#pragma once

#include <torch/torch.h>

namespace winoq::train {

// kFloat: quantizers off (FP32 training, and the check that the Winograd path is exact);
// kFakeQuant: float simulation of the int8 pipeline with learned clipping factors (QAT);
// kInteger: the integer pipeline of docs/numerics.md on int64 tensors (evaluation).
enum class Mode { kFloat, kFakeQuant, kInteger };

// An activation: float values (scale 0), or in integer mode int64 values q of an int8
// tensor whose real value is q * scale.
struct Act {
    torch::Tensor v;
    double scale = 0.0;
    bool integer() const { return scale > 0; }
    torch::Tensor dequantized() const { return integer() ? v.to(torch::kFloat) * scale : v; }
};

}  // namespace winoq::train
