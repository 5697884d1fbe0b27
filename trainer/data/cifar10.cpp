#include "trainer/data/cifar10.h"

#include "winoq/io/datasets.h"

namespace winoq::train {

// winoq::read_cifar10 does every check (size, labels) with its messages.
ImageDataset load_cifar10(const std::vector<std::string>& files) {
    std::vector<ImageDataset> parts;
    for (const std::string& p : files) parts.push_back(to_image_dataset(read_cifar10(p), p));
    if (parts.size() == 1) return parts[0];
    return concat(parts, "cifar10");
}

Normalization cifar10_normalization() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }

}  // namespace winoq::train
