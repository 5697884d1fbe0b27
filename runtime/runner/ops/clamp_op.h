// Private to winoq_runner: the clamp op (a standalone ReLU / ReLU6) on int8 activations (exact).
#pragma once

#include <cstddef>
#include <cstdint>

namespace winoq::ops {

// out[i] = clamp(in[i], lo, hi) for n values (any layout: elementwise).
void clamp(int lo, int hi, size_t n, const int8_t* in, int8_t* out);

}  // namespace winoq::ops
