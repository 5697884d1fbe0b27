// Runs a winoq::Model: every conv on the AOT Halide kernels (winoq::ConvKernel) in the
// variant its op names, or on the scalar reference (tests), plus the exact integer head.
// All activations and kernels are planned at construction for a fixed batch size; run()
// allocates nothing. Halide's thread pool spreads each kernel over the cores.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "winoq/model/model.h"

namespace winoq {

enum class ExecEngine { kKernels, kReference };

class ModelExecutor {
public:
    ModelExecutor(const Model& m, int batch, ExecEngine engine = ExecEngine::kKernels);
    ~ModelExecutor();
    ModelExecutor(ModelExecutor&&) noexcept;
    ModelExecutor& operator=(ModelExecutor&&) noexcept;

    const Model& model() const;
    int batch() const;

    // images: batch x image_size x image_size x in_channels 8-bit pixels (NHWC), already at
    // the model's size; quantized through the model's input_lut. logits: batch x classes.
    void run_pixels(const uint8_t* images, double* logits);
    // input: the int8 image, batch x H x W x C (NHWC).
    void run_quantized(const int8_t* input, double* logits);

    // Seconds each op took in the last run, in op order, then the head.
    const std::vector<double>& op_seconds() const;
    // The int8 activation an op wrote in the last run (NHWC, batch x out_h x out_w x out_c).
    const int8_t* activation(const std::string& op_name) const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Softmax probabilities of one image's logits (double, max-subtracted).
std::vector<double> softmax(const double* logits, int classes);

}  // namespace winoq
