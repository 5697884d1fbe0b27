// Turning an ImageDataset into float mini-batches: a seeded shuffle per epoch, the standard
// CIFAR augmentation (random crop from the image zero-padded by `pad` pixels, then a
// horizontal flip with probability 1/2) and normalisation. Padding uses raw pixel 0 before
// normalisation, as torchvision's RandomCrop(32, padding=4) + Normalize does.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "trainer/data/dataset.h"

namespace winoq::train {

struct Augmentation {
    int pad = 0;        // random crop padding; 0: no crop
    bool flip = false;  // random horizontal flip
};

// A deterministic permutation of 0..n-1 from (seed, epoch), so a resumed run sees the same order.
std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int epoch, bool shuffle);

// Images idx of d, augmented with `rng`, normalised: float [B, C, H, W] (and labels int64 [B]).
torch::Tensor make_batch(const ImageDataset& d, const std::vector<int64_t>& idx, const Normalization& norm,
                         const Augmentation& aug, std::mt19937_64& rng, torch::Tensor* labels);

// Plain normalised images (no augmentation) first .. first + count - 1.
torch::Tensor normalized_range(const ImageDataset& d, int64_t first, int64_t count, const Normalization& norm,
                               torch::Tensor* labels);

}  // namespace winoq::train
