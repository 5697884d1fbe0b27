// libFuzzer target: the CIFAR-10 binary batch reader (datasets.h), read_cifar10 on any bytes
// (an in-memory file, fuzz_file.h), whole and limited to its first record. A rejection
// (std::exception) is fine; an accepted batch must hold count 32x32x3 images with labels 0..9.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz_file.h"
#include "winoq/io/datasets.h"

namespace {

void check(const winoq::LabeledImages& d, int limit) {
    bool ok = d.count >= 1 && (limit == 0 || d.count <= limit) && d.height == 32 && d.width == 32 && d.channels == 3 &&
              d.pixels.size() == size_t(d.count) * d.image_bytes() && d.labels.size() == size_t(d.count) &&
              d.class_names.size() == 10;
    for (int label : d.labels) ok = ok && label >= 0 && label <= 9;
    if (!ok) {
        std::fprintf(stderr, "read_cifar10 (limit %d) accepted an inconsistent batch: count %d, %zu bytes\n", limit,
                     d.count, d.pixels.size());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static winoq::fuzz::FuzzFile file("cifar10");
    const std::string& path = file.write(data, size);
    for (int limit : {0, 1}) {
        try {
            check(winoq::read_cifar10(path, limit), limit);
        } catch (const std::exception&) {
        }
    }
    return 0;
}
