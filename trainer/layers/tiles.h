// Cutting a feature map into the overlapping n x n input tiles of the Winograd transform
// (stride m, padding 1, zeros outside), as a differentiable op with a direct scatter-add
// backward (the backward of torch's double unfold is several times slower).
#pragma once

#include <torch/torch.h>

namespace winoq::train {

// x [N, C, H, W] -> tiles [n*n, C, N * th * tw] with
// tiles[u*n + v][c][(b*th + ty)*tw + tx] = x[b][c][ty*m - 1 + u][tx*m - 1 + v].
torch::Tensor extract_tiles(const torch::Tensor& x, int64_t m, int64_t n, int64_t th, int64_t tw);

}  // namespace winoq::train
