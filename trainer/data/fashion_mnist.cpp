#include "trainer/data/fashion_mnist.h"

#include <stdexcept>

#include "winoq/io/datasets.h"

namespace winoq::train {

// winoq::read_idx_images (gzip or plain IDX) does every check of the files and their pairing.
ImageDataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
    const LabeledImages li = read_idx_images(images_path, labels_path);
    for (int label : li.labels)
        if (label > 9) throw std::runtime_error("winoq-train: " + labels_path + " holds labels above 9");
    return to_image_dataset(li, images_path);
}

ImageDataset load_fashion_mnist(const std::string& dir, bool train) {
    const std::string p = dir + "/" + (train ? "train" : "t10k");
    ImageDataset d = load_idx_pair(p + "-images-idx3-ubyte.gz", p + "-labels-idx1-ubyte.gz");
    d.name = std::string("fashion-mnist ") + (train ? "train" : "t10k");
    return d;
}

// Computed over the 60,000 training images (the widely used values 0.2860 / 0.3530).
Normalization fashion_mnist_normalization() { return {{0.2860f}, {0.3530f}}; }

}  // namespace winoq::train
