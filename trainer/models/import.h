// Importing PyTorch-named FP32 weights (safetensors, read with winoq::SafetensorsFile) into a
// trainer model, folding each BatchNorm into its convolution the way the deployed int8
// kernels need it (a conv with bias):
//   w' = w * gamma / sqrt(var + eps),   b' = beta - mean * gamma / sqrt(var + eps).
// (A model built with batchnorm = true gets the BatchNorm parameters copied instead.)
//
// Names: conv `X.convK` -> weight `X.convK.weight`, BatchNorm `X.bnK`; the stem `conv1` ->
// `bn1`; a projection shortcut `X.downsample` -> `X.downsample.0` (conv) and `X.downsample.1`
// (BatchNorm), as torchvision; the classifier `linear` (ResNet-20) or `fc` (ResNet-18).
#pragma once

#include <string>

#include "trainer/models/resnet.h"
#include "winoq/io/safetensors.h"

namespace winoq::train {

// Throws std::runtime_error naming the tensor when one is missing or of the wrong shape.
void import_safetensors(ResNet& model, const SafetensorsFile& f, double bn_eps = 1e-5);

}  // namespace winoq::train
