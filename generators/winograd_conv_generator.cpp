// The fused Winograd convolution: one pipeline per layer. For each block of tile rows (and of
// output channels) it runs the input transform, every Winograd-domain GEMM with the M
// requantization, and the output transform with the output stage while the block's X and M
// are in cache (schedules/winograd_conv_schedule.h). The numbers are those of the three stage
// pipelines, bit for bit (the same core templates):
//   X(c, t, x')   = sat(requantize(V_a(c, tile t) * in_mult[a], in_shift[a])) + offset, a = x_of[x']
//   acc(k, t, q') = acc_offset(k, q') + sum_c W(k, c; q') * X(c, t, x'(q'))
//   M(k, t, o')   = sat(requantize(sum_i acc(k, t, term_i) * m_mult(k, i, o'), m_shift(k, o')))
//   out(k, x, y, nb) = output stage of output_transform(M planes << m_lshift) at (x, y)
// Tiles are numbered t = (nb * th + ty) * tw + tx over the whole batch, so a block of tiles
// may hold several images and the batch is inside the parallel loop. Planes use the internal
// orders of kernel_layout.h (the runtime packs W, acc_offset, m_mult, m_shift, m_lshift in
// them, as for the stage pipelines).
#include "Halide.h"
#include "halide_ops.h"
#include "kernel_layout.h"
#include "target_policy.h"
#include "winograd_conv_schedule.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace {

using namespace Halide;
using winoq::halide::i64;

class WinogradConv : public Generator<WinogradConv> {
public:
    GeneratorParam<winoq::Variant> variant{"variant", winoq::Variant::kCF43, winoq::halide::winograd_variant_names()};
    // Schedule knobs; 0 picks the target policy's value (schedules/target_policy.h).
    GeneratorParam<int> k_vectors{"k_vectors", 0};  // register tile: int32 vectors of output channels
    GeneratorParam<int> t_block{"t_block", 0};      // register tile: tiles
    GeneratorParam<int> k_block{"k_block", 0};      // output channels per cache block (multiple of the tile's, <= 64)
    GeneratorParam<int> block_tiles{"block_tiles", 32};  // tiles per cache block (whole tile rows, >= 1 row)
    GeneratorParam<bool> parallel{"parallel", true};
    // The layer shape an autoscheduler baseline (winoq-tune, auto_schedule=true) is told about.
    GeneratorParam<int> est_c{"est_c", 64};
    GeneratorParam<int> est_k{"est_k", 64};
    GeneratorParam<int> est_w{"est_w", 56};
    GeneratorParam<int> est_h{"est_h", 56};
    GeneratorParam<int> est_n{"est_n", 1};

    Input<Buffer<int8_t>> input{"input", 4};             // (c, x, y, nb), extents c16, W, H, N (zeros beyond C)
    Input<Buffer<int32_t>> in_mult{"in_mult", 1};        // (a): PlaneLayout::act order
    Input<Buffer<int32_t>> in_shift{"in_shift", 1};      // (a)
    Input<Buffer<int8_t>> W{"W", 4};                     // (4, kp, c16/4, q'): W(i, k, cb, q') = w_q'[k][4cb+i]
    Input<Buffer<int32_t>> acc_offset{"acc_offset", 2};  // (k16, q')
    Input<Buffer<int32_t>> m_mult{"m_mult", 3};          // (k16, i, o'), i < 2
    Input<Buffer<int32_t>> m_shift{"m_shift", 2};        // (k16, o')
    Input<Buffer<int32_t>> m_lshift{"m_lshift", 1};      // (o')
    Input<Buffer<int32_t>> bias{"bias", 1};              // (k)
    Input<Buffer<int32_t>> mult{"mult", 1};              // (k)
    Input<Buffer<int32_t>> res_mult{"res_mult", 1};      // (k)
    Input<Buffer<int32_t>> shift{"shift", 1};            // (k)
    Input<bool> relu{"relu"};
    // Always read: without a residual the runtime passes res_mult = 0 (and any buffer of the
    // output's shape), which adds exactly 0; one library serves both cases.
    Input<Buffer<int8_t>> res{"residual_in", 4};  // (k, x, y, nb)
    Output<Buffer<int8_t>> out{"out", 4};         // (k, x, y, nb), extents K, W, H, N

    void generate() {
        KL = winoq::kernels::kernel_layout(variant);
        f.m = winoq::winograd_matrices(variant).m;
        const Expr Wd = input.dim(1).extent(), H = input.dim(2).extent();
        f.tw = (Wd + (f.m - 1)) / f.m;
        f.th = (H + (f.m - 1)) / f.m;
        define_input_transform();
        define_gemms();
        define_output_transform();
        define_output_stage();
    }

    void schedule() {
        const int align = winoq::kernels::kWinogradKPadding;
        for (int dd = 0; dd < 4; ++dd) out.dim(dd).set_min(0);
        for (int dd = 0; dd < 4; ++dd) input.dim(dd).set_min(0);
        W.dim(0).set_min(0).set_extent(4);
        W.dim(1).set_min(0).set_stride(4);
        W.dim(1).set_extent((W.dim(1).extent() / align) * align);
        W.dim(3).set_min(0).set_extent(int(KL.prod_of.size()));
        const int num_out = int(KL.out_of.size());
        m_lshift.dim(0).set_min(0).set_extent(num_out);
        const int num_act = int(winoq::plane_layout(variant).act.size());
        in_mult.dim(0).set_min(0).set_extent(num_act);
        in_shift.dim(0).set_min(0).set_extent(num_act);
        input.dim(0).set_extent(4 * W.dim(2).extent());  // round_up(C, kFusedChannelAlign) channels
        if (auto_schedule) {  // a baseline of the tuner: the autoscheduler schedules what generate() defined
            set_shape_estimates(num_act, num_out);
            return;
        }

        const Target& tg = get_target();
        winoq::schedules::WinogradConvKnobs kn;
        const int lanes = winoq::schedules::int32_lanes(tg);
        const int max_kv = std::max(1, 64 / lanes);
        kn.vector_width = lanes;
        // Register tiles: the policy's, or the knobs' (k_vectors / t_block apply to the real section;
        // the complex section keeps at most as many k vectors and fits its tiles to the registers).
        auto tile_of = [&](int products, int max_kv) {
            const winoq::schedules::RegisterTile rt = winoq::schedules::gemm_register_tile(tg, products, max_kv);
            return winoq::schedules::GemmTile{rt.k_vectors, rt.cols};
        };
        kn.real = tile_of(1, max_kv);
        if (k_vectors > 0) kn.real.k_vectors = k_vectors;
        if (t_block > 0) kn.real.t_block = t_block;
        const int np = std::max(1, KL.complex.np);
        kn.complex = tile_of(np, kn.real.k_vectors);
        kn.k_block = k_block > 0 ? int(k_block) : kn.real.k_vectors * lanes;
        kn.x_vector = winoq::kernels::kFusedChannelAlign;
        if (kn.k_block % (kn.real.k_vectors * lanes) || kn.k_block % (kn.complex.k_vectors * lanes) ||
            winoq::kernels::kWinogradKPadding % kn.k_block)
            throw std::invalid_argument(
                "winoq_winograd_conv: k_block must be a multiple of the register tiles' "
                "channels and divide kWinogradKPadding");
        // Layers with fewer output channels than the k block get a k block of their size.
        for (int max_k = 16; max_k < kn.k_block; max_k *= 2) {
            winoq::schedules::WinogradConvKnobs::SmallK sk;
            sk.max_k = max_k;
            sk.real = tile_of(1, std::max(1, max_k / lanes));
            sk.complex = tile_of(np, sk.real.k_vectors);
            sk.k_block = sk.real.k_vectors * lanes;
            if (sk.k_block == max_k) kn.small_k.push_back(sk);
        }
        kn.block_tiles = block_tiles;
        kn.parallel = parallel;
        winoq::schedules::schedule_winograd_conv(f, kn);
    }

private:
    // The estimates an autoscheduler needs: every input and the output at the est_* layer shape.
    void set_shape_estimates(int num_act, int num_out) {
        const int c16 = winoq::kernels::round_up(int(est_c), winoq::kernels::kFusedChannelAlign);
        const int kp = winoq::kernels::round_up(int(est_k), winoq::kernels::kWinogradKPadding);
        const int q = int(KL.prod_of.size()), k = est_k, w = est_w, h = est_h, n = est_n;
        input.set_estimates({{0, c16}, {0, w}, {0, h}, {0, n}});
        in_mult.set_estimates({{0, num_act}});
        in_shift.set_estimates({{0, num_act}});
        W.set_estimates({{0, 4}, {0, kp}, {0, c16 / 4}, {0, q}});
        acc_offset.set_estimates({{0, kp}, {0, q}});
        m_mult.set_estimates({{0, kp}, {0, 2}, {0, num_out}});
        m_shift.set_estimates({{0, kp}, {0, num_out}});
        m_lshift.set_estimates({{0, num_out}});
        for (Input<Buffer<int32_t>>* b : {&bias, &mult, &res_mult, &shift}) b->set_estimates({{0, k}});
        relu.set_estimate(false);
        res.set_estimates({{0, k}, {0, w}, {0, h}, {0, n}});
        out.set_estimates({{0, k}, {0, w}, {0, h}, {0, n}});
    }

    // X(c, t, x'): the input transform of tile t (int16 is exact, as in the stage pipeline),
    // every X plane requantized to the activation type.
    void define_input_transform() {
        const winoq::WinogradMatrices& w = winoq::winograd_matrices(variant);
        const winoq::PlaneLayout& L = winoq::plane_layout(variant);
        const int n = w.n, m = w.m;
        Var &c = f.c, &t = f.t;
        const Expr Wd = input.dim(1).extent(), H = input.dim(2).extent(), N = input.dim(3).extent();
        const Expr tx = t % f.tw, ty = (t / f.tw) % f.th, nb = t / (f.tw * f.th);
        // Bounded in space and batch only: the channel extent is the W's (a multiple of
        // kFusedChannelAlign, set in schedule()), so channel vectors load densely.
        Func padded =
            BoundaryConditions::constant_exterior(input, cast<int8_t>(0), {{Expr(), Expr()}, {0, Wd}, {0, H}, {0, N}});
        std::vector<Expr> d(n * n);
        for (int u = 0; u < n; ++u)
            for (int v = 0; v < n; ++v) d[u * n + v] = cast<int16_t>(padded(c, tx * m - 1 + v, ty * m - 1 + u, nb));
        const std::vector<Expr> vals = winoq::act_plane_values(L, winoq::input_transform<Expr>(w, d, cast<int16_t>(0)));
        std::vector<Expr> q;
        for (int a : KL.x_of) {
            const Expr r = winoq::halide::requantize_expr(i64(vals[a]) * i64(in_mult(a)), in_shift(a), -winoq::kQMax);
            q.push_back(cast(winoq::halide::act_type(get_target()), r + winoq::halide::act_offset(get_target())));
        }
        f.num_x = int(q.size());
        f.planes(c, t) = Tuple(q);
        f.X(c, t, f.x) = mux(f.x, f.planes(c, t));
    }

    // acc(args) = acc_offset + sum_c W * X(col), through the pair partial sums where there are any.
    void define_acc(Func& acc, Func& acc2, const std::vector<Expr>& args, const Expr& qp, const Expr& col) {
        Var &k = f.k, &t = f.t, &h = f.h;
        const RDom& r = f.r;
        const Expr wi = f.pairs ? 2 * h + r.x : Expr(r.x);
        const Expr x_in = cast<int32_t>(f.X(4 * r.y + wi, t, col));
        if (!f.pairs) {
            acc(args) = acc_offset(k, qp);
            acc(args) += cast<int32_t>(W(wi, k, r.y, qp)) * x_in;
            return;
        }
        std::vector<Expr> args2 = args;
        args2.insert(args2.begin(), h);
        acc2(args2) = select(h == 0, acc_offset(k, qp), 0);
        acc2(args2) += cast<int32_t>(W(wi, k, r.y, qp)) * x_in;
        std::vector<Expr> a0 = args, a1 = args;
        a0.insert(a0.begin(), 0);
        a1.insert(a1.begin(), 1);
        acc(args) = acc2(a0) + acc2(a1);
    }

    // GEMMs: section "real" (one product -> one M plane per group), section "complex".
    // With a 4-way int8 dot instruction (vpdpbusd / sdot) the reduction takes 4 channels at a
    // time; without one, 2 (pmaddwd on int16) into two partial sums per channel h (channels
    // 4cb + 2h, +1), added once after the reduction: exact either way, same layouts.
    void define_gemms() {
        Var &t = f.t, &k = f.k, &g = f.g, &j = f.j, &p = f.p;
        f.pairs = !winoq::schedules::has_int8_dot(get_target());
        f.r = RDom(0, f.pairs ? 2 : 4, 0, W.dim(2).extent(), "r");
        const winoq::kernels::GemmSection& R = KL.real;
        define_acc(f.acc_real, f.acc2_real, {k, t, g}, g, g);
        f.M_real(k, t, g) = cast<int8_t>(winoq::halide::requantize_expr(i64(f.acc_real(k, t, g)) * i64(m_mult(k, 0, g)),
                                                                        m_shift(k, g), -winoq::kQMax));

        const winoq::kernels::GemmSection& S = KL.complex;
        f.real_groups = R.groups;
        f.complex_groups = S.groups;
        f.complex_products = S.np;
        if (S.groups == 0) return;
        const Expr qp = S.q0 + g * S.np + j;
        define_acc(f.acc_complex, f.acc2_complex, {k, t, j, g}, qp,
                   S.x0 + g * S.nx + winoq::halide::table_lookup(j, S.x_local));
        Expr sum;
        const Expr op = S.o0 + g * S.no + p;
        for (int i = 0; i < S.nterms[0]; ++i) {
            const Expr term = winoq::halide::table_lookup(p, {S.term[0][i], S.term[1][i]});
            const Expr prod = i64(f.acc_complex(k, t, term, g)) * i64(m_mult(k, i, op));
            sum = i == 0 ? prod : sum + prod;
        }
        f.M_complex(k, t, p, g) = cast<int8_t>(winoq::halide::requantize_expr(sum, m_shift(k, op), -winoq::kQMax));
    }

    // tiles(k, t): the output transform of a tile, M planes (internal o') << m_lshift, int32
    // exact as in the stage pipeline.
    void define_output_transform() {
        const winoq::WinogradMatrices& w = winoq::winograd_matrices(variant);
        const winoq::PlaneLayout& L = winoq::plane_layout(variant);
        const winoq::kernels::GemmSection &R = KL.real, &S = KL.complex;
        Var &k = f.k, &t = f.t;
        std::vector<Expr> planes(L.out.size());
        for (size_t o = 0; o < L.out.size(); ++o) {
            const int oi = KL.out_internal[o];
            const Expr mv =
                oi < R.groups ? f.M_real(k, t, oi) : f.M_complex(k, t, (oi - S.o0) % S.no, (oi - S.o0) / S.no);
            planes[o] = cast<int32_t>(mv) << cast<uint32_t>(m_lshift(oi));
        }
        const Expr zero = 0;
        const std::vector<Expr> Y = winoq::output_transform<Expr>(
            w, winoq::tap_grid_from_out_planes<Expr>(L, planes, zero), winoq::tap_is_real(L), zero);
        f.tiles(k, t) = Tuple(Y);
    }

    // out(k, x, y, nb): the pixel of its tile with bias, residual, ReLU and requantization.
    void define_output_stage() {
        const int m = f.m;
        Var &k = f.k, &x = f.x_out, &y = f.y_out, &b = f.nb;
        const Expr tile = (b * f.th + y / m) * f.tw + x / m;
        const Expr yv = mux((y % m) * m + x % m, Tuple(f.tiles(k, tile)));
        Expr sum = (i64(yv) + i64(bias(k))) * i64(mult(k));
        sum = sum + i64(res(k, x, y, b)) * i64(res_mult(k));
        f.out = Func(out);
        out(k, x, y, b) = cast<int8_t>(winoq::halide::requantize_expr(sum, shift(k), select(relu, 0, -winoq::kQMax)));
        f.K = out.dim(0).extent();
    }

    winoq::kernels::KernelLayout KL;
    winoq::schedules::WinogradConvFuncs f;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(WinogradConv, winoq_winograd_conv)
