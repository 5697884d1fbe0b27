// Turning an int8 trainer model into a deployable winoq::Model (winoq/model/model.h): the layer
// graph in forward order, every conv's integer parameters from the very calls integer mode
// makes (QConvImpl::direct_params / winograd_params at the layer's real input size), the input
// look-up table and the exact int8 head (integer_head.h). Also the untrained ResNets used for
// latency and MAC measurements (random weights, clipping factors calibrated on random images).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "trainer/data/dataset.h"
#include "trainer/models/resnet.h"
#include "winoq/analysis/calibration.h"
#include "winoq/model/model.h"

namespace winoq::train {

struct ExportOptions {
    std::string name;     // empty: default_model_name()
    std::string dataset;  // "cifar10", "fashion-mnist", "imagenet-shapes", ...
    bool trained = true;
    int image_size = 0;                       // 0: the model config's
    Normalization norm;                       // of the data set the model was trained on
    std::vector<std::string> class_names;     // empty: class_names_for(dataset, classes)
    std::map<std::string, std::string> info;  // provenance
};

// The message every export of a float model fails with.
extern const char* const kExportNeedsInt8;

// Throws std::invalid_argument for a float model (kExportNeedsInt8) or one whose clipping
// factors were never calibrated. Folds a BatchNorm left in the model.
Model export_model(ResNet& model, const ExportOptions& o);

// CIFAR-10 / Fashion-MNIST names; "class_0".. otherwise.
std::vector<std::string> class_names_for(const std::string& dataset, int classes);
// The normalisation of a data set ("imagenet-shapes" and "cifar10": ImageNet statistics).
Normalization normalization_for(const std::string& dataset);
// The data set a config was trained on, from its input shape: 1 x 28 fashion-mnist,
// 3 x 32 cifar10, otherwise imagenet-shapes.
std::string dataset_for(const ModelConfig& c);
// e.g. "resnet20-cifar10-cf43", "resnet20-cifar10-cf43-pertap", "resnet18-imagenet-shapes-cf43-untrained".
std::string default_model_name(const ModelConfig& c, const std::string& dataset, bool trained);

// An untrained model of the given shapes: seeded random init (no BatchNorm: folded at
// identity), clipping factors calibrated on `calib_images` seeded Gaussian random images
// (pixels 127.5 + 64 * N(0, 1), clamped to [0, 255]) so no stage is saturated or all zero.
struct UntrainedOptions {
    std::string arch = "resnet18", variant = "cf43";
    std::map<std::string, std::string> layer_variants;  // per-conv overrides (--layer-variant)
    bool per_tap = false, per_channel_u = false;
    int image_size = 0;  // 0: 224 for resnet18, 32 for resnet20
    int classes = 0;     // 0: 1000 for resnet18, 10 for resnet20
    uint64_t seed = 1;
    int64_t calib_images = 16;
    CalibrationOptions calib = {ClipMethod::kPercentile, 99.99};  // granularity follows per_tap
};
ResNet untrained_model(const UntrainedOptions& o);
// The seeded Gaussian random images calibration uses (uint8 [n, C, S, S]).
ImageDataset gaussian_images(int64_t n, int channels, int size, uint64_t seed);

}  // namespace winoq::train
