// Schedule of the Winograd output transform + output stage, kept apart from its algorithm
// (generators/winograd_output_transform_generator.cpp). Every knob is a GeneratorParam there.
#pragma once

#include "Halide.h"

namespace winoq::schedules {

struct OutputTransformKnobs {
    int vector_width = 16;  // output channels per vector
    bool parallel = true;   // parallel over tile rows (x batch)
};

struct OutputTransformFuncs {
    Halide::Func out;    // output (k, x, y, nb), int8 NHWC
    Halide::Func tiles;  // Tuple of the m*m int32 outputs Y of one tile (k, tx, ty, nb)
    Halide::Var k, x, y, nb;
    Halide::Var tile_x, tile_y;  // pure vars of `tiles`
    int m = 0;                   // output tile size
};

// Per tile and channel vector: compute Y of the whole tile, then the m*m output pixels
// (unrolled; the ones beyond W/H are skipped by GuardWithIf).
inline void schedule_output_transform(OutputTransformFuncs& f, const OutputTransformKnobs& kn,
                                      const Halide::Expr& k_extent) {
    using namespace Halide;
    Var tx("tx"), ty("ty"), xi("xi"), yi("yi"), ko("ko"), ki("ki"), tyn("tyn");
    Func& out = f.out;
    out.split(f.x, tx, xi, f.m, TailStrategy::GuardWithIf)
        .split(f.y, ty, yi, f.m, TailStrategy::GuardWithIf)
        .fuse(ty, f.nb, tyn);
    if (kn.parallel) out.parallel(tyn);
    auto body = [&](Stage s, int v) {
        s.split(f.k, ko, ki, v).reorder(ki, xi, yi, ko, tx, tyn).unroll(xi).unroll(yi);
        if (v > 1) s.vectorize(ki);
    };
    const int vw = kn.vector_width;
    body(out.specialize(k_extent >= vw), vw);
    if (vw > 8) body(out.specialize(k_extent >= 8), 8);
    body(out, 1);
    // The guarded x/y splits keep Halide from proving that one tile is needed: say so (it is
    // asserted), which keeps the tile's buffer constant-size, on the stack.
    f.tiles.compute_at(out, ko).bound_extent(f.tile_x, 1).bound_extent(f.tile_y, 1).vectorize(f.k);
}

}  // namespace winoq::schedules
