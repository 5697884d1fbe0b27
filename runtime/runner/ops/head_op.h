// Private to winoq_runner: the model's exact int8 head (model.h): global sum pool and the
// int8 linear layer, logit[k] = double(sum_c W[k][c] * S[c] + bias[k]) * logit_scale[k].
#pragma once

#include <cstdint>
#include <vector>

#include "winoq/model/model.h"

namespace winoq::ops {

// last: batch x pixels x C int8 (the last op's NHWC activation, C = h.C); logits: batch x
// h.classes. channel_sums: h.C values of scratch.
void int8_head(const ModelHead& h, int batch, const int8_t* last, size_t pixels, std::vector<int64_t>& channel_sums,
               double* logits);

}  // namespace winoq::ops
