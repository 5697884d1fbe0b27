// Private to winoq_runner: ResNet-18's 3x3 stride-2 max pool on int8 NHWC activations (exact).
#pragma once

#include <cstdint>

namespace winoq::ops {

// 3x3 max pool, stride 2, padding 1: padded positions are skipped (never win).
void maxpool3s2(int batch, int H, int W, int C, int out_h, int out_w, const int8_t* in, int8_t* out);

}  // namespace winoq::ops
