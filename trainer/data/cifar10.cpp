#include "trainer/data/cifar10.h"

#include <fstream>
#include <stdexcept>

namespace winoq::train {
namespace {

ImageDataset load_one(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw std::runtime_error("winoq-train: cannot open CIFAR-10 file " + path);
    const std::streamoff bytes = f.tellg();
    if (bytes <= 0) throw std::runtime_error("winoq-train: CIFAR-10 file " + path + " is empty");
    if (bytes % kCifarRecord != 0)
        throw std::runtime_error("winoq-train: CIFAR-10 file " + path + " is truncated or not in the binary format (" +
                                 std::to_string(bytes) + " bytes is not a multiple of the " +
                                 std::to_string(kCifarRecord) + "-byte record)");
    const int64_t n = bytes / kCifarRecord;
    auto raw = torch::empty({n, kCifarRecord}, torch::kUInt8);
    f.seekg(0);
    if (!f.read(reinterpret_cast<char*>(raw.data_ptr<uint8_t>()), bytes))
        throw std::runtime_error("winoq-train: read error in CIFAR-10 file " + path);
    ImageDataset d;
    d.name = path;
    d.labels = raw.select(1, 0).to(torch::kLong);
    const int64_t bad = (d.labels > 9).sum().item<int64_t>();
    if (bad > 0)
        throw std::runtime_error("winoq-train: " + path + " is not a CIFAR-10 binary file (" + std::to_string(bad) +
                                 " labels above 9)");
    d.images = raw.narrow(1, 1, kCifarRecord - 1).reshape({n, 3, kCifarImage, kCifarImage}).contiguous();
    d.num_classes = 10;
    return d;
}

}  // namespace

ImageDataset load_cifar10(const std::vector<std::string>& files) {
    std::vector<ImageDataset> parts;
    for (const std::string& p : files) parts.push_back(load_one(p));
    if (parts.size() == 1) return parts[0];
    return concat(parts, "cifar10");
}

Normalization cifar10_normalization() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }

}  // namespace winoq::train
