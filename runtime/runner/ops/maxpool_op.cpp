#include "ops/maxpool_op.h"

#include <algorithm>
#include <cstddef>

namespace winoq::ops {

void maxpool3s2(int batch, int H, int W, int C, int out_h, int out_w, const int8_t* in, int8_t* out) {
    for (int n = 0; n < batch; ++n)
        for (int y = 0; y < out_h; ++y)
            for (int x = 0; x < out_w; ++x) {
                int8_t* o = out + ((size_t(n) * out_h + y) * out_w + x) * C;
                std::fill(o, o + C, int8_t(-128));
                for (int dy = 0; dy < 3; ++dy)
                    for (int dx = 0; dx < 3; ++dx) {
                        const int iy = 2 * y - 1 + dy, ix = 2 * x - 1 + dx;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                        const int8_t* i = in + ((size_t(n) * H + iy) * W + ix) * C;
                        for (int c = 0; c < C; ++c) o[c] = std::max(o[c], i[c]);
                    }
            }
}

}  // namespace winoq::ops
