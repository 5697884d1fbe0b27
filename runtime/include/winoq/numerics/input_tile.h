// The n x n input tile a Winograd tile reads: x[ty*m - 1 + u][tx*m - 1 + v] of one image and
// channel (padding 1, zero outside the map), from an NHWC tensor. One definition for the
// scalar reference (int8) and the float measurements (double).
#pragma once

#include <cstddef>

#include "winoq/numerics/conv_params.h"

namespace winoq {

template <typename Src, typename Dst>
void gather_input_tile(const Src* x, const ConvShape& s, int b, int ty, int tx, int c, int m, int n, Dst* d) {
    for (int u = 0; u < n; ++u)
        for (int v = 0; v < n; ++v) {
            const int yy = ty * m - 1 + u, xx = tx * m - 1 + v;
            const bool inside = yy >= 0 && yy < s.H && xx >= 0 && xx < s.W;
            d[u * n + v] = inside ? Dst(x[((size_t(b) * s.H + yy) * s.W + xx) * s.C + c]) : Dst(0);
        }
}

}  // namespace winoq
