// CIFAR-10 binary and Fashion-MNIST IDX readers (see datasets.h).
#include "winoq/io/datasets.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace winoq {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& problem) {
    throw std::runtime_error(what + ": " + problem);
}

void check_regular_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
    if (!std::filesystem::is_regular_file(path, ec)) fail(path, "not a regular file");
}

// The whole (decompressed) contents. zlib's gzread passes files that are not gzip through
// unchanged, so plain IDX files read too; a damaged or truncated gzip stream is an error.
std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
    check_regular_file(path);
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<uint8_t> out;
    uint8_t buf[1 << 16];
    for (;;) {
        const int n = gzread(f, buf, sizeof buf);
        if (n < 0) break;
        out.insert(out.end(), buf, buf + n);
        if (n < int(sizeof buf)) break;
    }
    int errnum = Z_OK;
    const char* msg = gzerror(f, &errnum);
    const std::string message = msg ? msg : "";
    gzclose(f);
    if (errnum != Z_OK) fail(path, "gzip error: " + message);
    return out;
}

uint32_t big_endian32(const std::vector<uint8_t>& b, size_t at) {
    return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | uint32_t(b[at + 3]);
}

}  // namespace

const std::vector<std::string>& cifar10_class_names() {
    static const std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                   "dog",      "frog",       "horse", "ship", "truck"};
    return names;
}

const std::vector<std::string>& fashion_mnist_class_names() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

LabeledImages read_cifar10(const std::string& path, int limit) {
    constexpr size_t kSide = 32, kPlane = kSide * kSide, kRecord = 1 + 3 * kPlane;
    check_regular_file(path);
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) fail(path, "cannot read its size: " + ec.message());
    if (size == 0) fail(path, "empty file (expected CIFAR-10 binary records of 3073 bytes)");
    if (size % kRecord != 0)
        fail(path, "truncated or not a CIFAR-10 binary batch: " + std::to_string(size) +
                       " bytes is not a whole number of 3073-byte records");
    size_t count = size / kRecord;
    if (limit > 0 && size_t(limit) < count) count = size_t(limit);

    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<uint8_t> raw(count * kRecord);
    if (!in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(raw.size()))) fail(path, "read error");

    LabeledImages d;
    d.count = int(count);
    d.height = d.width = int(kSide);
    d.channels = 3;
    d.class_names = cifar10_class_names();
    d.pixels.resize(count * kPlane * 3);
    d.labels.resize(count);
    for (size_t i = 0; i < count; ++i) {
        const uint8_t* rec = &raw[i * kRecord];
        if (rec[0] > 9)
            fail(path, "record " + std::to_string(i) + " has label " + std::to_string(rec[0]) +
                           " (labels above 9: not a CIFAR-10 binary batch)");
        d.labels[i] = rec[0];
        uint8_t* dst = &d.pixels[i * kPlane * 3];
        for (size_t p = 0; p < kPlane; ++p)  // planes R, G, B -> interleaved HWC
            for (size_t c = 0; c < 3; ++c) dst[p * 3 + c] = rec[1 + c * kPlane + p];
    }
    return d;
}

LabeledImages read_idx_images(const std::string& images_path, const std::string& labels_path, int limit) {
    const std::vector<uint8_t> img = read_maybe_gzip(images_path);
    const std::vector<uint8_t> lab = read_maybe_gzip(labels_path);
    if (img.size() < 16) fail(images_path, "too short for an IDX image file header (16 bytes): not an IDX image file");
    if (lab.size() < 8) fail(labels_path, "too short for an IDX label file header (8 bytes): not an IDX label file");
    if (big_endian32(img, 0) != 0x803)
        fail(images_path,
             "wrong magic number (expected 0x00000803, unsigned byte 3-D IDX images): not an IDX image file");
    if (big_endian32(lab, 0) != 0x801)
        fail(labels_path,
             "wrong magic number (expected 0x00000801, unsigned byte 1-D IDX labels): not an IDX label file");
    const uint32_t n = big_endian32(img, 4), rows = big_endian32(img, 8), cols = big_endian32(img, 12);
    const uint32_t n_labels = big_endian32(lab, 4);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        fail(images_path, "implausible image size " + std::to_string(rows) + "x" + std::to_string(cols));
    if (n != n_labels)
        fail(images_path,
             std::to_string(n) + " images but " + labels_path + " has " + std::to_string(n_labels) + " labels");
    if (n == 0) fail(images_path, "holds no images");
    const uint64_t expect_img = 16 + uint64_t(n) * rows * cols, expect_lab = 8 + uint64_t(n);
    if (img.size() != expect_img)
        fail(images_path, (img.size() < expect_img ? "truncated: " : "trailing data: ") + std::to_string(img.size()) +
                              " bytes, the header says " + std::to_string(expect_img));
    if (lab.size() != expect_lab)
        fail(labels_path, (lab.size() < expect_lab ? "truncated: " : "trailing data: ") + std::to_string(lab.size()) +
                              " bytes, the header says " + std::to_string(expect_lab));

    size_t count = n;
    if (limit > 0 && size_t(limit) < count) count = size_t(limit);
    LabeledImages d;
    d.count = int(count);
    d.height = int(rows);
    d.width = int(cols);
    d.channels = 1;
    d.pixels.assign(img.begin() + 16, img.begin() + 16 + count * rows * cols);
    d.labels.assign(lab.begin() + 8, lab.begin() + 8 + count);
    return d;
}

LabeledImages read_fashion_mnist(const std::string& dir, const std::string& set, int limit) {
    if (set != "t10k" && set != "train")
        throw std::invalid_argument("Fashion-MNIST set must be t10k or train, not " + set);
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) fail(dir, "not a directory (expected the Fashion-MNIST IDX files)");
    auto find = [&](const std::string& stem) {
        const std::string gz = dir + "/" + stem + ".gz";
        if (std::filesystem::exists(gz, ec)) return gz;
        const std::string plain = dir + "/" + stem;
        if (std::filesystem::exists(plain, ec)) return plain;
        fail(dir, "has no " + stem + ".gz");
    };
    LabeledImages d = read_idx_images(find(set + "-images-idx3-ubyte"), find(set + "-labels-idx1-ubyte"), limit);
    for (int i = 0; i < d.count; ++i)
        if (d.labels[i] > 9)
            fail(dir, "label " + std::to_string(d.labels[i]) + " out of range 0..9 (not Fashion-MNIST)");
    d.class_names = fashion_mnist_class_names();
    return d;
}

}  // namespace winoq
