// winoq-make-test-data: small input files for the `winoq` CLI tests.
//   png OUT WIDTH HEIGHT CHANNELS     a gradient PNG (CHANNELS 1 or 3)
//   cifar OUT COUNT                   a CIFAR-10 binary batch of COUNT records (labels i mod 10)
//   idx DIR COUNT SIZE                Fashion-MNIST-named gzip IDX files (t10k), SIZE x SIZE grey
//   truncate IN OUT BYTES             the first BYTES bytes of IN
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "winoq/io/png_image.h"

namespace {

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    if (!f || gzwrite(f, bytes.data(), unsigned(bytes.size())) != int(bytes.size()))
        throw std::runtime_error("cannot write " + path);
    gzclose(f);
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

int usage() {
    std::cerr
        << "usage: winoq-make-test-data png OUT W H C | cifar OUT COUNT | idx DIR COUNT SIZE | truncate IN OUT BYTES\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 5 && a[0] == "png") {
        winoq::Image8 img;
        img.width = std::stoi(a[2]);
        img.height = std::stoi(a[3]);
        img.channels = std::stoi(a[4]);
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x)
                for (int c = 0; c < img.channels; ++c) img.pixels.push_back(uint8_t(x * 5 + y * 3 + c * 80));
        winoq::write_png(a[1], img);
    } else if (a.size() == 3 && a[0] == "cifar") {
        std::vector<uint8_t> b;
        for (int i = 0; i < std::stoi(a[2]); ++i) {
            b.push_back(uint8_t(i % 10));
            for (int p = 0; p < 3072; ++p) b.push_back(uint8_t(p * 7 + i * 13));
        }
        write_file(a[1], b);
    } else if (a.size() == 4 && a[0] == "idx") {
        const int n = std::stoi(a[2]), size = std::stoi(a[3]);
        std::vector<uint8_t> img, lab;
        put32(img, 0x803), put32(img, n), put32(img, size), put32(img, size);
        put32(lab, 0x801), put32(lab, n);
        for (int i = 0; i < n; ++i) {
            lab.push_back(uint8_t(i % 10));
            for (int p = 0; p < size * size; ++p) img.push_back(uint8_t(p + i));
        }
        write_gz(a[1] + "/t10k-images-idx3-ubyte.gz", img);
        write_gz(a[1] + "/t10k-labels-idx1-ubyte.gz", lab);
    } else if (a.size() == 4 && a[0] == "truncate") {
        std::ifstream in(a[1], std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + a[1]);
        std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        b.resize(std::min(b.size(), size_t(std::stoul(a[3]))));
        write_file(a[2], b);
    } else {
        return usage();
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "winoq-make-test-data: " << e.what() << "\n";
    return 1;
}
