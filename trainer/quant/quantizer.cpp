#include "trainer/quant/quantizer.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "trainer/quant/fake_quant.h"
#include "winoq/numerics/transforms.h"

namespace winoq::train {
namespace {

constexpr size_t kSamplePerCall = 1 << 15;  // values sampled per group and forward call
constexpr size_t kSampleMax = 1 << 19;      // values kept per group

std::vector<int64_t> group_ids(const std::vector<std::pair<int, int>>& keys) {
    std::map<std::pair<int, int>, int64_t> id;
    std::vector<int64_t> out;
    for (const auto& k : keys) {
        auto it = id.find(k);
        if (it == id.end()) it = id.emplace(k, static_cast<int64_t>(id.size())).first;
        out.push_back(it->second);
    }
    return out;
}

}  // namespace

QuantizerImpl::QuantizerImpl(std::vector<int64_t> plane_group) : plane_group_(std::move(plane_group)) {
    if (plane_group_.empty()) throw std::invalid_argument("winoq-train: a quantizer needs at least one plane");
    const int64_t G = *std::max_element(plane_group_.begin(), plane_group_.end()) + 1;
    alpha = register_parameter("alpha", torch::ones({G}));
    calibrated_ = register_buffer("calibrated", torch::zeros({}, torch::kLong));
    plane_group_t_ = torch::tensor(plane_group_, torch::kLong);
    samples_.resize(G);
    max_abs_.assign(G, 0.0);
    std::vector<std::vector<int64_t>> members(static_cast<size_t>(G));
    for (size_t p = 0; p < plane_group_.size(); ++p)
        members[static_cast<size_t>(plane_group_[p])].push_back(int64_t(p));
    for (const auto& m : members) group_members_.push_back(torch::tensor(m, torch::kLong));
}

torch::Tensor QuantizerImpl::plane_alpha(int64_t dims) const {
    torch::Tensor a = alpha.abs();
    if (projection_) {
        a = a.index_select(0, plane_group_t_.to(a.device()));
        a = a + (projection_(a) - a).detach();
    } else if (groups() == 1) {
        return a;  // broadcasts over everything
    } else {
        a = a.index_select(0, plane_group_t_.to(a.device()));
    }
    if (per_tensor()) return a;
    std::vector<int64_t> shape(static_cast<size_t>(dims), 1);
    shape[0] = planes();
    return a.view(shape);
}

torch::Tensor QuantizerImpl::effective_plane_alphas() const {
    torch::NoGradGuard no_grad;
    return plane_alpha(1).detach().expand({planes()});
}

torch::Tensor QuantizerImpl::forward(const torch::Tensor& x) {
    switch (state_) {
        case QuantState::kOff: return x;
        case QuantState::kObserve: observe(x); return x;
        case QuantState::kQuantize: break;
    }
    if ((groups() > 1 || projection_) && !per_tensor() && x.size(0) != planes())
        throw std::invalid_argument("winoq-train: quantizer expects " + std::to_string(planes()) + " planes, got " +
                                    std::to_string(x.size(0)));
    return fake_quantize(x, plane_alpha(x.dim()), lsq_grad_scale(x.numel() / groups()));
}

void QuantizerImpl::reset_observations() {
    for (auto& s : samples_) s.clear();
    std::fill(max_abs_.begin(), max_abs_.end(), 0.0);
}

void QuantizerImpl::observe(const torch::Tensor& x_in) {
    torch::NoGradGuard no_grad;
    const torch::Tensor x = x_in.detach().to(torch::kCPU, torch::kDouble);
    for (int64_t g = 0; g < groups(); ++g) {
        torch::Tensor vals;
        if (per_tensor()) {
            vals = x.flatten();
        } else {
            vals = x.index_select(0, group_members_[static_cast<size_t>(g)]).flatten();
        }
        if (vals.numel() == 0) continue;
        max_abs_[g] = std::max(max_abs_[g], vals.abs().max().item<double>());
        std::vector<double>& s = samples_[g];
        if (s.size() >= kSampleMax) continue;
        const int64_t n = vals.numel();
        const double* v = vals.contiguous().data_ptr<double>();
        if (static_cast<size_t>(n) <= kSamplePerCall) {
            s.insert(s.end(), v, v + n);
        } else {
            std::uniform_int_distribution<int64_t> pick(0, n - 1);
            for (size_t i = 0; i < kSamplePerCall; ++i) s.push_back(v[pick(rng_)]);
        }
    }
}

void QuantizerImpl::finish_calibration(const CalibrationOptions& o) {
    std::vector<double> a(static_cast<size_t>(groups()));
    for (size_t g = 0; g < a.size(); ++g)
        a[g] = o.method == ClipMethod::kMax ? max_abs_[g] : choose_clip(samples_[g], o);
    set_alpha(a);
    reset_observations();
}

void QuantizerImpl::set_alpha(const std::vector<double>& per_group) {
    if (static_cast<int64_t>(per_group.size()) != groups())
        throw std::invalid_argument("winoq-train: wrong number of clipping factors");
    // An all-zero group cannot define a scale: borrow the largest alpha, or 1 (zeros are exact
    // with any scale), as winoq::calibrate does.
    const double largest = *std::max_element(per_group.begin(), per_group.end());
    torch::NoGradGuard no_grad;
    for (size_t g = 0; g < per_group.size(); ++g)
        alpha[static_cast<int64_t>(g)] = per_group[g] > 0 ? per_group[g] : largest > 0 ? largest : 1.0;
    calibrated_.fill_(1);
}

std::vector<double> QuantizerImpl::plane_alphas() const {
    const torch::Tensor a = alpha.detach().abs().to(torch::kCPU, torch::kDouble).contiguous();
    const double* v = a.data_ptr<double>();
    std::vector<double> out;
    for (int64_t g : plane_group_) out.push_back(v[g]);
    return out;
}

std::vector<double> QuantizerImpl::plane_scales() const {
    std::vector<double> s = plane_alphas();
    for (double& v : s) v /= kQ;
    return s;
}

double QuantizerImpl::scale() const {
    if (groups() != 1) throw std::logic_error("winoq-train: scale() of a quantizer with several clipping factors");
    return plane_scales()[0];
}

std::vector<int64_t> activation_plane_groups(Variant v, bool per_tap) {
    std::vector<std::pair<int, int>> keys;
    for (const ActPlane& p : plane_layout(v).act) keys.push_back({per_tap ? p.tap : -1, p.part == ActPart::kReIm});
    return group_ids(keys);
}

std::vector<int64_t> weight_plane_groups(Variant v, bool per_tap) {
    std::vector<std::pair<int, int>> keys;
    for (const ProdPlane& p : plane_layout(v).prod) {
        const bool gauss = p.weight == WeightPart::kImMinusRe || p.weight == WeightPart::kRePlusIm;
        keys.push_back({per_tap ? p.tap : -1, gauss});
    }
    return group_ids(keys);
}

std::vector<int64_t> per_channel_groups(const std::vector<int64_t>& plane_groups, int64_t K) {
    std::vector<int64_t> out;
    out.reserve(plane_groups.size() * size_t(K));
    for (int64_t g : plane_groups)
        for (int64_t k = 0; k < K; ++k) out.push_back(g * K + k);
    return out;
}

std::vector<int64_t> product_plane_groups(Variant v, bool per_tap) {
    if (!per_tap) return {0};
    std::vector<std::pair<int, int>> keys;
    for (const OutPlane& p : plane_layout(v).out) keys.push_back({p.tap, 0});
    return group_ids(keys);
}

}  // namespace winoq::train
