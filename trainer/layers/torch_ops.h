// The Ops of winoq::requantize (requantize.h) for int64 torch tensors, so the trainer's
// integer mode applies the one requantization rule of the project to whole tensors.
#pragma once

#include <torch/torch.h>

namespace winoq::train {

struct TorchOps {
    static torch::Tensor one_like(const torch::Tensor& x) { return torch::ones_like(x); }
    static torch::Tensor shl(const torch::Tensor& x, const torch::Tensor& s) { return torch::bitwise_left_shift(x, s); }
    // Arithmetic (sign-propagating) shift of int64 values, as requantize.h requires.
    static torch::Tensor shr(const torch::Tensor& x, const torch::Tensor& s) {
        return torch::bitwise_right_shift(x, s);
    }
    static torch::Tensor min(const torch::Tensor& a, const torch::Tensor& b) { return torch::minimum(a, b); }
    static torch::Tensor max(const torch::Tensor& a, const torch::Tensor& b) { return torch::maximum(a, b); }
};

}  // namespace winoq::train
