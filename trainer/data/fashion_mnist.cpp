#include "trainer/data/fashion_mnist.h"

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace winoq::train {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803, kLabelsMagic = 0x00000801;

// The whole decompressed content of a gzip (or plain) file.
std::vector<uint8_t> read_gzip(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("winoq-train: cannot open " + path);
    std::vector<uint8_t> out;
    std::vector<uint8_t> buf(1 << 20);
    for (;;) {
        const int got = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
        if (got < 0) {
            int err = 0;
            const std::string msg = gzerror(f, &err);
            gzclose(f);
            throw std::runtime_error("winoq-train: " + path + " is corrupt or truncated (zlib: " + msg + ")");
        }
        if (got == 0) break;
        out.insert(out.end(), buf.begin(), buf.begin() + got);
    }
    // zlib reports a gzip stream cut short only through gzerror after the last read.
    int err = 0;
    const std::string msg = gzerror(f, &err);
    gzclose(f);
    if (err != Z_OK && err != Z_STREAM_END)
        throw std::runtime_error("winoq-train: " + path + " is corrupt or truncated (zlib: " + msg + ")");
    return out;
}

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
    return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) | uint32_t(b[at + 3]);
}

// Checks magic and size of an IDX file; returns its dimensions.
std::vector<int64_t> idx_dims(const std::vector<uint8_t>& b, const std::string& path, uint32_t magic, int ndims) {
    const size_t header = 4 + 4 * size_t(ndims);
    if (b.size() < 4) throw std::runtime_error("winoq-train: " + path + " is too short for an IDX header");
    if (big_endian(b, 0) != magic)
        throw std::runtime_error("winoq-train: " + path + " is not an IDX " + (ndims == 3 ? "image" : "label") +
                                 " file (magic " + std::to_string(big_endian(b, 0)) + ", expected " +
                                 std::to_string(magic) + ")");
    if (b.size() < header) throw std::runtime_error("winoq-train: " + path + " is truncated (short IDX header)");
    std::vector<int64_t> dims;
    int64_t total = 1;
    for (int i = 0; i < ndims; ++i) {
        dims.push_back(big_endian(b, 4 + 4 * size_t(i)));
        total *= dims.back();
    }
    if (b.size() != header + size_t(total))
        throw std::runtime_error("winoq-train: " + path + " is truncated or has trailing bytes (" +
                                 std::to_string(b.size() - header) + " data bytes, header says " +
                                 std::to_string(total) + ")");
    return dims;
}

}  // namespace

ImageDataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
    const std::vector<uint8_t> ib = read_gzip(images_path), lb = read_gzip(labels_path);
    const std::vector<int64_t> id = idx_dims(ib, images_path, kImagesMagic, 3);
    const std::vector<int64_t> ld = idx_dims(lb, labels_path, kLabelsMagic, 1);
    if (id[0] != ld[0])
        throw std::runtime_error("winoq-train: " + images_path + " holds " + std::to_string(id[0]) + " images but " +
                                 labels_path + " " + std::to_string(ld[0]) + " labels");
    ImageDataset d;
    d.name = images_path;
    d.images = torch::from_blob(const_cast<uint8_t*>(ib.data()) + 16, {id[0], 1, id[1], id[2]}, torch::kUInt8).clone();
    d.labels = torch::from_blob(const_cast<uint8_t*>(lb.data()) + 8, {ld[0]}, torch::kUInt8).to(torch::kLong);
    if (d.size() > 0 && d.labels.max().item<int64_t>() > 9)
        throw std::runtime_error("winoq-train: " + labels_path + " holds labels above 9");
    d.num_classes = 10;
    return d;
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
