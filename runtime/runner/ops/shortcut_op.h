// Private to winoq_runner: the ResNet option-A shortcut on int8 NHWC activations (exact).
#pragma once

#include <cstdint>

namespace winoq::ops {

// x[::2, ::2] with (out_c - C) / 2 zero channels on each side.
void shortcut_a(int batch, int H, int W, int C, int out_h, int out_w, int out_c, const int8_t* in, int8_t* out);

}  // namespace winoq::ops
