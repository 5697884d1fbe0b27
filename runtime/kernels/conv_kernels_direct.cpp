// The direct convolution engine of winoq::ConvKernel: packs DirectConvParams once into the
// layout of the AOT Halide pipelines (generators/direct_conv_layout.h) and calls the
// pipeline of its kernel size, stride and residual flag.
#include <stdexcept>
#include <string>
#include <vector>

#include "conv_kernels_impl.h"
#include "direct_conv_layout.h"
#include "kernel_layout.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq_direct_k1_s1.h"
#include "winoq_direct_k1_s1_res.h"
#include "winoq_direct_k1_s2.h"
#include "winoq_direct_k1_s2_res.h"
#include "winoq_direct_k3_s1.h"
#include "winoq_direct_k3_s1_res.h"
#include "winoq_direct_k3_s2.h"
#include "winoq_direct_k3_s2_res.h"
#include "winoq_direct_k7_s2.h"

namespace winoq::kernels::detail {
namespace {

using kernels::ActStorage;
using kernels::kActOffset;
using kernels::kDirectChannelBlock;
using kernels::kDirectKPadding;
using kernels::round_up;

// Arguments (argv order): input, weights, acc_offset, bias, mult, res_mult, shift, pad (int32),
// relu (bool), residual_in, output, act_scratch.
struct PipelineEntry {
    int kernel, stride;
    bool residual;
    PipelineFn fn;
};

constexpr PipelineEntry kPipelines[] = {
    {1, 1, false, {winoq_direct_k1_s1_argv, "winoq_direct_k1_s1"}},
    {1, 1, true, {winoq_direct_k1_s1_res_argv, "winoq_direct_k1_s1_res"}},
    {1, 2, false, {winoq_direct_k1_s2_argv, "winoq_direct_k1_s2"}},
    {1, 2, true, {winoq_direct_k1_s2_res_argv, "winoq_direct_k1_s2_res"}},
    {3, 1, false, {winoq_direct_k3_s1_argv, "winoq_direct_k3_s1"}},
    {3, 1, true, {winoq_direct_k3_s1_res_argv, "winoq_direct_k3_s1_res"}},
    {3, 2, false, {winoq_direct_k3_s2_argv, "winoq_direct_k3_s2"}},
    {3, 2, true, {winoq_direct_k3_s2_res_argv, "winoq_direct_k3_s2_res"}},
    {7, 2, false, {winoq_direct_k7_s2_argv, "winoq_direct_k7_s2"}},
};

const PipelineEntry& find_pipeline(const ConvShape& s, bool residual) {
    for (const PipelineEntry& e : kPipelines)
        if (e.kernel == s.kernel && e.stride == s.stride && e.residual == residual) return e;
    throw std::invalid_argument("winoq: no direct convolution kernel for this shape");
}

// The sizes of the engine's buffers: its constructor allocates them, direct_engine_bytes
// counts them.
struct DirectSizes {
    int cp, kp;         // channels padded to the kernels' block, output channels to theirs
    int act_w, act_h;   // the kernel's activation copy: exactly the pixels the outputs read
    bool padded_input;  // C not a multiple of the block: the input goes through a padded copy
    explicit DirectSizes(const ConvShape& s)
        : cp(round_up(s.C, kDirectChannelBlock)),
          kp(round_up(s.K, kDirectKPadding)),
          act_w(s.kernel == 1 ? s.out_w() : (s.out_w() - 1) * s.stride + s.kernel),
          act_h(s.kernel == 1 ? s.out_h() : (s.out_h() - 1) * s.stride + s.kernel),
          padded_input(cp != s.C) {}
};

class DirectEngine final : public ConvEngine {
public:
    explicit DirectEngine(const DirectConvParams& p)
        : s_(p.shape), pipe_(find_pipeline(p.shape, p.out.residual).fn), stage_(p.out, p.shape.K) {
        apply_target_request();  // before any pipeline runs: the dispatch caches its choice
        const int kk = s_.kernel, C = s_.C, K = s_.K;
        const DirectSizes z(s_);
        cp_ = z.cp;
        const int kp = z.kp;
        weights_ = allocate_buffer<int8_t>(4, kernels::kDirectWeightLanes, kDirectChannelBlock / 4,
                                           kp / kernels::kDirectWeightLanes, cp_ / kDirectChannelBlock, kk, kk);
        weights_.fill(0);
        acc_offset_ = allocate_buffer<int32_t>(K);
        for (int k = 0; k < K; ++k) {
            int64_t sum = 0;  // the compensation of the +kActOffset activations: all taps, all channels
            for (int ky = 0; ky < kk; ++ky)
                for (int kx = 0; kx < kk; ++kx)
                    for (int c = 0; c < C; ++c) {
                        const int8_t w = p.weights[((size_t(k) * kk + ky) * kk + kx) * C + c];
                        weights_.data()[kernels::direct_weight_index(k, c, kx, ky, kp, cp_, kk)] = w;
                        sum += w;
                    }
            acc_offset_(k) = static_cast<int32_t>(-kActOffset * sum);
        }
        act_ = allocate_buffer<ActStorage>(kDirectChannelBlock, z.act_w, cp_ / kDirectChannelBlock, z.act_h, s_.N);
        if (z.padded_input) {
            padded_in_ = allocate_buffer<int8_t>(cp_, s_.W, s_.H, s_.N);
            padded_in_.fill(0);  // the pad channels stay zero (their weights are zero anyway)
        }
    }

    void run(const int8_t* in, const int8_t* residual, int8_t* out) override {
        check_residual_arg(residual, stage_.residual);
        HalideBufferView<int8_t> in_view = nhwc_view(in, s_.N, s_.H, s_.W, s_.C);
        halide_buffer_t* input = in_view.get();
        if (padded_in_.data()) {
            padded_in_.cropped(0, 0, s_.C).copy_from(Halide::Runtime::Buffer<const int8_t>(*in_view.get()));
            input = padded_in_.raw_buffer();
        }
        HalideBufferView<int8_t> output = nhwc_view(out, s_.N, s_.out_h(), s_.out_w(), s_.K);
        // Without a residual the pipeline never reads residual_in: the output stands in for it.
        HalideBufferView<int8_t> res = nhwc_view(residual ? residual : out, s_.N, s_.out_h(), s_.out_w(), s_.K);
        int32_t pad = s_.pad;
        bool relu = stage_.relu;
        void* args[] = {input,
                        weights_.raw_buffer(),
                        acc_offset_.raw_buffer(),
                        stage_.bias.raw_buffer(),
                        stage_.mult.raw_buffer(),
                        stage_.res_mult.raw_buffer(),
                        stage_.shift.raw_buffer(),
                        &pad,
                        &relu,
                        res.get(),
                        output.get(),
                        act_.raw_buffer()};
        check_halide(pipe_.argv(args), pipe_.name);
    }

    PipelineFn pipeline() const override { return pipe_; }
    void use_pipeline(const PipelineFn& fn) override { pipe_ = fn; }

private:
    ConvShape s_;
    PipelineFn pipe_;
    OutputStageBuffers stage_;
    int cp_ = 0;
    Halide::Runtime::Buffer<int8_t> weights_, padded_in_;
    Halide::Runtime::Buffer<ActStorage> act_;
    Halide::Runtime::Buffer<int32_t> acc_offset_;
};

}  // namespace

std::unique_ptr<ConvEngine> make_direct_engine(const DirectConvParams& p) {
    validate(p);
    return std::make_unique<DirectEngine>(p);
}

uint64_t direct_engine_bytes(const ConvShape& s) {
    const DirectSizes z(s);
    const uint64_t taps = uint64_t(s.kernel) * s.kernel, n = uint64_t(s.N);
    uint64_t bytes = uint64_t(z.kp) * z.cp * taps + uint64_t(s.K) * sizeof(int32_t);  // weights, acc_offset
    bytes += uint64_t(z.cp) * z.act_w * z.act_h * n * sizeof(ActStorage);
    if (z.padded_input) bytes += uint64_t(z.cp) * s.W * s.H * n;
    return bytes + output_stage_bytes(s.K);
}

}  // namespace winoq::kernels::detail
