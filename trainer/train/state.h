// A model's tensors by name (parameters and buffers, PyTorch-style dotted names), to copy
// weights between models of different configurations (float -> int8, variant changes) and
// to write checkpoints.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace winoq::train {

using StateDict = std::map<std::string, torch::Tensor>;

StateDict state_dict(const torch::nn::Module& m);  // detached CPU copies

struct LoadReport {
    std::vector<std::string> loaded, missing, mismatched;  // by the target's names
};
// Copies every entry of `state` whose name and shape match into the module.
LoadReport load_state_dict(torch::nn::Module& m, const StateDict& state);

}  // namespace winoq::train
