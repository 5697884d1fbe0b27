// Winograd output transform fused with the shared output stage:
//   Y = output_transform(tap_grid_from_out_planes(M planes of the tile << m_lshift))  (int32, exact)
//   out(k, x, y, nb) = sat(requantize((Y + bias[k]) * mult[k] + res * res_mult[k], shift[k]),
//                          lo = relu ? 0 : -127)
// with the core's templates (winoq::output_transform<Expr>, winoq::requantize). M planes are in
// the kernels' internal order (kernel_layout.h); the runtime passes M (k16, t, o') as a 5-D view
// (k16, tx, ty, nb, o'). Pixels of a tile beyond W / H are not written.
// The residual input is always read: without a residual the runtime passes res_mult = 0 (and
// any buffer of the output's shape), which adds exactly 0, so one library serves both cases.
#include "Halide.h"
#include "halide_ops.h"
#include "kernel_layout.h"
#include "winograd_output_transform_schedule.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace {

using namespace Halide;
using winoq::halide::i64;

class WinogradOutputTransform : public Generator<WinogradOutputTransform> {
public:
    GeneratorParam<winoq::Variant> variant{"variant", winoq::Variant::kCF43, winoq::halide::winograd_variant_names()};
    GeneratorParam<int> vector_width{"vector_width", 16};
    GeneratorParam<bool> parallel{"parallel", true};

    Input<Buffer<int8_t>> M{"M", 5};                 // (k16, tx, ty, nb, o')
    Input<Buffer<int32_t>> m_lshift{"m_lshift", 1};  // (o'): plane o' enters as M << m_lshift, in [0, kMaxMLeftShift]
    Input<Buffer<int32_t>> bias{"bias", 1};          // (k)
    Input<Buffer<int32_t>> mult{"mult", 1};          // (k)
    Input<Buffer<int32_t>> res_mult{"res_mult", 1};  // (k)
    Input<Buffer<int32_t>> shift{"shift", 1};        // (k)
    Input<bool> relu{"relu"};
    Input<Buffer<int8_t>> res{"residual_in", 4};  // (k, x, y, nb)
    Output<Buffer<int8_t>> out{"out", 4};         // (k, x, y, nb), extents K, W, H, N

    void generate() {
        const winoq::WinogradMatrices& w = winoq::winograd_matrices(variant);
        const winoq::PlaneLayout& L = winoq::plane_layout(variant);
        const winoq::kernels::KernelLayout KL = winoq::kernels::kernel_layout(variant);
        const int m = w.m;
        f.m = m;
        Var &k = f.k, &x = f.x, &y = f.y, &nb = f.nb;
        Var &tx = f.tile_x, &ty = f.tile_y;

        std::vector<Expr> planes(L.out.size());
        // int32 is exact: |M << l| <= 127 * 2^kMaxMLeftShift, times the output transform's growth (<= 361).
        for (size_t o = 0; o < L.out.size(); ++o) {
            const int oi = KL.out_internal[o];
            planes[o] = cast<int32_t>(M(k, tx, ty, nb, oi)) << cast<uint32_t>(m_lshift(oi));
        }
        const Expr zero = 0;
        const std::vector<Expr> Y = winoq::output_transform<Expr>(
            w, winoq::tap_grid_from_out_planes<Expr>(L, planes, zero), winoq::tap_is_real(L), zero);
        f.tiles(k, tx, ty, nb) = Tuple(Y);

        // x = tx*m + a once the schedule splits x by m (mins are 0), so these fold to constants.
        const Expr yv = mux((y % m) * m + x % m, Tuple(f.tiles(k, x / m, y / m, nb)));
        Expr sum = (i64(yv) + i64(bias(k))) * i64(mult(k));
        sum = sum + i64(res(k, x, y, nb)) * i64(res_mult(k));
        const Expr lo = select(relu, 0, -winoq::kQMax);
        f.out = Func(out);
        out(k, x, y, nb) = cast<int8_t>(winoq::halide::requantize_expr(sum, shift(k), lo));
    }

    void schedule() {
        for (int d = 0; d < 4; ++d) out.dim(d).set_min(0);
        for (int d = 0; d < 5; ++d) M.dim(d).set_min(0);
        m_lshift.dim(0).set_min(0).set_extent(M.dim(4).extent());
        winoq::schedules::OutputTransformKnobs kn;
        kn.vector_width = vector_width;
        kn.parallel = parallel;
        winoq::schedules::schedule_output_transform(f, kn, out.dim(0).extent());
    }

private:
    winoq::schedules::OutputTransformFuncs f;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(WinogradOutputTransform, winoq_winograd_output_transform)
