// Schedule of the fused Winograd convolution, kept apart from its algorithm
// (generators/winograd_conv_generator.cpp). Every knob is a GeneratorParam there; register
// tiles default to the target policy (target_policy.h).
//
// Loop nest (one parallel task per block of whole tile rows of one image):
//   for block (parallel):                          X of the block's tiles: all channels, planes
//     for k block of k_block channels (parallel):  M of the block: GEMMs + requantization,
//                                                  register tiles of k_vectors x t_block
//       for tile: output transform + output stage of k_block channels
// so X (C x tiles x planes bytes) and M (k_block x tiles x planes) stay in L1 / L2 between
// the stages instead of passing through memory.
#pragma once

#include <algorithm>
#include <vector>

#include "Halide.h"

namespace winoq::schedules {

struct GemmTile {
    int k_vectors = 1;  // accumulator vectors along output channels ...
    int t_block = 1;    // ... times tiles (times products per group: all in registers)
};

struct WinogradConvKnobs {
    int vector_width = 16;   // int32 lanes of one vector register of the target
    GemmTile real, complex;  // register tiles of the real and complex GEMM sections
    int k_block = 64;        // output channels per cache block (a multiple of both tiles' channels)
    int x_vector = 16;       // X channels per vector of the input transform (kFusedChannelAlign)
    int block_tiles = 32;    // tiles per cache block, rounded to whole tile rows (at least one)
    bool parallel = true;    // parallel over blocks (of every image in the batch)
    // Schedules for layers with few output channels (K <= max_k), tried in order before the
    // general one: a k block larger than K would compute its padding (4x the work at K = 16 on
    // AVX-512, whose general k block is 64 channels).
    struct SmallK {
        int max_k = 16;
        GemmTile real, complex;
        int k_block = 16;
    };
    std::vector<SmallK> small_k;
};

struct WinogradConvFuncs {
    Halide::Func out;                      // output (k, x, y, nb), int8 NHWC
    Halide::Func tiles;                    // Tuple of the m*m int32 outputs of one tile (k, t)
    Halide::Func M_real, M_complex;        // int8 M (k, t, g) / (k, t, p, g)
    Halide::Func acc_real, acc_complex;    // int32 accumulators (k, t, g) / (k, t, j, g)
    Halide::Func acc2_real, acc2_complex;  // pairs mode: partial sums (h, k, t, g) / (h, k, t, j, g)
    bool pairs = false;                    // 2-channel reduction steps (no 4-way int8 dot instruction)
    Halide::Func X, planes;                // X (c, t, x'), and the Tuple of every X plane of a tile (c, t)
    Halide::RDom r;                        // (0..3, 0..c4/4): 4-byte dot products
    Halide::Var c{"c"}, t{"t"}, x{"xp"}, k{"k"}, g{"g"}, j{"j"}, p{"p"}, h{"h"};
    Halide::Var x_out{"x"}, y_out{"y"}, nb{"nb"};
    Halide::Expr tw, th;  // tiles per row / column of one image
    Halide::Expr K;       // output channels (the output's extent)
    int m = 0;            // output tile size
    int num_x = 0;        // X planes
    int real_groups = 0, complex_groups = 0, complex_products = 0;
};

// One GEMM section's output M and accumulators, with a register tile of k_vectors x t_block x
// products: the reduction runs innermost over 4-channel groups while every accumulator of the
// tile stays in a register, then the requantization epilogue reads them.
inline Halide::Func M_of(const WinogradConvFuncs& f, bool complex) { return complex ? f.M_complex : f.M_real; }

inline void schedule_gemm_section(Halide::Stage M, const WinogradConvFuncs& f, const GemmTile& tile, int lanes,
                                  bool has_p) {
    using namespace Halide;
    Var ko("ko"), ki("ki"), kv("kv"), kl("kl"), to("to"), ti("ti");
    // RoundUp: M is computed in whole tiles beyond the block's edges (the padded parameters and
    // X cover them), never shifted inwards below channel or tile 0.
    M.split(f.k, ko, ki, tile.k_vectors * lanes, TailStrategy::RoundUp)
        .split(ki, kv, kl, lanes)
        .split(f.t, to, ti, tile.t_block, TailStrategy::RoundUp)
        .vectorize(kl)
        .unroll(kv)
        .unroll(ti);
    if (has_p) {
        M.reorder(kl, kv, f.p, ti, ko, to, f.g).unroll(f.p);
    } else {
        M.reorder(kl, kv, ti, ko, to, f.g);
    }
}

inline void schedule_accumulators(Halide::Func acc, const WinogradConvFuncs& f, int lanes, bool has_j) {
    using namespace Halide;
    Var kv("akv"), kl("akl");
    acc.compute_at(M_of(f, has_j), Var("ko"));
    if (has_j) acc.bound(f.j, 0, f.complex_products);
    acc.split(f.k, kv, kl, lanes).vectorize(kl).unroll(kv).unroll(f.t);
    Stage u = acc.update();
    u.split(f.k, kv, kl, lanes);
    if (has_j) {
        u.reorder(f.r.x, kl, kv, f.t, f.j, f.r.y, f.g);
    } else {
        u.reorder(f.r.x, kl, kv, f.t, f.r.y, f.g);
    }
    u.vectorize(kl).atomic().vectorize(f.r.x).unroll(kv).unroll(f.t);
    if (has_j) {
        acc.unroll(f.j);
        u.unroll(f.j);
    }
}

// Pairs mode: the partial sums acc2 (h, k, ...) are the registers; a vector holds lanes / 2
// channels x both halves h, so each step is one pmaddwd of 16 int16 products per register.
inline void schedule_pair_accumulators(Halide::Func acc2, const WinogradConvFuncs& f, int lanes, bool has_j) {
    using namespace Halide;
    Var kv("akv"), kl("akl");
    const int kw = lanes / 2;
    acc2.compute_at(M_of(f, has_j), Var("ko")).bound(f.h, 0, 2);
    if (has_j) acc2.bound(f.j, 0, f.complex_products);
    acc2.split(f.k, kv, kl, kw).reorder(f.h, kl, kv).vectorize(f.h).vectorize(kl).unroll(kv).unroll(f.t);
    Stage u = acc2.update();
    u.split(f.k, kv, kl, kw);
    if (has_j) {
        u.reorder(f.r.x, f.h, kl, kv, f.t, f.j, f.r.y, f.g);
    } else {
        u.reorder(f.r.x, f.h, kl, kv, f.t, f.r.y, f.g);
    }
    u.atomic().vectorize(f.r.x).vectorize(f.h).vectorize(kl).unroll(kv).unroll(f.t);
    if (has_j) {
        acc2.unroll(f.j);
        u.unroll(f.j);
    }
}

// The runtime pads the GEMM's output channels to kWinogradKPadding (a multiple of k_block), so
// every k block and register tile is whole: no specializations, one loop nest.
inline void schedule_winograd_conv(WinogradConvFuncs& f, const WinogradConvKnobs& kn) {
    using namespace Halide;
    const int lanes = kn.vector_width;
    Var ty("ty"), tx("tx"), yi("yi"), xi("xi"), tyo("tyo"), tyi("tyi"), ko("ko"), ki("ki"), kv("kv"), kl("kl");
    Var blk("blk");
    // Whole tile rows per block: as many as fit block_tiles, at least one.
    const Expr rows = clamp(kn.block_tiles / f.tw, 1, f.th);
    auto schedule_out = [&](Stage out, int k_block) {
        out.split(f.y_out, ty, yi, f.m, TailStrategy::GuardWithIf)
            .split(f.x_out, tx, xi, f.m, TailStrategy::GuardWithIf)
            .split(ty, tyo, tyi, rows, TailStrategy::GuardWithIf)
            .split(f.k, ko, ki, k_block, TailStrategy::GuardWithIf)
            .split(ki, kv, kl, lanes, TailStrategy::GuardWithIf)
            .reorder(kl, xi, yi, kv, tx, tyi, ko, tyo, f.nb)
            .vectorize(kl)
            .unroll(xi)
            .unroll(yi)
            .fuse(tyo, f.nb, blk);
        // Blocks in parallel, and the k blocks of a block too: a small map at batch 1 is one block
        // (14x14 in 4x4 tiles), and its k blocks still split across the threads after its X.
        if (kn.parallel) out.parallel(blk).parallel(ko);
    };
    // Specializations first: each starts from the schedule the Func has when it is made.
    for (const WinogradConvKnobs::SmallK& sk : kn.small_k) {
        schedule_out(f.out.specialize(f.K <= sk.max_k), sk.k_block);
        schedule_gemm_section(f.M_real.specialize(f.K <= sk.max_k), f, sk.real, lanes, false);
        if (f.complex_groups > 0)
            schedule_gemm_section(f.M_complex.specialize(f.K <= sk.max_k), f, sk.complex, lanes, true);
    }
    schedule_out(f.out, kn.k_block);

    // The output transform of one tile, all channels of the k block.
    f.tiles.compute_at(f.out, tx).bound_extent(f.t, 1).vectorize(f.k, lanes, TailStrategy::RoundUp);

    // M of the k block and the block's tiles.
    f.M_real.compute_at(f.out, ko).bound(f.g, 0, f.real_groups);
    schedule_gemm_section(f.M_real, f, kn.real, lanes, false);
    if (f.pairs) {
        schedule_pair_accumulators(f.acc2_real, f, lanes, false);
    } else {
        schedule_accumulators(f.acc_real, f, lanes, false);
    }
    if (f.complex_groups > 0) {
        f.M_complex.compute_at(f.out, ko).bound(f.p, 0, 2).bound(f.g, 0, f.complex_groups);
        schedule_gemm_section(f.M_complex, f, kn.complex, lanes, true);
        if (f.pairs) {
            schedule_pair_accumulators(f.acc2_complex, f, lanes, true);
        } else {
            schedule_accumulators(f.acc_complex, f, lanes, true);
        }
    }

    // X of the block: per tile and channel vector, every plane at once (the transform's partial
    // sums are shared). The input's channel count is a multiple of x_vector (kFusedChannelAlign).
    Var co("co"), ci("ci");
    f.X.compute_at(f.out, blk)
        .bound(f.x, 0, f.num_x)
        .split(f.c, co, ci, kn.x_vector, TailStrategy::RoundUp)
        .reorder(ci, f.x, co, f.t)
        .vectorize(ci)
        .unroll(f.x);
    f.planes.compute_at(f.X, co).vectorize(f.c);
}

}  // namespace winoq::schedules
