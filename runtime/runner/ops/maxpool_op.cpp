#include "ops/maxpool_op.h"

#include <algorithm>
#include <cstddef>

namespace winoq::ops {

void maxpool(const PoolWindow& p, int batch, int H, int W, int C, int out_h, int out_w, const int8_t* in, int8_t* out) {
    for (int n = 0; n < batch; ++n)
        for (int y = 0; y < out_h; ++y) {
            // The window's rows and columns clipped to the input.
            const int y0 = y * p.stride_h - p.pad_top;
            const int iy_lo = std::max(y0, 0), iy_hi = std::min(y0 + p.kernel_h, H);
            for (int x = 0; x < out_w; ++x) {
                const int x0 = x * p.stride_w - p.pad_left;
                const int ix_lo = std::max(x0, 0), ix_hi = std::min(x0 + p.kernel_w, W);
                int8_t* o = out + ((size_t(n) * out_h + y) * out_w + x) * C;
                std::fill(o, o + C, int8_t(-128));
                for (int iy = iy_lo; iy < iy_hi; ++iy)
                    for (int ix = ix_lo; ix < ix_hi; ++ix) {
                        const int8_t* i = in + ((size_t(n) * H + iy) * W + ix) * C;
                        for (int c = 0; c < C; ++c) o[c] = std::max(o[c], i[c]);
                    }
            }
        }
}

}  // namespace winoq::ops
