// Cutting a feature map into the overlapping n x n input tiles of the Winograd transform
// (stride m, padding 1, zeros outside), and putting m x m output tiles back together, as
// differentiable ops. On the CPU both directions are plain loops over the tiles (torch's
// unfold backward and a permute-copy-crop are several times slower); elsewhere they fall back
// to strided tensor operations.
#pragma once

#include <torch/torch.h>

namespace winoq::train {

// x [N, C, H, W] -> tiles [n*n, C, N * th * tw] with
// tiles[u*n + v][c][(b*th + ty)*tw + tx] = x[b][c][ty*m - 1 + u][tx*m - 1 + v] (0 outside).
torch::Tensor extract_tiles(const torch::Tensor& x, int64_t m, int64_t n, int64_t th, int64_t tw);

// y [m*m, K, N * th * tw] -> [N, K, H, W] with out[b][k][ty*m + a][tx*m + c] =
// y[a*m + c][k][(b*th + ty)*tw + tx]; rows and columns beyond H x W are dropped.
torch::Tensor assemble_tiles(const torch::Tensor& y, int64_t m, int64_t N, int64_t H, int64_t W);

}  // namespace winoq::train
