// winoq-make-hostile-input: hostile input files for the CLI resource-limit tests
// (tests/CMakeLists.txt, winoq_cli.hostile_*; docs/security.md). Each is small or sparse on disk.
//   png-text OUT            a 8x8 PNG whose tEXt chunk declares ~2 GB
//   png-tall OUT            a 67 x 1,000,000 RGB PNG (all zeros, ~200 KB)
//   sparse OUT BYTES        a sparse file of BYTES bytes
//   fifo OUT                a FIFO (named pipe)
//   idx-bomb DIR            t10k-{images,labels}-idx{3,1}-ubyte.gz: 10000 x 28 x 28 promised,
//                           the image stream inflates to 1 GiB (~1 MB on disk)
//   st-header OUT BYTES     a safetensors file whose header length field says BYTES
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "hostile_inputs.h"

int main(int argc, char** argv) try {
    namespace t = winoq::test;
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 2 && a[0] == "png-text") {
        t::write_file(a[1], t::png_with_huge_text_chunk());
    } else if (a.size() == 2 && a[0] == "png-tall") {
        t::write_file(a[1], t::png_of_zeros(67, 1000000, 3));
    } else if (a.size() == 3 && a[0] == "sparse") {
        t::make_sparse_file(a[1], std::stoull(a[2]));
    } else if (a.size() == 2 && a[0] == "fifo") {
        t::make_fifo(a[1]);
    } else if (a.size() == 2 && a[0] == "idx-bomb") {
        t::write_gzip_idx_bomb(a[1] + "/t10k-images-idx3-ubyte.gz", a[1] + "/t10k-labels-idx1-ubyte.gz", 10000, 28, 28,
                               uint64_t(1) << 30);
    } else if (a.size() == 3 && a[0] == "st-header") {
        t::write_file(a[1], t::safetensors_declaring_header(std::stoull(a[2])));
    } else {
        std::cerr << "usage: winoq-make-hostile-input png-text OUT | png-tall OUT | sparse OUT BYTES | fifo OUT | "
                     "idx-bomb DIR | st-header OUT BYTES\n";
        return 2;
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "winoq-make-hostile-input: " << e.what() << "\n";
    return 1;
}
