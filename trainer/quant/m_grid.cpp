#include "trainer/quant/m_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "winoq/conv_params.h"

namespace winoq::train {

std::vector<double> MPlaneGrid::scales() const {
    std::vector<double> s;
    for (int l : lshift) s.push_back(std::ldexp(base, l));
    return s;
}

MPlaneGrid m_plane_grid(const std::vector<double>& plane_scales) {
    if (plane_scales.empty()) throw std::invalid_argument("winoq-train: no M plane scales");
    const auto [lo, hi] = std::minmax_element(plane_scales.begin(), plane_scales.end());
    MPlaneGrid g;
    g.base = std::max(*lo, std::ldexp(*hi, -kMaxMLeftShift));
    for (double s : plane_scales)
        g.lshift.push_back(static_cast<int>(
            std::clamp(std::nearbyint(std::log2(s / g.base)), 0.0, double(kMaxMLeftShift))));
    return g;
}

torch::Tensor project_to_m_grid(const torch::Tensor& alpha) {
    const torch::Tensor a = alpha.detach().to(torch::kCPU, torch::kDouble).contiguous();
    const std::vector<double> v(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
    const std::vector<double> s = m_plane_grid(v).scales();
    return torch::tensor(s, torch::kDouble).view(alpha.sizes()).to(alpha.device(), alpha.scalar_type());
}

}  // namespace winoq::train
