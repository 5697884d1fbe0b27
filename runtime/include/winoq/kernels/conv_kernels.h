// Quantized convolution layers executed by the AOT-compiled Halide kernels.
// Construction packs the weights into the kernels' layouts once; run() allocates nothing
// when called again with the same batch size (scratch buffers are kept).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "winoq/numerics/conv_params.h"

namespace winoq {

// Which schedule a ConvKernel runs: the tuned one where the build holds one for its family and
// shape class (winoq/kernels/tuned_schedules.h; WINOQ_SCHEDULES=hand turns them all off), or
// always the hand schedule (a side-by-side benchmark of the two).
enum class ScheduleChoice { kTuned, kHand };

class ConvKernel {
public:
    explicit ConvKernel(const DirectConvParams& p, ScheduleChoice c = ScheduleChoice::kTuned);
    explicit ConvKernel(const WinogradConvParams& p, ScheduleChoice c = ScheduleChoice::kTuned);
    ~ConvKernel();
    ConvKernel(ConvKernel&&) noexcept;
    ConvKernel& operator=(ConvKernel&&) noexcept;

    // Bytes a ConvKernel of this variant and valid shape (batch s.N) allocates (packed weights,
    // scratch), computed without allocating: the executor checks its memory budget with it.
    static uint64_t planned_bytes(Variant v, const ConvShape& s);

    Variant variant() const;
    const ConvShape& shape() const;
    // The schedule its pipeline runs: "hand", or "tuned (k=v ...)" where the build holds a tuned
    // schedule for its family and shape class on the active target (winoq/kernels/tuned_schedules.h).
    const std::string& schedule() const;

    // in: NHWC int8 [N][H][W][C]; residual: NHWC int8 of the output's shape, required iff the
    // params have a residual; out: NHWC int8 [N][out_h][out_w][K]. Throws on kernel errors.
    void run(const int8_t* in, const int8_t* residual, int8_t* out);

    struct Impl;

private:
    void use_tuned_schedule(bool residual);

    std::unique_ptr<Impl> impl_;
};

}  // namespace winoq
