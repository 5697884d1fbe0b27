// Schedule of the Winograd input transform, kept apart from its algorithm
// (generators/winograd_input_transform_generator.cpp). Every knob is a GeneratorParam there.
#pragma once

#include <algorithm>

#include "Halide.h"

namespace winoq::schedules {

struct InputTransformKnobs {
    int vector_width = 32;  // channels per vector (uint8 X stores; int16 transform arithmetic)
    bool parallel = true;   // parallel over tile rows (x batch)
};

struct InputTransformFuncs {
    Halide::Func X;       // output (c, tx, ty, nb, pa), uint8
    Halide::Func planes;  // Tuple of every activation plane of one tile (c, tx, ty, nb)
    Halide::Var c, tx, ty, nb, pa;
    int num_planes = 0;
};

// Per tile row and channel vector: compute all planes of the tile at once (the transform's
// partial sums are shared), then store one vector per plane.
inline void schedule_input_transform(InputTransformFuncs& f, const InputTransformKnobs& k,
                                     const Halide::Expr& c_extent) {
    using namespace Halide;
    Var co("co"), ci("ci"), tyn("tyn");
    Func& X = f.X;
    const int vw = std::max(4, k.vector_width);
    X.bound(f.pa, 0, f.num_planes);
    X.fuse(f.ty, f.nb, tyn);
    if (k.parallel) X.parallel(tyn);
    auto body = [&](Stage s, int v) {
        s.split(f.c, co, ci, v).reorder(ci, f.pa, co, f.tx, tyn).vectorize(ci).unroll(f.pa);
    };
    // c extent is a multiple of 4 (asserted by the generator): vectors of vw, then 16, then 4.
    // Specializations copy the schedule above (fuse, parallel).
    body(X.specialize(c_extent >= vw), vw);
    if (vw > 16) body(X.specialize(c_extent >= 16), 16);
    body(X, 4);
    f.planes.compute_at(X, co).vectorize(f.c);
}

}  // namespace winoq::schedules
