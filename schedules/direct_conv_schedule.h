// Schedule of the direct int8 convolution, kept apart from its algorithm
// (generators/direct_conv_generator.cpp). Every knob is a GeneratorParam there.
//
// Loop nest: act (channel-blocked uint8 copy of the padded input), parallel over rows; then,
// per image, parallel over (row of output tiles, k block of k_vectors x 16 channels); per tile
// of tile_x x tile_y output pixels the k_vectors * tile_x * tile_y int32 accumulator vectors
// stay in registers across the whole reduction (taps, channel blocks, 4-channel groups), one
// vpdpbusd per accumulator and 4-channel group (weights: one vector load per k vector;
// activations: a 4-byte broadcast at a constant offset per pixel); then the output stage on
// those registers.
#pragma once

#include <algorithm>

#include "Halide.h"
#include "direct_conv_layout.h"

namespace winoq::schedules {

struct DirectConvKnobs {
    int k_vectors = 1;  // accumulator vectors along output channels (the runtime pads K to a multiple)
    int tile_x = 8;     // output pixels per register tile along x ...
    int tile_y = 3;     // ... and along y: k_vectors * tile_x * tile_y accumulators (<= 28 zmm)
    int tile_y_w7 = 4;  // output widths that are multiples of 7 (ResNet 56/28/14/7): 7 x this tile
                        // (7 * tile_y_w7 * k_vectors <= 28); 0: off
    int unroll_c = 4;   // 4-channel groups unrolled in the reduction (1, 2 or 4)
    bool parallel = true;
    // Targets without a 4-way int8 dot instruction: pmaddwd pairs into the partial sums conv2,
    // in passes over pair_k of the 16 channels of a weight vector (its registers per pixel).
    bool pairs = false;
    int pair_k = 8;
};

struct DirectConvFuncs {
    Halide::Func out;    // output (k, x, y, n), int8
    Halide::Func conv;   // int32 accumulators (kl, kv, x, y, n): output channel 16 kv + kl
    Halide::Func conv2;  // pairs mode: partial sums (h, kl, kv, x, y, n), channels 4 c4 + 2 h + {0, 1}
    bool pairs = false;
    Halide::Func act;  // uint8 channel-blocked padded input (c, x, cb, y, n), an Output
    Halide::RDom r;    // (ci: 4, c4i: 4, cb, kx, ky)
    Halide::Var k{"k"}, x{"x"}, y{"y"}, n{"n"}, c{"c"}, cb{"cb"}, kl{"kl"}, kv{"kv"}, h{"h"};
};

// Output: K tails are guarded (the accumulator block keeps its 16 * k_vectors channels: the
// weights are padded); partial tiles shift inwards (recompute a few pixels), so every tile has
// the constant size the register block needs. One parallel task per tile row, k block and
// image. The tile size is specialized on the output size (out_w, out_h); tiny outputs fall
// back to smaller tiles. Returns the Var of the tile loop the accumulators are computed at.
inline Halide::Var schedule_direct_conv_output(DirectConvFuncs& f, const DirectConvKnobs& kn, const Halide::Expr& out_w,
                                               const Halide::Expr& out_h) {
    using namespace Halide;
    constexpr int vw = kernels::kDirectWeightLanes;  // int32 lanes: one zmm
    const int kb = vw * kn.k_vectors;
    Var ko("ko"), ki("ki"), kv("kvo"), kl("klo"), xo("xo"), yo("yo"), xi("xi"), yi("yi");
    Var task("task"), task_n("task_n");
    auto tiled = [&](Stage s, int tx, int ty) {
        s.split(f.k, ko, ki, kb, TailStrategy::GuardWithIf)
            .tile(f.x, f.y, xo, yo, xi, yi, tx, ty, TailStrategy::ShiftInwards)
            .reorder(ki, xi, yi, xo, ko, yo, f.n)
            .split(ki, kv, kl, vw)
            .vectorize(kl)
            .unroll(kv)
            .unroll(xi)
            .unroll(yi)
            .fuse(ko, yo, task)
            .fuse(task, f.n, task_n);  // the batch inside the parallel loop: more tasks per call
        if (kn.parallel) s.parallel(task_n);
    };
    if (kn.tile_y_w7 > 0) tiled(f.out.specialize(out_w % 7 == 0 && out_h >= kn.tile_y_w7), 7, kn.tile_y_w7);
    tiled(f.out.specialize(out_w >= kn.tile_x && out_h >= kn.tile_y), kn.tile_x, kn.tile_y);
    const int small_x = std::min(4, kn.tile_x), small_y = std::min(2, kn.tile_y);
    if (small_x * small_y < kn.tile_x * kn.tile_y && small_x * small_y > 1)
        tiled(f.out.specialize(out_w >= small_x && out_h >= small_y), small_x, small_y);
    tiled(f.out, 1, 1);
    return xo;
}

// Accumulators: a constant (16 k_vectors x tile) block (each specialization's tile) that LLVM
// keeps in registers, computed at the output's tile loop xo.
inline void schedule_direct_conv_accumulators(DirectConvFuncs& f, const DirectConvKnobs& kn, const Halide::Var& xo) {
    using namespace Halide;
    constexpr int vw = kernels::kDirectWeightLanes;
    const RVar ci = f.r[0], c4i = f.r[1], rcb = f.r[2], kx = f.r[3], ky = f.r[4];
    RVar c4o("c4o"), c4u("c4u");
    if (!kn.pairs) {
        f.conv.compute_at(f.out, xo)
            .bound(f.kl, 0, vw)
            .bound_extent(f.kv, kn.k_vectors)
            .vectorize(f.kl)
            .unroll(f.kv)
            .unroll(f.x)
            .unroll(f.y);
        f.conv.update()
            .split(c4i, c4o, c4u, kn.unroll_c)
            .reorder(ci, f.kl, f.kv, f.x, f.y, c4u, c4o, rcb, kx, ky)
            .atomic()
            .vectorize(ci)  // u8 x s8 products summed 4 at a time: vpdpbusd
            .vectorize(f.kl)
            .unroll(f.kv)
            .unroll(f.x)
            .unroll(f.y)
            .unroll(c4u);
        return;
    }
    // (h, kl) lanes: one pmaddwd per 2 channels x 8 int32 lanes; passes over kl halves keep a
    // pixel's partial sums in 2 registers (AVX2) across the reduction.
    Var klo("klo2"), kli("kli2");
    f.conv2.compute_at(f.out, xo)
        .bound(f.h, 0, 2)
        .bound(f.kl, 0, vw)
        .bound_extent(f.kv, kn.k_vectors)
        .reorder(f.h, f.kl, f.kv, f.x, f.y)
        .vectorize(f.h)
        .vectorize(f.kl)
        .unroll(f.kv)
        .unroll(f.x)
        .unroll(f.y);
    f.conv2.update()
        .split(f.kl, klo, kli, kn.pair_k)
        .split(c4i, c4o, c4u, kn.unroll_c)
        .reorder(ci, f.h, kli, f.kv, f.x, f.y, c4u, c4o, rcb, kx, ky, klo)
        .atomic()
        .vectorize(ci)
        .vectorize(f.h)
        .vectorize(kli)
        .unroll(f.kv)
        .unroll(f.x)
        .unroll(f.y)
        .unroll(c4u);
}

// out_w, out_h: the output extents (the tile choice depends on them).
inline void schedule_direct_conv(DirectConvFuncs& f, const DirectConvKnobs& kn, const Halide::Expr& out_w,
                                 const Halide::Expr& out_h) {
    using namespace Halide;
    schedule_direct_conv_accumulators(f, kn, schedule_direct_conv_output(f, kn, out_w, out_h));
    // Activation copy (an output of the pipeline, so computed first, at root): 16-byte
    // channel blocks, parallel over rows of all images.
    Var yn("yn");
    f.act.reorder(f.c, f.x, f.cb, f.y, f.n).fuse(f.y, f.n, yn).vectorize(f.c).unroll(f.x, 4, TailStrategy::GuardWithIf);
    if (kn.parallel) f.act.parallel(yn);
}

}  // namespace winoq::schedules
