// Private to winoq_runner: a conv computed in float between int8 tensors (FloatConvParams,
// model.h), in the two forms the executor's engines use.
#pragma once

#include <cstdint>
#include <vector>

#include "winoq/model/model.h"

namespace winoq::ops {

// The kernels engine's float conv: all buffers planned once for a batch size. Per output value
// it performs exactly winoq::float_conv's additions: bias, then for each tap (ky, kx) in order
// the channel sum (c ascending, from 0) added to the running value; then + residual term.
// Output rows run in parallel on Halide's thread pool (the kernels' pool).
class FloatConvRunner {
public:
    FloatConvRunner(const FloatConvParams& p, int batch);  // p must outlive the runner
    // What the constructor allocates, in bytes, computed without allocating.
    static uint64_t planned_bytes(const FloatConvParams& p, int batch);
    void run(const int8_t* in, const int8_t* residual, double out_scale, int8_t* out);

private:
    static int row_task(void*, int row, uint8_t* closure);
    void run_row(int row);

    const FloatConvParams& p_;
    int batch_;
    std::vector<double> wt_, x_, out_;          // out_: K doubles per output row
    std::vector<const double*> tap_x_, tap_w_;  // kernel*kernel pointers per output row
    const int8_t* in_res_ = nullptr;
    int8_t* out_q_ = nullptr;
    double out_scale_ = 1.0;
};

// The reference engine's float conv: winoq::float_conv itself.
void reference_float_conv(const FloatConvParams& p, int batch, const int8_t* in, const int8_t* residual,
                          double out_scale, int8_t* out);

}  // namespace winoq::ops
