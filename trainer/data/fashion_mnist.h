// Fashion-MNIST as Debian's dataset-fashion-mnist installs it: gzip-compressed IDX files in
// /usr/share/datasets/fashion-mnist/ (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; 60,000 / 10,000 grey 28 x 28 images).
// Uncompressed IDX files are read too (zlib passes them through).
//
// The images stay 1-channel 28 x 28: the models take the channel count from the data (the
// stem convolution has 1 input channel), which costs nothing and keeps the stem honest,
// rather than replicating grey to 3 channels.
#pragma once

#include <string>

#include "trainer/data/dataset.h"

namespace winoq::train {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// One IDX image file (magic 0x00000803, [N, rows, cols] uint8) and its label file (magic
// 0x00000801, [N] uint8). Throws std::runtime_error naming the file when it is missing, not
// gzip/IDX, of the wrong kind, truncated, or when the counts disagree or a label is above 9.
ImageDataset load_idx_pair(const std::string& images_path, const std::string& labels_path);

// The train (60k) or test (10k) split from the directory of the four standard files.
ImageDataset load_fashion_mnist(const std::string& dir, bool train);

// Mean and standard deviation of the Fashion-MNIST training pixels / 255.
Normalization fashion_mnist_normalization();

}  // namespace winoq::train
