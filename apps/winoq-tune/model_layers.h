// The convolutions winoq-tune tunes and plans: every conv op of a model file, or of an untrained
// model of a named architecture (winoq/model/random_model.h builds the same layers the trainer
// exports).
#pragma once

#include <string>
#include <vector>

#include "winoq/numerics/conv_params.h"

namespace winoq::tune {

struct ModelSource {
    std::string arch;        // resnet20 / resnet18, or empty when model_path is given
    int image_size = 0;      // 0: the architecture's (32 for resnet20, 224 for resnet18)
    std::string model_path;  // a winoq int8 model file
    int batch = 1;
};

struct ConvLayer {
    std::string name;  // the op's name (the trainer's --layer-variant name)
    ConvShape shape;   // N = the batch
};

// Throws std::invalid_argument (unknown arch, bad batch) or what load_model throws.
std::vector<ConvLayer> conv_layers(const ModelSource& src);

// "c64_k64_56x56_k3_s1_p1_n1": a shape's name in the log and the plan.
std::string shape_key(const ConvShape& s);
// shape_key back to a shape, or false for a string that is not one.
bool parse_shape_key(const std::string& key, ConvShape& out);

// The variants a layer may run: the Winograd ones for 3x3 stride 1 convolutions, direct where
// its kernel exists.
bool variant_applies(Variant v, const ConvShape& s);

}  // namespace winoq::tune
