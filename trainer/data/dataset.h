// An image classification data set held in memory as raw bytes, and the per-channel
// normalisation a model expects. Loaders (cifar10.h, fashion_mnist.h) fill it; batches.h turns
// it into augmented, normalised float batches.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

namespace winoq {
struct LabeledImages;  // winoq/io/datasets.h: the runtime's readers, which the loaders use
}

namespace winoq::train {

struct ImageDataset {
    std::string name;
    torch::Tensor images;  // uint8 [N, C, H, W], raw pixel values
    torch::Tensor labels;  // int64 [N]
    int num_classes = 10;
    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    int channels() const { return static_cast<int>(images.size(1)); }
    int height() const { return static_cast<int>(images.size(2)); }
    int width() const { return static_cast<int>(images.size(3)); }
};

// x = (pixel / 255 - mean[c]) / std[c].
struct Normalization {
    std::vector<float> mean, std;
};

// The runtime's NHWC images as a data set (NCHW tensor, 10 classes).
ImageDataset to_image_dataset(const LabeledImages& images, const std::string& name);

// Concatenates data sets of equal image shape (e.g. CIFAR-10 batches 1-4).
ImageDataset concat(const std::vector<ImageDataset>& parts, const std::string& name);

// The first `count` images (all if count <= 0 or larger than the set).
ImageDataset head(const ImageDataset& d, int64_t count);

}  // namespace winoq::train
