// How the Halide direct convolution lays out its operands: shared by the generator
// (generators/direct_conv_generator.cpp, schedules/direct_conv_schedule.h) and the runtime
// packer (runtime/kernels/conv_kernels_direct.cpp), so both sides agree. No Halide here.
#pragma once

#include <cstddef>

namespace winoq::kernels {

// Input channels are processed in blocks of 16 (the runtime zero-pads C to a multiple): the
// kernel's channel-blocked activation copy then has a constant per-pixel stride.
inline constexpr int kDirectChannelBlock = 16;
// Output channels per accumulator vector (16 int32 lanes: one zmm register).
inline constexpr int kDirectWeightLanes = 16;
// The packed weights hold K rounded up to this: any register block of up to 4 vectors
// (GeneratorParam k_vectors) reads only packed (zero) weights past K.
inline constexpr int kDirectKPadding = 64;

// Packed weights, dims (ci: 4, kl: 16, c4i: 4, kv: Kp / 16, cb: Cp / 16, kx, ky), dense in
// that order: element of w[k][ky][kx][c] with k = 16 kv + kl, c = 16 cb + 4 c4i + ci.
// One vpdpbusd operand (4 channels x 16 output channels) is 64 contiguous bytes.
inline size_t direct_weight_index(int k, int c, int kx, int ky, int Kp, int Cp, int kernel) {
    const int kl = k % kDirectWeightLanes, kv = k / kDirectWeightLanes;
    const int ci = c % 4, c4i = (c % kDirectChannelBlock) / 4, cb = c / kDirectChannelBlock;
    const size_t kvs = Kp / kDirectWeightLanes, cbs = Cp / kDirectChannelBlock;
    return ((((((size_t(ky) * kernel + kx) * cbs + cb) * kvs + kv) * (kDirectChannelBlock / 4) + c4i) *
                 kDirectWeightLanes +
             kl) *
            4) +
           ci;
}

}  // namespace winoq::kernels
