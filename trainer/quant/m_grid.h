// Per-tap scales of the Winograd product M live on a power-of-two grid: plane o gets
// s_o = base * 2^l_o, l_o in [0, winoq::kMaxMLeftShift], so that the output transform of
// (M_o << l_o) is exact in integers (docs/numerics.md, stage 5). winoq::quantize_winograd_conv
// applies this rounding to WinogradScales::m_plane; the fake-quant simulation must quantize M
// with the same rounded scales, hence this mirror of it (tests/trainer pin it to the core).
#pragma once

#include <vector>

#include <torch/torch.h>

namespace winoq::train {

struct MPlaneGrid {
    double base = 0;          // the common scale of the output transform (and the bias)
    std::vector<int> lshift;  // per plane
    std::vector<double> scales() const;
};

MPlaneGrid m_plane_grid(const std::vector<double>& plane_scales);

// The clipping factors of `alpha` (any shape, values > 0) moved onto the grid; same device.
torch::Tensor project_to_m_grid(const torch::Tensor& alpha);

}  // namespace winoq::train
