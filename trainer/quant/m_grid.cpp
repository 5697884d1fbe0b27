#include "trainer/quant/m_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "winoq/numerics/conv_params.h"

namespace winoq::train {

std::vector<double> MPlaneGrid::scales() const {
    std::vector<double> s;
    for (int l : lshift) s.push_back(std::ldexp(base, l));
    return s;
}

MPlaneGrid m_plane_grid(const std::vector<double>& plane_scales) {
    // The grid rule is the core's (winoq::m_plane_grid, used by quantize_winograd_conv).
    if (plane_scales.empty()) throw std::invalid_argument("winoq-train: no M plane scales");
    WinogradScales sc;
    sc.m = plane_scales[0];
    sc.m_plane = plane_scales;
    const winoq::MPlaneGrid core = winoq::m_plane_grid(sc, static_cast<int>(plane_scales.size()));
    MPlaneGrid g;
    g.base = core.base;
    g.lshift.assign(core.lshift.begin(), core.lshift.end());
    return g;
}

torch::Tensor project_to_m_grid(const torch::Tensor& alpha) {
    const torch::Tensor a = alpha.detach().to(torch::kCPU, torch::kDouble).contiguous();
    const std::vector<double> v(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
    const std::vector<double> s = m_plane_grid(v).scales();
    return torch::tensor(s, torch::kDouble).view(alpha.sizes()).to(alpha.device(), alpha.scalar_type());
}

}  // namespace winoq::train
