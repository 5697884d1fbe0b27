// Multiply-accumulates of a model by the counting rule of docs/method.md section 3: Winograd-domain
// multiplications only (transforms excluded), whole tiles (maps padded up to a multiple of
// the tile), direct convolutions K*C*k*k per output pixel, plus the classifier.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/models/resnet.h"

namespace winoq::train {

struct LayerMacs {
    std::string name, variant;
    int64_t direct = 0;  // as a direct convolution
    int64_t actual = 0;  // as configured
};

struct ModelMacs {
    std::vector<LayerMacs> layers;  // convolutions, then the classifier
    int64_t direct = 0, actual = 0;
    double reduction() const { return double(direct) / double(actual); }
};

// For one image of the model's configured size (the map sizes come from a float forward pass).
ModelMacs count_macs(ResNet& model);

}  // namespace winoq::train
