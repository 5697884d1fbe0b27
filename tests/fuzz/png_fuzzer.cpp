// libFuzzer target: the PNG reader and the runner's input fitting (png_image.h), decode_png on
// any bytes and, for an image it accepts, fit_image to one of the model inputs the runner
// feeds (`winoq classify`: resize, centre crop, channel conversion), picked by the input size.
// A rejection (std::exception) is fine; an accepted image must have the size it states.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "winoq/io/png_image.h"

namespace {

struct Fit {
    int size, channels;
};
// The bundled models' inputs (CIFAR-10 32x32 RGB, Fashion-MNIST 28x28 grey) and ResNet-18's.
constexpr Fit kFits[] = {{32, 3}, {28, 1}, {224, 3}};

void check(const winoq::Image8& img, const char* what) {
    if (img.width < 1 || img.height < 1 || (img.channels != 1 && img.channels != 3) ||
        img.pixels.size() != size_t(img.width) * img.height * img.channels) {
        std::fprintf(stderr, "%s: %dx%dx%d image with %zu bytes\n", what, img.width, img.height, img.channels,
                     img.pixels.size());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    winoq::Image8 img;
    try {
        img = winoq::decode_png(data, size, "fuzz-input");
    } catch (const std::exception&) {
        return 0;
    }
    check(img, "decode_png");
    const Fit fit = kFits[size % (sizeof kFits / sizeof kFits[0])];
    try {
        const winoq::Image8 out = winoq::fit_image(img, fit.size, fit.size, fit.channels);
        check(out, "fit_image");
        if (out.width != fit.size || out.height != fit.size || out.channels != fit.channels) {
            std::fprintf(stderr, "fit_image: %dx%dx%d, asked for %dx%dx%d\n", out.width, out.height, out.channels,
                         fit.size, fit.size, fit.channels);
            std::abort();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fit_image rejects a decoded image: %s\n", e.what());
        std::abort();
    }
    return 0;
}
