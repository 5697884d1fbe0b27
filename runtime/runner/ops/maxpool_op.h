// Private to winoq_runner: the int8 max pool of a PoolWindow on NHWC activations (exact).
#pragma once

#include <cstdint>

#include "winoq/model/model.h"

namespace winoq::ops {

// out[n][y][x][c] = max of in[n][iy][ix][c] over the window's positions inside the input
// (iy = y * stride_h - pad_top + dy, ix = x * stride_w - pad_left + dx): padding never takes part.
// out_h, out_w: the window's output for H, W (validate_model checks it; every window then
// holds at least one input position).
void maxpool(const PoolWindow& p, int batch, int H, int W, int C, int out_h, int out_w, const int8_t* in, int8_t* out);

}  // namespace winoq::ops
