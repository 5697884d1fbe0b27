// Symmetric int8 fake quantization with a learned clipping factor alpha (LSQ style):
//
//   y = s * round(clamp(x, -alpha, alpha) / s),  s = alpha / 127  (q in [-127, 127])
//
// Backward (straight-through estimator, round treated as the identity plus a constant):
//   dy/dx     = 1 inside (-alpha, alpha), 0 outside;
//   dy/dalpha = (round(x/s) - x/s) / 127 inside, sign(x) outside,
// the gradient with respect to alpha multiplied by `alpha_grad_scale` (see lsq_grad_scale).
// alpha broadcasts against x (one value per tensor, or one per plane along a leading dim);
// |alpha| is used, so a sign flip during training does no harm. Contiguous float CPU tensors
// take fused one-pass kernels; anything else (CUDA) composes tensor operations.
// Rounding is torch::round (half to even); the integer pipeline rounds ties of activations
// toward +infinity, which only matters on exact ties and is the integer mode's business.
#pragma once

#include <torch/torch.h>

namespace winoq::train {

inline constexpr double kQ = 127.0;

torch::Tensor fake_quantize(const torch::Tensor& x, const torch::Tensor& alpha, double alpha_grad_scale = 1.0);

// LSQ (Esser et al. 2020) scales the step's gradient by 1 / sqrt(N * Q) for N values per step;
// with the step s = alpha / Q that is sqrt(Q^3 / N) on alpha under SGD.
double lsq_grad_scale(int64_t values_per_alpha);

}  // namespace winoq::train
