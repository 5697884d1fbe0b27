#include "trainer/data/batches.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace winoq::train {
namespace {

torch::Tensor normalize(const torch::Tensor& raw_u8, const Normalization& norm) {
    const int64_t C = raw_u8.size(1);
    if (static_cast<int64_t>(norm.mean.size()) != C || static_cast<int64_t>(norm.std.size()) != C)
        throw std::invalid_argument("winoq-train: normalisation has " + std::to_string(norm.mean.size()) +
                                    " channels, the images " + std::to_string(C));
    const auto mean = torch::tensor(norm.mean).view({1, C, 1, 1});
    const auto std = torch::tensor(norm.std).view({1, C, 1, 1});
    return (raw_u8.to(torch::kFloat).div_(255.0f) - mean).div_(std);
}

}  // namespace

std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int epoch, bool shuffle) {
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (shuffle) {
        std::mt19937_64 rng(seed * 1000003ull + static_cast<uint64_t>(epoch));
        std::shuffle(order.begin(), order.end(), rng);
    }
    return order;
}

torch::Tensor make_batch(const ImageDataset& d, const std::vector<int64_t>& idx, const Normalization& norm,
                         const Augmentation& aug, std::mt19937_64& rng, torch::Tensor* labels) {
    const auto index = torch::tensor(idx, torch::kLong);
    torch::Tensor raw = d.images.index_select(0, index);
    if (labels) *labels = d.labels.index_select(0, index);
    if (aug.pad > 0 || aug.flip) {
        const int64_t H = raw.size(2), W = raw.size(3), p = aug.pad;
        const torch::Tensor padded = p > 0 ? torch::constant_pad_nd(raw, {p, p, p, p}, 0) : raw;
        torch::Tensor out = torch::empty_like(raw);
        std::uniform_int_distribution<int64_t> offset(0, 2 * p);
        std::bernoulli_distribution flip(0.5);
        for (int64_t i = 0; i < raw.size(0); ++i) {
            const int64_t oy = offset(rng), ox = offset(rng);
            torch::Tensor crop = padded[i].narrow(1, oy, H).narrow(2, ox, W);
            if (aug.flip && flip(rng)) crop = crop.flip({2});
            out[i].copy_(crop);
        }
        raw = out;
    }
    return normalize(raw, norm);
}

torch::Tensor normalized_range(const ImageDataset& d, int64_t first, int64_t count, const Normalization& norm,
                               torch::Tensor* labels) {
    if (labels) *labels = d.labels.narrow(0, first, count);
    return normalize(d.images.narrow(0, first, count), norm);
}

}  // namespace winoq::train
