// CIFAR-10 binary and Fashion-MNIST IDX readers (see datasets.h).
#include "winoq/io/datasets.h"

#include <zlib.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "winoq/io/file_read.h"

namespace winoq {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& problem) {
    throw std::runtime_error(what + ": " + problem);
}

// Decompressed data is read and skipped in pieces of this size, never more at once.
constexpr size_t kChunkBytes = size_t(1) << 20;

// An IDX file, gzip or plain (zlib's gzread passes files that are not gzip through unchanged),
// opened as a regular file within kMaxIdxFileBytes and read in bounded pieces. A damaged or
// truncated gzip stream is an error.
class IdxStream {
public:
    explicit IdxStream(const std::string& path) : path_(path) {
        RegularFile file = RegularFile::open(path, kMaxIdxFileBytes, "IDX file");
        const int fd = file.release();
        gz_ = gzdopen(fd, "rb");
        if (!gz_) {
            ::close(fd);
            fail(path, "cannot start reading (out of memory)");
        }
    }
    ~IdxStream() { gzclose(gz_); }
    IdxStream(const IdxStream&) = delete;
    IdxStream& operator=(const IdxStream&) = delete;

    // Up to n bytes; fewer only at the end of the data.
    size_t read(uint8_t* dst, size_t n) {
        size_t done = 0;
        while (done < n) {
            const unsigned want = unsigned(std::min(n - done, kChunkBytes));
            const int got = gzread(gz_, dst + done, want);
            if (got < 0) throw_gzip_error();
            done += size_t(got);
            if (unsigned(got) < want) break;
        }
        if (done < n) {
            int errnum = Z_OK;
            gzerror(gz_, &errnum);
            if (errnum != Z_OK) throw_gzip_error();
        }
        return done;
    }
    // Skips n bytes; returns how many there were.
    uint64_t skip(uint64_t n) {
        std::vector<uint8_t> scratch(size_t(std::min<uint64_t>(n, kChunkBytes)));
        uint64_t done = 0;
        while (done < n) {
            const size_t want = size_t(std::min<uint64_t>(n - done, scratch.size()));
            const size_t got = read(scratch.data(), want);
            done += got;
            if (got < want) break;
        }
        return done;
    }
    bool at_end() {
        uint8_t b;
        return read(&b, 1) == 0;
    }

private:
    [[noreturn]] void throw_gzip_error() {
        int errnum = Z_OK;
        const char* msg = gzerror(gz_, &errnum);
        fail(path_, std::string("gzip error: ") + (msg && *msg ? msg : "unknown"));
    }
    std::string path_;
    gzFile gz_ = nullptr;
};

uint32_t big_endian32(const uint8_t* b) {
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | uint32_t(b[3]);
}

// Reads `keep` bytes of an IDX payload of `expected` bytes (after a header of `header` bytes)
// into a buffer reserved to `keep` bytes (filled, and its pages touched, as the data arrives),
// then skips the rest and checks that the data ends there: never more than expected + 1 bytes
// are decompressed.
std::vector<uint8_t> read_payload(IdxStream& in, const std::string& path, uint64_t header, uint64_t expected,
                                  uint64_t keep) {
    std::vector<uint8_t> out;
    out.reserve(size_t(keep));  // address space only; pages are touched as data arrives
    while (out.size() < keep) {
        const size_t at = out.size(), want = size_t(std::min<uint64_t>(keep - at, kChunkBytes));
        out.resize(at + want);
        const size_t got = in.read(out.data() + at, want);
        if (got < want)
            fail(path, "truncated: " + std::to_string(header + at + got) + " bytes, the header says " +
                           std::to_string(header + expected));
    }
    const uint64_t rest = expected - keep, skipped = in.skip(rest);
    if (skipped < rest)
        fail(path, "truncated: " + std::to_string(header + keep + skipped) + " bytes, the header says " +
                       std::to_string(header + expected));
    if (!in.at_end())
        fail(path, "trailing data: more than " + std::to_string(header + expected) + " bytes, the header says " +
                       std::to_string(header + expected));
    return out;
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
    RegularFile in = RegularFile::open(path, kMaxCifarFileBytes, "CIFAR-10 batch");
    const uint64_t size = in.size();
    if (size == 0) fail(path, "empty file (expected CIFAR-10 binary records of 3073 bytes)");
    if (size % kRecord != 0)
        fail(path, "truncated or not a CIFAR-10 binary batch: " + std::to_string(size) +
                       " bytes is not a whole number of 3073-byte records");
    size_t count = size_t(size / kRecord);
    if (limit > 0 && size_t(limit) < count) count = size_t(limit);

    LabeledImages d;
    d.count = int(count);
    d.height = d.width = int(kSide);
    d.channels = 3;
    d.class_names = cifar10_class_names();
    d.pixels.resize(count * kPlane * 3);
    d.labels.resize(count);
    // Records are read in blocks of 1,024 (3 MB), not the whole file at once.
    std::vector<uint8_t> raw(std::min<size_t>(count, 1024) * kRecord);
    for (size_t first = 0; first < count; first += 1024) {
        const size_t n = std::min<size_t>(count - first, 1024);
        in.read_exactly(raw.data(), n * kRecord);
        for (size_t j = 0; j < n; ++j) {
            const size_t i = first + j;
            const uint8_t* rec = &raw[j * kRecord];
            if (rec[0] > 9)
                fail(path, "record " + std::to_string(i) + " has label " + std::to_string(rec[0]) +
                               " (labels above 9: not a CIFAR-10 binary batch)");
            d.labels[i] = rec[0];
            uint8_t* dst = &d.pixels[i * kPlane * 3];
            for (size_t p = 0; p < kPlane; ++p)  // planes R, G, B -> interleaved HWC
                for (size_t c = 0; c < 3; ++c) dst[p * 3 + c] = rec[1 + c * kPlane + p];
        }
    }
    if (in.position() == in.size()) in.expect_end();
    return d;
}

LabeledImages read_idx_images(const std::string& images_path, const std::string& labels_path, int limit) {
    IdxStream img(images_path), lab(labels_path);
    uint8_t ih[16], lh[8];
    if (img.read(ih, 16) < 16)
        fail(images_path, "too short for an IDX image file header (16 bytes): not an IDX image file");
    if (lab.read(lh, 8) < 8)
        fail(labels_path, "too short for an IDX label file header (8 bytes): not an IDX label file");
    if (big_endian32(ih) != 0x803)
        fail(images_path,
             "wrong magic number (expected 0x00000803, unsigned byte 3-D IDX images): not an IDX image file");
    if (big_endian32(lh) != 0x801)
        fail(labels_path,
             "wrong magic number (expected 0x00000801, unsigned byte 1-D IDX labels): not an IDX label file");
    const uint32_t n = big_endian32(ih + 4), rows = big_endian32(ih + 8), cols = big_endian32(ih + 12);
    const uint32_t n_labels = big_endian32(lh + 4);
    if (rows == 0 || cols == 0 || rows > kMaxIdxSide || cols > kMaxIdxSide)
        fail(images_path, "implausible image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                              " (the limit is " + std::to_string(kMaxIdxSide) + " per side)");
    if (n != n_labels)
        fail(images_path,
             std::to_string(n) + " images but " + labels_path + " has " + std::to_string(n_labels) + " labels");
    if (n == 0) fail(images_path, "holds no images");
    if (n > kMaxIdxImages)
        fail(images_path, "the header says " + std::to_string(n) + " images, above the limit of " +
                              std::to_string(kMaxIdxImages) + " for an IDX file");
    // At most 2^32 x 2^12 x 2^12: no overflow in 64 bits.
    const uint64_t image_bytes = uint64_t(rows) * cols, expect_img = uint64_t(n) * image_bytes;
    if (expect_img > kMaxIdxDataBytes)
        fail(images_path, "the header says " + std::to_string(n) + " images of " + std::to_string(rows) + "x" +
                              std::to_string(cols) + " = " + format_size(expect_img) + ", above the " +
                              format_limit(kMaxIdxDataBytes) + " limit for IDX image data");

    size_t count = n;
    if (limit > 0 && size_t(limit) < count) count = size_t(limit);
    LabeledImages d;
    d.count = int(count);
    d.height = int(rows);
    d.width = int(cols);
    d.channels = 1;
    d.pixels = read_payload(img, images_path, 16, expect_img, count * image_bytes);
    const std::vector<uint8_t> labels = read_payload(lab, labels_path, 8, n, count);
    d.labels.assign(labels.begin(), labels.end());
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
