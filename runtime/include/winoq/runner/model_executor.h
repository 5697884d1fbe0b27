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

// What an executor may allocate unless told otherwise: room for ResNet-18 at 224x224 and
// batch 16 on the kernels, small enough for an edge device (docs/security.md).
inline constexpr uint64_t kDefaultMemoryBudget = uint64_t(1) << 30;  // 1 GiB
inline constexpr int kMaxBatch = 4096;

// The bytes a ModelExecutor of this valid model and batch allocates: every activation, the
// kernels' packed weights and scratch, the float convs' buffers (the reference engine's
// per-call temporaries are not counted). Computed without allocating.
struct PlannedMemory {
    uint64_t activations = 0, kernels = 0;
    uint64_t total() const { return activations + kernels; }
};
PlannedMemory planned_memory(const Model& m, int batch, ExecEngine engine = ExecEngine::kKernels);

class ModelExecutor {
public:
    // Throws std::invalid_argument for a batch outside [1, kMaxBatch] and std::runtime_error,
    // before allocating anything, when planned_memory exceeds memory_budget bytes.
    ModelExecutor(const Model& m, int batch, ExecEngine engine = ExecEngine::kKernels,
                  uint64_t memory_budget = kDefaultMemoryBudget);
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
