// A fake-quantization stage with learned clipping factors: one alpha per group of planes,
// planes being the slices x[p] along dim 0 (activation planes, product planes, output
// channels) or the whole tensor. States: off (identity: float mode), observe (identity that
// records the values for calibration), quantize (fake_quantize with the learned alphas).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "winoq/analysis/calibration.h"

namespace winoq::train {

enum class QuantState { kOff, kObserve, kQuantize };

class QuantizerImpl : public torch::nn::Module {
public:
    // plane_group[p]: the group (alpha index) of plane p. A single entry means the whole
    // tensor is one plane with one alpha.
    explicit QuantizerImpl(std::vector<int64_t> plane_group = {0});

    torch::Tensor forward(const torch::Tensor& x);

    void set_state(QuantState s) { state_ = s; }
    QuantState state() const { return state_; }
    bool per_tensor() const { return plane_group_.size() == 1; }
    int64_t planes() const { return static_cast<int64_t>(plane_group_.size()); }
    int64_t groups() const { return alpha.size(0); }
    const std::vector<int64_t>& plane_group() const { return plane_group_; }

    // Calibration: alpha of each group from the values observed since the last reset
    // (max: the exact max |v|; percentile / mse: winoq::choose_clip on a random sample).
    void reset_observations();
    void finish_calibration(const CalibrationOptions& o);
    bool calibrated() const { return calibrated_.item<int64_t>() != 0; }
    void set_alpha(const std::vector<double>& per_group);

    // A map applied to the per-plane clipping factors before quantizing (e.g. onto the
    // power-of-two grid of per-tap M scales), with a straight-through gradient.
    void set_projection(std::function<torch::Tensor(const torch::Tensor&)> f) { projection_ = std::move(f); }
    // The clipping factors every plane quantizes with (projected, detached): [planes].
    torch::Tensor effective_plane_alphas() const;

    // The learned clipping factors (|alpha|, not projected) and int8 scales alpha / 127 of
    // every plane: what the integer parameters are built from.
    std::vector<double> plane_alphas() const;
    std::vector<double> plane_scales() const;
    double scale() const;  // the single scale of a per-tensor quantizer

    torch::Tensor alpha;  // [groups], learned

private:
    torch::Tensor plane_alpha(int64_t dims) const;  // |alpha| per plane, shaped to broadcast
    void observe(const torch::Tensor& x);

    std::vector<int64_t> plane_group_;
    torch::Tensor plane_group_t_;
    std::vector<torch::Tensor> group_members_;  // per group: its planes (observe)
    std::function<torch::Tensor(const torch::Tensor&)> projection_;
    torch::Tensor calibrated_;  // buffer: 1 once alpha holds calibrated or trained values
    QuantState state_ = QuantState::kOff;
    std::vector<std::vector<double>> samples_;  // per group
    std::vector<double> max_abs_;               // per group
    std::mt19937_64 rng_{12345};
};
TORCH_MODULE(Quantizer);

// Groups that share a clipping factor, as winoq/analysis/calibration.h defines the granularity: per
// tensor, every plain plane shares one alpha and the Gauss operands of cf43 (twice the range)
// another; per tap, one alpha per (tap, kind), re and im of a complex tap sharing it.
std::vector<int64_t> activation_plane_groups(Variant v, bool per_tap);
std::vector<int64_t> weight_plane_groups(Variant v, bool per_tap);
// Groups of the (plane, output channel) rows [planes * K] (plane-major): each plane group of
// `plane_groups` split per output channel (U's per-channel scales).
std::vector<int64_t> per_channel_groups(const std::vector<int64_t>& plane_groups, int64_t K);
// M: one alpha per tensor, or per tap (re and im share it).
std::vector<int64_t> product_plane_groups(Variant v, bool per_tap);

}  // namespace winoq::train
