// Schedule of the Winograd-domain GEMM with fused requantization, kept apart from its
// algorithm (generators/winograd_gemm_generator.cpp). Every knob is a GeneratorParam there.
#pragma once

#include <algorithm>
#include <vector>

#include "Halide.h"

namespace winoq::schedules {

struct GemmKnobs {
    int vector_width = 16;  // output channels per int32 accumulator vector (16 = one zmm)
    int k_vectors = 4;      // register block: accumulator vectors along output channels ...
    int t_block = 6;        // ... times tiles (k_vectors * t_block * products per group <= ~24 zmm)
    bool parallel = true;   // parallel over (tile blocks x groups)
};

struct GemmFuncs {
    Halide::Func M;    // output (k, t, p, g), int8
    Halide::Func acc;  // int32 accumulators (k, t, j, g), j = product within the group
    Halide::RDom r;    // (0..3, 0..c4/4): 4-byte dot products, as vpdpbusd wants them
    Halide::Var k, t, j, p, g;
};

// acc is computed per (k block, t block) of M, with the reduction r.y outermost so that every
// accumulator of the block (all j of the group) stays in a register across it:
//   for r.y: for j, t, k-vector (unrolled): acc += dot4(u8 X, s8 W)   -> vpdpbusd
// The requantization epilogue then reads the block from registers.
inline void schedule_winograd_gemm(GemmFuncs& f, const GemmKnobs& kn, const Halide::Expr& k_extent,
                                   const Halide::Expr& t_extent) {
    using namespace Halide;
    Var ko("ko"), ki("ki"), to("to"), ti("ti"), tg("tg"), kv("kv"), kl("kl");
    const int vw = kn.vector_width;
    struct Block {
        int kvecs, tb;
    };
    // Main block, then smaller ones for small layers (ShiftInwards needs extent >= block).
    std::vector<Block> blocks = {{kn.k_vectors, kn.t_block}, {1, kn.t_block}, {1, 1}};

    Func& M = f.M;
    for (size_t b = 0; b < blocks.size(); ++b) {
        const Block bl = blocks[b];
        Stage s =
            (b + 1 < blocks.size()) ? Stage(M.specialize(k_extent >= vw * bl.kvecs && t_extent >= bl.tb)) : Stage(M);
        s.split(f.k, ko, ki, vw * bl.kvecs)
            .split(f.t, to, ti, bl.tb)
            .split(ki, kv, kl, vw)
            .reorder(kl, kv, f.p, ti, ko, to, f.g)
            .vectorize(kl)
            .unroll(kv)
            .unroll(f.p)
            .unroll(ti)
            .fuse(to, f.g, tg);
        if (kn.parallel) s.parallel(tg);
    }
    f.acc.compute_at(M, ko);
    f.acc.split(f.k, kv, kl, vw).vectorize(kl).unroll(kv).unroll(f.t).unroll(f.j);
    f.acc.update()
        .split(f.k, kv, kl, vw)
        .reorder(f.r.x, kl, kv, f.t, f.j, f.r.y, f.g)
        .vectorize(kl)
        .atomic()
        .vectorize(f.r.x)
        .unroll(kv)
        .unroll(f.t)
        .unroll(f.j);
}

}  // namespace winoq::schedules
