// A plain float (double) ResNet-20 for CIFAR-10 (He et al. 2016, option-A shortcuts), used
// to feed the error analysis real activations: it loads the FP32 checkpoint, folds each
// BatchNorm into its convolution, and records every convolution's input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "winoq/analysis/float_conv.h"
#include "winoq/io/safetensors.h"

namespace winoq {

struct FloatResNet20 {
    // conv1, then layer{1,2,3}.{0,1,2}.conv{1,2}: 19 convolutions in forward order, with
    // BatchNorm folded: w' = w * g / sqrt(var + eps), b' = beta - mean * g / sqrt(var + eps).
    std::vector<FloatConvLayer> convs;
    std::vector<float> linear_w;  // [10][64]
    std::vector<float> linear_b;  // [10]
};

FloatResNet20 load_float_resnet20(const SafetensorsFile& f, double bn_eps = 1e-5);

// Forward pass on N normalised images (NHWC, 32 x 32 x 3). Returns the logits [N][10]; if
// conv_inputs is given, it receives each convolution's input (NHWC), in `convs` order.
std::vector<double> resnet20_forward(const FloatResNet20& net, const std::vector<double>& images, int N,
                                     std::vector<std::vector<double>>* conv_inputs = nullptr);

// Spatial size of each convolution's input in the forward pass (32, 16 or 8).
int resnet20_conv_input_size(const FloatResNet20& net, size_t conv_index);

// Images `first` .. `first + count - 1` of a CIFAR-10 binary batch (1 label byte + 3072
// bytes, channel-planar), normalised as the checkpoint expects: pixel / 255, then per
// channel (x - mean) / std with mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
// Returns NHWC values; throws std::runtime_error if the file is missing or too short.
std::vector<double> load_cifar10_images(const std::string& path, int first, int count,
                                        std::vector<int>* labels = nullptr);

}  // namespace winoq
