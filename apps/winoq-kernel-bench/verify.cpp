#include "verify.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "int8_diff.h"
#include "layer_cache.h"
#include "layer_shapes.h"
#include "winoq/numerics/reference.h"
#ifdef WINOQ_BENCH_HAVE_KERNELS
#include "winoq/kernels/conv_kernels.h"
#endif

namespace winoq::bench {
namespace {

// Also prints how much of the reference output is 0 (ReLU) or 127 (saturated): a check that
// the calibrated scales give a plausible output and not a constant one.
bool report(const std::string& what, const Int8Diff& d, const std::vector<int8_t>& want, bool exact) {
    const size_t n = want.size();
    size_t zeros = 0, saturated = 0;
    for (int8_t x : want) {
        zeros += x == 0;
        saturated += x == 127;
    }
    const bool ok = exact ? d.nonzero == 0 : d.over_one == 0;
    std::printf("verify %-32s %s (max |diff| %d, %zu of %zu differ; reference: %.0f%% zero, %.2f%% at 127)\n",
                what.c_str(), ok ? "ok  " : "FAIL", d.max_abs, d.nonzero, n, 100.0 * zeros / n, 100.0 * saturated / n);
    return ok;
}

}  // namespace

bool verify_all(OneDnnSrc src) {
    bool ok = true;
    for (const LayerShape& shape : kLayerShapes) {
        const RandomLayer& layer = cached_layer(shape);
        const size_t n = layer.shape.out_size();
        const std::string prefix = "conv3x3/" + shape.name() + "/";
        std::vector<int8_t> want(n), got(n);
        // One check: `produce` fills want (reference) and got (kernel under test).
        auto check = [&](const std::string& kernel, bool exact, auto produce) {
            try {
                produce();
                ok &= report(prefix + kernel, compare_int8(got.data(), want.data(), n), want, exact);
            } catch (const std::exception& e) {
                std::printf("verify %-32s FAIL (%s)\n", (prefix + kernel).c_str(), e.what());
                ok = false;
            }
        };
        const DirectConvParams& direct = cached_direct_params(shape);
        check("onednn", false, [&] {
            reference::direct_conv(direct, layer.input.data(), nullptr, want.data());
            OneDnnConv(direct, src).run(layer.input.data(), got.data());
        });
#ifdef WINOQ_BENCH_HAVE_KERNELS
        for (Variant v : kAllVariants)
            check(variant_name(v), true, [&] {
                if (is_winograd(v)) {
                    const WinogradConvParams& p = cached_winograd_params(shape, v);
                    reference::winograd_conv(p, layer.input.data(), nullptr, want.data());
                    ConvKernel(p).run(layer.input.data(), nullptr, got.data());
                } else {
                    reference::direct_conv(direct, layer.input.data(), nullptr, want.data());
                    ConvKernel(direct).run(layer.input.data(), nullptr, got.data());
                }
            });
#endif
    }
    std::fflush(stdout);
    return ok;
}

}  // namespace winoq::bench
