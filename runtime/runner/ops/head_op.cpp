#include "ops/head_op.h"

#include <algorithm>

namespace winoq::ops {

void int8_head(const ModelHead& h, int batch, const int8_t* last, size_t pixels, std::vector<int64_t>& channel_sums,
               double* logits) {
    const int C = h.C;
    for (int n = 0; n < batch; ++n) {
        std::fill(channel_sums.begin(), channel_sums.end(), 0);
        const int8_t* a = last + size_t(n) * pixels * C;
        for (size_t p = 0; p < pixels; ++p)
            for (int c = 0; c < C; ++c) channel_sums[c] += a[p * C + c];
        for (int k = 0; k < h.classes; ++k) {
            int64_t acc = 0;
            for (int c = 0; c < C; ++c) acc += int64_t(h.weight[size_t(k) * C + c]) * channel_sums[c];
            logits[size_t(n) * h.classes + k] = double(acc + h.bias[k]) * double(h.logit_scale[k]);
        }
    }
}

}  // namespace winoq::ops
