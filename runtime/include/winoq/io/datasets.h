// Labelled image sets for `winoq eval`: CIFAR-10 binary batches and Fashion-MNIST gzip IDX files.
// Both read into NHWC 8-bit pixels, the layout ModelExecutor::run_pixels takes. Any problem
// (missing, empty, truncated, wrong magic, inconsistent counts, a limit below exceeded) is a
// std::runtime_error naming the file.
//
// Resource limits (docs/security.md, "Readers"): files must be regular files within a size cap;
// an IDX header's counts are checked against the caps before anything is allocated, and a gzip
// stream is decompressed in bounded chunks and never beyond the size its header promises.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace winoq {

// 256 MiB per CIFAR-10 file: a batch is 30.7 MB (10,000 records), all five training batches
// concatenated 154 MB.
inline constexpr uint64_t kMaxCifarFileBytes = uint64_t(256) << 20;
// 256 MiB of IDX image data (count x rows x cols bytes, as the header says): Fashion-MNIST's
// training images are 47 MB.
inline constexpr uint64_t kMaxIdxDataBytes = uint64_t(256) << 20;
// 16 Mi images per IDX file (the label vector is 4 bytes per image): Fashion-MNIST has 60,000.
inline constexpr uint64_t kMaxIdxImages = uint64_t(1) << 24;
// 4,096 rows or columns per IDX image: Fashion-MNIST's are 28.
inline constexpr uint32_t kMaxIdxSide = 4096;
// An IDX file as stored, gzip or plain: the data cap plus 1 MiB (gzip adds well under 1 MiB).
inline constexpr uint64_t kMaxIdxFileBytes = kMaxIdxDataBytes + (uint64_t(1) << 20);

struct LabeledImages {
    int count = 0, height = 0, width = 0, channels = 0;
    std::vector<uint8_t> pixels;  // count x height x width x channels
    std::vector<int> labels;      // count
    std::vector<std::string> class_names;

    const uint8_t* image(int i) const { return pixels.data() + size_t(i) * height * width * channels; }
    size_t image_bytes() const { return size_t(height) * width * channels; }
};

const std::vector<std::string>& cifar10_class_names();
const std::vector<std::string>& fashion_mnist_class_names();

// A CIFAR-10 binary batch (data_batch_N.bin / test_batch.bin): records of 1 label byte and a
// 32x32 image as three 1024-byte planes R, G, B. limit > 0 reads only the first `limit` images.
LabeledImages read_cifar10(const std::string& path, int limit = 0);

// Fashion-MNIST in `dir`: <set>-images-idx3-ubyte.gz and <set>-labels-idx1-ubyte.gz, set
// "t10k" (test) or "train"; 28x28 grey (C = 1). Uncompressed files (no .gz) are read too.
LabeledImages read_fashion_mnist(const std::string& dir, const std::string& set = "t10k", int limit = 0);

// The IDX pair itself (gzip or plain): images magic 0x00000803 (count, rows, cols), labels
// magic 0x00000801 (count); the counts must agree.
LabeledImages read_idx_images(const std::string& images_path, const std::string& labels_path, int limit = 0);

}  // namespace winoq
