// Private to winoq_kernels: how ConvKernel dispatches to one engine per algorithm, and the
// helpers the engines share (views of memory: halide_buffer_view.h). Each engine lives in its own file:
//   conv_kernels_winograd.cpp  make_winograd_engine (input transform -> GEMM -> output transform)
//   conv_kernels_direct.cpp    make_direct_engine (if that file is absent, conv_kernels.cpp
//                              provides a stub that throws "not built")
// Engines pack weights/params once at construction and keep their scratch buffers; run() calls
// the AOT pipelines directly with halide_buffer_t views of the caller's memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <HalideBuffer.h>

#include "halide_buffer_view.h"
#include "winoq/kernels/conv_kernels.h"
#include "winoq/numerics/conv_params.h"

namespace winoq {
namespace kernels::detail {

// A compiled pipeline through Halide's argv entry point (args[i] points at argument i: a
// halide_buffer_t for buffers, the value for scalars, in the generator's Input then Output
// order): the AOT libraries' NAME_argv, or a JIT-compiled candidate of the tuner (apps/winoq-tune).
struct PipelineFn {
    int (*argv)(void** args) = nullptr;
    const char* name = "";
};

class ConvEngine {
public:
    virtual ~ConvEngine() = default;
    // Same contract as ConvKernel::run (residual non-null iff the params have a residual).
    virtual void run(const int8_t* in, const int8_t* residual, int8_t* out) = 0;
    // The pipeline run() calls, and its replacement by one compiled from the same generator with
    // other schedule knobs (same arguments, same numbers): the tuner times candidates this way.
    virtual PipelineFn pipeline() const = 0;
    virtual void use_pipeline(const PipelineFn& fn) = 0;
};

// Both validate the params (winoq::validate, conv_params.h) and throw std::invalid_argument on bad ones.
std::unique_ptr<ConvEngine> make_direct_engine(const DirectConvParams& p);
std::unique_ptr<ConvEngine> make_winograd_engine(const WinogradConvParams& p);
// What the engine of a valid shape allocates, in bytes, computed without allocating from the
// same sizes its constructor uses.
uint64_t direct_engine_bytes(const ConvShape& s);
uint64_t winograd_engine_bytes(Variant v, const ConvShape& s);
// The OutputStageBuffers of K channels.
inline uint64_t output_stage_bytes(int K) { return 4 * uint64_t(K) * sizeof(int32_t); }

// The per-output-channel OutputStage as the int32 buffers (dim 0 = k, extent K) that every
// kernel's output stage takes as Inputs. res_mult is all zero when there is no residual.
struct OutputStageBuffers {
    Halide::Runtime::Buffer<int32_t> bias, mult, res_mult, shift;
    bool relu = false;
    bool residual = false;
    OutputStageBuffers() = default;
    OutputStageBuffers(const OutputStage& s, int K);  // validate_output_stage, then copies
};

// Throws std::runtime_error("winoq: Halide pipeline <name> failed with error <rc>") if rc != 0.
void check_halide(int rc, const char* pipeline);

// Throws std::invalid_argument unless (residual != nullptr) == has_residual.
void check_residual_arg(const int8_t* residual, bool has_residual);

}  // namespace kernels::detail

struct ConvKernel::Impl {
    Variant variant = Variant::kDirect;
    ConvShape shape;
    std::unique_ptr<kernels::detail::ConvEngine> engine;
    std::string schedule = "hand";  // ConvKernel::schedule
};

}  // namespace winoq

namespace winoq::kernels::detail {
// The tuned schedule of a layer on the active target (tuned_schedules.cpp): sets fn and returns
// "tuned (k=v ...)", or leaves fn and returns "hand".
std::string tuned_pipeline(Variant v, const ConvShape& s, bool residual, PipelineFn& fn);
}  // namespace winoq::kernels::detail
