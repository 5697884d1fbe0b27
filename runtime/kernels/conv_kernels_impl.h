// Private to winoq_kernels: how ConvKernel dispatches to one engine per algorithm, and the
// Halide buffer helpers the engines share. Each engine lives in its own file:
//   conv_kernels_winograd.cpp  make_winograd_engine (input transform -> GEMM -> output transform)
//   conv_kernels_direct.cpp    make_direct_engine (if that file is absent, conv_kernels.cpp
//                              provides a stub that throws "not built")
// Engines pack weights/params once at construction and keep their scratch buffers; run() calls
// the AOT pipelines directly with halide_buffer_t views of the caller's memory.
#pragma once

#include <cstdint>
#include <memory>

#include <HalideBuffer.h>

#include "winoq/kernels/conv_kernels.h"
#include "winoq/numerics/conv_params.h"

namespace winoq {
namespace kernels_detail {

class ConvEngine {
public:
    virtual ~ConvEngine() = default;
    // Same contract as ConvKernel::run (residual non-null iff the params have a residual).
    virtual void run(const int8_t* in, const int8_t* residual, int8_t* out) = 0;
};

// Both validate the shape (winoq::validate_shape) and throw std::invalid_argument on bad params.
std::unique_ptr<ConvEngine> make_direct_engine(const DirectConvParams& p);
std::unique_ptr<ConvEngine> make_winograd_engine(const WinogradConvParams& p);

// An NHWC int8 tensor [N][H][W][C] as a Halide buffer with dims (c, x, y, n), extents C, W, H, N.
Halide::Runtime::Buffer<const int8_t> nhwc_view(const int8_t* data, int N, int H, int W, int C);
Halide::Runtime::Buffer<int8_t> nhwc_view(int8_t* data, int N, int H, int W, int C);

// The per-output-channel OutputStage as the int32 buffers (dim 0 = k, extent K) that every
// kernel's output stage takes as Inputs. res_mult is all zero when there is no residual.
struct OutputStageBuffers {
    Halide::Runtime::Buffer<int32_t> bias, mult, res_mult, shift;
    bool relu = false;
    bool residual = false;
    OutputStageBuffers() = default;
    OutputStageBuffers(const OutputStage& s, int K);  // throws std::invalid_argument on bad sizes
};

// Throws std::runtime_error("winoq: Halide pipeline <name> failed with error <rc>") if rc != 0.
void check_halide(int rc, const char* pipeline);

// Throws std::invalid_argument unless (residual != nullptr) == has_residual.
void check_residual_arg(const int8_t* residual, bool has_residual);

}  // namespace kernels_detail

struct ConvKernel::Impl {
    Variant variant = Variant::kDirect;
    ConvShape shape;
    std::unique_ptr<kernels_detail::ConvEngine> engine;
};

}  // namespace winoq
