// Direct int8 convolution (1x1, 3x3 or 7x7, stride 1 or 2, any padding), NHWC, with the shared
// output stage:
//
//   acc(k, x, y) = sum_{ky, kx, c} w[k][ky][kx][c] * in[c][x*s - pad + kx][y*s - pad + ky]
//   out(k, x, y) = requantize((acc + bias[k]) * mult[k] + res(k, x, y) * res_mult[k], shift[k],
//                             relu ? 0 : -127)
//
// The activations are stored in the target's encoding (kernel_layout.h): for x86 vpdpbusd
// (u8 x s8) as uint8 in + 128 (padding reads 0 + 128), and acc_offset[k] = -128 * (sum of
// filter k), computed when packing, takes the offset back out exactly; for ARM sdot (s8 x s8)
// as int8 in, acc_offset = 0.
//
// The activations are first copied into `act`, channel-blocked by kChannelBlock:
// act(c, x, cb, y) = in[cb * kChannelBlock + c][x - pad][y - pad] + offset (1x1: the pixels
// x*s - pad, y*s - pad), so that the output pixels of a register block sit at constant byte
// offsets from one pointer per row.
//
// Runtime contract (runtime/kernels/conv_kernels_direct.cpp packs it):
//   act_scratch (c: 16, x, cb: C/16, y, n) u8 / s8, mins 0: the second output, exactly the act
//            pixels the output reads (3x3: (out - 1) * stride + 3; 1x1: out) in x and y
//   input    (c, x, y, n) int8 NHWC, C a multiple of kChannelBlock (the runtime zero-pads)
//   weights  packed as direct_conv_layout.h says, zero for k >= K and padded channels; Kp a
//            multiple of 16 * k_vectors
//   acc_offset, bias, mult, res_mult, shift: (k) int32, extent >= K
//   residual_in (k, x, y, n) int8 of the output's shape (read only when `residual` is true)
//   output   (k, x, y, n) int8 NHWC
#include "Halide.h"
#include "direct_conv_layout.h"
#include "direct_conv_schedule.h"
#include "halide_ops.h"
#include "target_policy.h"
#include "kernel_layout.h"
#include "winoq/numerics/requantize.h"

namespace {

using namespace Halide;
using winoq::halide::i64;
constexpr int kChannelBlock = winoq::kernels::kDirectChannelBlock;
constexpr int kWeightLanes = winoq::kernels::kDirectWeightLanes;

class DirectConv : public Generator<DirectConv> {
public:
    GeneratorParam<int> kernel{"kernel", 3};
    GeneratorParam<int> stride{"stride", 1};
    GeneratorParam<bool> residual{"residual", false};
    // Schedule knobs (schedules/direct_conv_schedule.h); tile sizes < 0 take the target policy's
    // register tile (schedules/target_policy.h).
    GeneratorParam<int> k_vectors{"k_vectors", 1};
    GeneratorParam<int> tile_x{"tile_x", -1};
    GeneratorParam<int> tile_y{"tile_y", -1};
    GeneratorParam<int> tile_y_w7{"tile_y_w7", -1};
    GeneratorParam<int> unroll_c{"unroll_c", 4};
    GeneratorParam<bool> parallel{"parallel", true};
    // The layer shape an autoscheduler baseline (winoq-tune, auto_schedule=true) is told about.
    GeneratorParam<int> est_c{"est_c", 64};
    GeneratorParam<int> est_k{"est_k", 64};
    GeneratorParam<int> est_w{"est_w", 56};
    GeneratorParam<int> est_h{"est_h", 56};
    GeneratorParam<int> est_n{"est_n", 1};

    Input<Buffer<int8_t>> input{"input", 4};
    Input<Buffer<int8_t>> weights{"weights", 7};
    Input<Buffer<int32_t>> acc_offset{"acc_offset", 1};
    Input<Buffer<int32_t>> bias{"bias", 1};
    Input<Buffer<int32_t>> mult{"mult", 1};
    Input<Buffer<int32_t>> res_mult{"res_mult", 1};
    Input<Buffer<int32_t>> shift{"shift", 1};
    Input<int32_t> pad{"pad"};  // zero padding on every side (ConvShape::pad)
    Input<bool> relu{"relu"};
    Input<Buffer<int8_t>> residual_in{"residual_in", 4};
    Output<Buffer<int8_t>> output{"output", 4};
    // The channel-blocked activation copy, a second output so that its memory is the
    // engine's kept scratch (no allocation per call).
    Output<Buffer<>> act_scratch{"act_scratch", 5};  // type set in configure()

    void configure() { act_scratch.set_type(winoq::halide::act_type(get_target())); }

    void generate() {
        const int kk = kernel, s = stride;
        if ((kk != 1 && kk != 3 && kk != 7) || (s != 1 && s != 2))
            throw std::invalid_argument("direct_conv: kernel 1, 3 or 7, stride 1 or 2");
        const Expr pd = pad;
        const Var &k = f.k, &x = f.x, &y = f.y, &n = f.n, &c = f.c, &cb = f.cb;

        // Zero padding in x and y only: the channel extent is already a multiple of the block.
        const Expr W = input.dim(1).extent(), H = input.dim(2).extent();
        Func padded = BoundaryConditions::constant_exterior(input, cast<int8_t>(0),
                                                            {{Expr(), Expr()}, {0, W}, {0, H}, {Expr(), Expr()}});
        // A 1x1 kernel reads each input pixel at most once: act then holds only the pixels it
        // reads (stride applied here, not in conv), which saves 3/4 of the copy at stride 2.
        const int act_stride = kk == 1 ? s : 1, conv_stride = s / act_stride;
        act_scratch(c, x, cb, y, n) =
            cast(winoq::halide::act_type(get_target()),
                 cast<int16_t>(padded(cb * kChannelBlock + c, x * act_stride - pd, y * act_stride - pd, n)) +
                     winoq::halide::act_offset(get_target()));
        f.act = Func(act_scratch);

        constexpr int c4_per_block = kChannelBlock / 4;
        // With a 4-way int8 dot instruction (vpdpbusd / sdot) each reduction step takes 4
        // channels; without one, 2 (pmaddwd on int16), into two partial sums per channel h
        // (channels 4 c4 + 2h, +1) added after the reduction: exact either way, same layouts.
        f.pairs = !winoq::schedules::has_int8_dot(get_target());
        f.r = RDom({{0, f.pairs ? 2 : 4}, {0, c4_per_block}, {0, weights.dim(4).extent()}, {0, kk}, {0, kk}}, "r");
        const RVar ci = f.r[0], c4i = f.r[1], rcb = f.r[2], kx = f.r[3], ky = f.r[4];
        // Accumulators with the output channel split as k = 16 kv + kl (the weight layout).
        const Var &kl = f.kl, &kv = f.kv, &h = f.h;
        const Expr wc = f.pairs ? 2 * h + ci : Expr(ci);
        const Expr a = f.act(4 * c4i + wc, x * conv_stride + kx, rcb, y * conv_stride + ky, n);
        const Expr prod = cast<int32_t>(weights(wc, kl, c4i, kv, rcb, kx, ky)) * cast<int32_t>(a);
        if (f.pairs) {
            f.conv2(h, kl, kv, x, y, n) = 0;
            f.conv2(h, kl, kv, x, y, n) += prod;
            f.conv(kl, kv, x, y, n) = f.conv2(0, kl, kv, x, y, n) + f.conv2(1, kl, kv, x, y, n);
        } else {
            f.conv(kl, kv, x, y, n) = 0;
            f.conv(kl, kv, x, y, n) += prod;
        }
        const Expr acc = f.conv(k % kWeightLanes, k / kWeightLanes, x, y, n);

        // The shared output stage (requantize.h), in int64 like the reference.
        Expr sum = (i64(acc) + i64(acc_offset(k)) + i64(bias(k))) * i64(mult(k));
        if (residual) sum += i64(residual_in(k, x, y, n)) * i64(res_mult(k));
        const Expr lo = select(relu, 0, -winoq::kQMax);
        output(k, x, y, n) = cast<int8_t>(winoq::halide::requantize_expr(sum, shift(k), lo));
        f.out = Func(output);
    }

    // The estimates an autoscheduler needs: every input and output at the est_* layer shape.
    void set_shape_estimates() {
        const int kk = kernel, s = stride, c = est_c, k = est_k, w = est_w, h = est_h, n = est_n;
        const int cp = winoq::kernels::round_up(c, kChannelBlock);
        const int kp = winoq::kernels::round_up(k, winoq::kernels::kDirectKPadding);
        const int p = kk / 2, ow = (w + 2 * p - kk) / s + 1, oh = (h + 2 * p - kk) / s + 1;
        const int aw = kk == 1 ? ow : (ow - 1) * s + kk, ah = kk == 1 ? oh : (oh - 1) * s + kk;
        input.set_estimates({{0, cp}, {0, w}, {0, h}, {0, n}});
        weights.set_estimates({{0, 4},
                               {0, kWeightLanes},
                               {0, kChannelBlock / 4},
                               {0, kp / kWeightLanes},
                               {0, cp / kChannelBlock},
                               {0, kk},
                               {0, kk}});
        for (Input<Buffer<int32_t>>* b : {&acc_offset, &bias, &mult, &res_mult, &shift}) b->set_estimates({{0, k}});
        pad.set_estimate(p);
        relu.set_estimate(false);
        residual_in.set_estimates({{0, k}, {0, ow}, {0, oh}, {0, n}});
        output.set_estimates({{0, k}, {0, ow}, {0, oh}, {0, n}});
        act_scratch.set_estimates({{0, kChannelBlock}, {0, aw}, {0, cp / kChannelBlock}, {0, ah}, {0, n}});
    }

    void schedule() {
        // Dense innermost dimensions and the packed weight layout (constant offsets).
        input.dim(0).set_stride(1);
        output.dim(0).set_min(0).set_stride(1);
        act_scratch.dim(0).set_bounds(0, kChannelBlock).set_stride(1);
        act_scratch.dim(1).set_min(0).set_stride(kChannelBlock);
        if (residual) residual_in.dim(0).set_stride(1);
        const int wdims[3] = {4, kWeightLanes, kChannelBlock / 4};
        Expr stride = 1;
        for (int d = 0; d < 3; ++d) {
            weights.dim(d).set_bounds(0, wdims[d]).set_stride(stride);
            stride *= wdims[d];
        }
        weights.dim(3).set_stride(stride);
        if (auto_schedule) {  // a baseline of the tuner: the autoscheduler schedules what generate() defined
            set_shape_estimates();
            return;
        }

        winoq::schedules::DirectConvKnobs kn;
        kn.k_vectors = k_vectors;
        kn.pairs = f.pairs;
        const int lanes = winoq::schedules::int32_lanes(get_target());
        // Registers per pixel: the 16 k_vectors channels, or in pairs mode one pass of pair_k
        // channels x 2 partial sums.
        const int per_pixel = f.pairs ? 2 * kn.pair_k / lanes : k_vectors * (kWeightLanes / lanes);
        const winoq::schedules::DirectTile dt = winoq::schedules::direct_register_tile(get_target(), per_pixel);
        kn.tile_x = tile_x >= 0 ? int(tile_x) : dt.tile_x;
        kn.tile_y = tile_y >= 0 ? int(tile_y) : dt.tile_y;
        kn.tile_y_w7 = tile_y_w7 >= 0 ? int(tile_y_w7) : dt.tile_y_w7;
        kn.unroll_c = f.pairs ? 1 : int(unroll_c);  // unrolling the pairs' reduction only adds spills
        kn.parallel = parallel;
        winoq::schedules::schedule_direct_conv(f, kn, output.dim(1).extent(), output.dim(2).extent());
    }

private:
    winoq::schedules::DirectConvFuncs f;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(DirectConv, winoq_direct_conv)
