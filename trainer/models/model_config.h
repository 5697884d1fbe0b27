// What a trainer model is: architecture, input, and the variant of every convolution.
// Stored as JSON in checkpoints, so a checkpoint rebuilds its own model.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace winoq::train {

struct ModelConfig {
    std::string arch = "resnet20";  // "resnet20" (CIFAR, option A shortcuts) or "resnet18" (ImageNet shapes)
    int in_channels = 3, num_classes = 10, image_size = 32;
    // Default for every convolution: "float", "direct", or a Winograd variant (f23, f43, cf43,
    // cf43m4), which applies to the 3x3 stride-1 convolutions; the others run int8 direct
    // (1x1, 3x3 stride 2) or, for kernels no int8 kernel supports (the 7x7 stem), float
    // arithmetic between int8 tensors.
    std::string variant = "float";
    std::map<std::string, std::string> layer_variants;  // per-conv overrides, by conv name
    bool per_tap = false;        // Winograd: one alpha per tap; direct: weight alpha per output channel
    bool per_channel_u = false;  // Winograd: U's alphas per (product plane group, output channel)
    bool batchnorm = false;      // float BatchNorm layers (training from scratch; folded before quantizing)

    bool quantized() const { return variant != "float"; }
    // The variant of the convolution `name` with this kernel and stride; throws if an
    // override cannot run it.
    std::string variant_for(const std::string& name, int kernel, int stride) const;

    nlohmann::json to_json() const;
    static ModelConfig from_json(const nlohmann::json& j);
};

// Parses "name=variant,name=variant" (the CLI's --layer-variant list).
std::map<std::string, std::string> parse_layer_variants(const std::string& spec);

}  // namespace winoq::train
