// Winograd input transform: NHWC int8 input -> X, every activation plane of every tile,
// requantized to int8 and stored in the target's activation encoding (kernel_layout.h: u8
// value + 128 on x86 for the u8 x s8 GEMM, s8 on ARM):
//   X(c, tx, ty, nb, pa) = sat(requantize(V_pa(c, tile) * in_mult[pa], in_shift[pa])) + offset
// V from winoq::input_transform<Expr> and act_plane_values (the core's templates); the tile
// of (tx, ty, nb) reads input rows ty*m-1 .. ty*m+n-2 (padding 1, zero outside), channels
// beyond C read 0. The runtime passes X (c4, t, pa) as a 5-D view, t = (nb*th + ty)*tw + tx.
#include "Halide.h"
#include "halide_ops.h"
#include "kernel_layout.h"
#include "winograd_input_transform_schedule.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace {

using namespace Halide;
using winoq::halide::i64;

class WinogradInputTransform : public Generator<WinogradInputTransform> {
public:
    GeneratorParam<winoq::Variant> variant{"variant", winoq::Variant::kCF43, winoq::halide::winograd_variant_names()};
    GeneratorParam<int> vector_width{"vector_width", 32};
    GeneratorParam<bool> parallel{"parallel", true};

    Input<Buffer<int8_t>> input{"input", 4};         // (c, x, y, nb), extents C, W, H, N
    Input<Buffer<int32_t>> in_mult{"in_mult", 1};    // (pa)
    Input<Buffer<int32_t>> in_shift{"in_shift", 1};  // (pa)
    Output<Buffer<>> X{"X", 5};                      // (c, tx, ty, nb, pa), c extent round_up(C, 4)

    void configure() { X.set_type(winoq::halide::act_type(get_target())); }

    void generate() {
        const winoq::WinogradMatrices& w = winoq::winograd_matrices(variant);
        const winoq::PlaneLayout& L = winoq::plane_layout(variant);
        const int n = w.n, m = w.m, P = int(L.act.size());
        f.num_planes = P;

        Expr C = input.dim(0).extent(), W = input.dim(1).extent(), H = input.dim(2).extent();
        Func padded = BoundaryConditions::constant_exterior(input, cast<int8_t>(0), {{0, C}, {0, W}, {0, H}});

        // int16 is exact for the transform: |V| <= 128 * (max row L1 norm of B^T)^2 = 12800 (F(4,3)),
        // and re + im of complex F(4,3) stays within 2 * 128 * 16.
        std::vector<Expr> d(n * n);
        for (int u = 0; u < n; ++u)
            for (int v = 0; v < n; ++v)
                d[u * n + v] = cast<int16_t>(padded(f.c, f.tx * m - 1 + v, f.ty * m - 1 + u, f.nb));
        const Expr zero = cast<int16_t>(0);
        const std::vector<Expr> vals = winoq::act_plane_values(L, winoq::input_transform<Expr>(w, d, zero));

        std::vector<Expr> q(P);
        for (int a = 0; a < P; ++a) {
            const Expr r = winoq::halide::requantize_expr(i64(vals[a]) * i64(in_mult(a)), in_shift(a), -winoq::kQMax);
            q[a] = cast(winoq::halide::act_type(get_target()), r + winoq::halide::act_offset(get_target()));
        }
        f.planes(f.c, f.tx, f.ty, f.nb) = Tuple(q);
        f.X = Func(X);
        X(f.c, f.tx, f.ty, f.nb, f.pa) = mux(f.pa, f.planes(f.c, f.tx, f.ty, f.nb));
    }

    void schedule() {
        for (int d = 0; d < 5; ++d) X.dim(d).set_min(0);
        // Channels come in groups of 4 (the GEMM's dot products): lets the vector specializations cover them.
        X.dim(0).set_extent((X.dim(0).extent() / winoq::kernels::kChannelAlign) * winoq::kernels::kChannelAlign);
        X.dim(4).set_extent(f.num_planes);
        in_mult.dim(0).set_min(0).set_extent(f.num_planes);
        in_shift.dim(0).set_min(0).set_extent(f.num_planes);
        winoq::schedules::InputTransformKnobs k;
        k.vector_width = vector_width;
        k.parallel = parallel;
        winoq::schedules::schedule_input_transform(f, k, X.dim(0).extent());
    }

private:
    winoq::schedules::InputTransformFuncs f;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(WinogradInputTransform, winoq_winograd_input_transform)
