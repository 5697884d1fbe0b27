#include "ops/clamp_op.h"

#include <algorithm>

namespace winoq::ops {

void clamp(int lo, int hi, size_t n, const int8_t* in, int8_t* out) {
    const int8_t l = static_cast<int8_t>(lo), h = static_cast<int8_t>(hi);
    for (size_t i = 0; i < n; ++i) out[i] = std::min(std::max(in[i], l), h);
}

}  // namespace winoq::ops
