// Random (untrained) winoq::Model instances for tests and latency measurements: a ResNet-20
// (CIFAR layout, option-A shortcuts) or a ResNet-18 (ImageNet layout, float 7x7 stem, max
// pool, 1x1 stride-2 downsample convs), quantized from random float weights through the core
// quantizers with scales chosen so that activations neither saturate nor vanish.
#pragma once

#include <cstdint>
#include <string>

#include "winoq/model/model.h"

namespace winoq {

// arch: "resnet20", "resnet18", "wide1x1" (eight 4-channel 1x1 convs at the input's
// resolution: a memory-budget test), or the tiny graphs of the fuzz seeds "block" (every op
// kind of format version 1), "stem" (float 7x7 stem, max pool, conv) and "graph" (a general
// CNN as imported from ONNX: standalone clamps, max pools of non-default windows); variant:
// "direct", "f23", "f43", "cf43" or "cf43m4" (used for every 3x3 stride-1 conv; the other
// convs are "direct", the ResNet-18 stem "float").
// Throws std::invalid_argument for an unknown arch or variant.
Model make_random_model(const std::string& arch, const std::string& variant, int image_size, int in_channels,
                        uint64_t seed);

}  // namespace winoq
