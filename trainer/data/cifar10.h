// CIFAR-10 in its binary format ("cifar-10-batches-bin"): records of 1 label byte (0-9) and
// 3,072 pixel bytes, channel-planar (1,024 R, 1,024 G, 1,024 B, each row-major 32 x 32).
// ../shared/data/cifar10-jpeg/expand.py writes data_batch_1..5.bin in this format; the
// project trains on batches 1-4 and validates on batch 5.
#pragma once

#include <string>
#include <vector>

#include "trainer/data/dataset.h"

namespace winoq::train {

inline constexpr int kCifarImage = 32;
inline constexpr int64_t kCifarRecord = 1 + 3 * kCifarImage * kCifarImage;

// Loads one or more binary batch files. Throws std::runtime_error naming the file when it is
// missing, empty, not a whole number of records (truncated) or holds a label above 9.
ImageDataset load_cifar10(const std::vector<std::string>& files);

// The normalisation of ../shared/models/README.md (ImageNet statistics, as the pretrained
// ResNet-20 was trained with): mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
Normalization cifar10_normalization();

}  // namespace winoq::train
