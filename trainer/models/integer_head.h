// The exact int8 classifier head of a deployable model (winoq/model/model.h, ModelHead): the one
// definition of its numbers, used by the trainer's integer mode and by `winoq-train export`.
//
//   W[k][c]       = quantize_float(w[k][c], s_w[k]),  s_w[k] = max_c |w[k][c]| / 127
//   logit_scale[k] = float(s_w[k] * feature_scale / (H * W))   (stored as float)
//   bias[k]       = quantize_bias(b[k], double(logit_scale[k]))  (int32)
//   logit[k]      = double(sum_c W[k][c] * S[c] + bias[k]) * double(logit_scale[k]),
//                   S[c] = sum of the int8 values of channel c over the last H x W map.
#pragma once

#include <torch/torch.h>

#include "winoq/model/model.h"

namespace winoq::train {

// From the float linear layer (weight [classes, C], bias [classes]) and the last map's int8
// scale and size.
ModelHead integer_head(const torch::Tensor& weight, const torch::Tensor& bias, double feature_scale, int H, int W);

// The logits (double [N, classes]) of int8 features q (integer values, [N, C, H, W]). Exact:
// every partial sum is an integer below 2^53, so the double matmul computes it exactly.
torch::Tensor apply_integer_head(const ModelHead& head, const torch::Tensor& q);

}  // namespace winoq::train
