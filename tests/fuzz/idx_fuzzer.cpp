// libFuzzer target: the Fashion-MNIST IDX readers (datasets.h), read_fashion_mnist on a
// directory whose t10k image and label files (plain or gzip) come from the input:
//   4 bytes little-endian L, then the image file (the next L bytes, or all that remain), then
//   the label file (the rest).
// The two files are in-memory files (fuzz_file.h) linked from a temporary directory. A rejection
// (std::exception) is fine; accepted images must be consistent with the counts and labels 0..9.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>

#include "fuzz_file.h"
#include "winoq/io/datasets.h"

namespace {

// The t10k files: in-memory files that each run rewrites, linked from a temporary directory
// that the static's destructor removes when the fuzzer exits.
class IdxDir {
public:
    IdxDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "winoq-fuzz-idx.XXXXXX").string();
        if (!mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        dir_ = tmpl;
        std::filesystem::create_symlink(images.path(), dir_ / "t10k-images-idx3-ubyte");
        std::filesystem::create_symlink(labels.path(), dir_ / "t10k-labels-idx1-ubyte");
    }
    IdxDir(const IdxDir&) = delete;
    IdxDir& operator=(const IdxDir&) = delete;
    ~IdxDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    std::string path() const { return dir_.string(); }

    winoq::fuzz::FuzzFile images{"idx-images"}, labels{"idx-labels"};

private:
    std::filesystem::path dir_;
};

void check(const winoq::LabeledImages& d, int limit) {
    bool ok = d.count >= 1 && (limit == 0 || d.count <= limit) && d.height >= 1 && d.width >= 1 && d.channels == 1 &&
              d.pixels.size() == size_t(d.count) * d.image_bytes() && d.labels.size() == size_t(d.count) &&
              d.class_names.size() == 10;
    for (int label : d.labels) ok = ok && label >= 0 && label <= 9;
    if (!ok) {
        std::fprintf(stderr, "read_fashion_mnist (limit %d) accepted an inconsistent set: count %d, %dx%d, %zu bytes\n",
                     limit, d.count, d.height, d.width, d.pixels.size());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static IdxDir dir;
    size_t split = 0;
    if (size >= 4) {
        const uint32_t L =
            uint32_t(data[0]) | uint32_t(data[1]) << 8 | uint32_t(data[2]) << 16 | uint32_t(data[3]) << 24;
        data += 4, size -= 4;
        split = L < size ? L : size;
    }
    dir.images.write(data, split);
    dir.labels.write(data + split, size - split);
    for (int limit : {0, 2}) {
        try {
            check(winoq::read_fashion_mnist(dir.path(), "t10k", limit), limit);
        } catch (const std::exception&) {
        }
    }
    return 0;
}
