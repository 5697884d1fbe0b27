// The Winograd engine: packs a WinogradConvParams into the layouts of the AOT pipelines
// (generators/kernel_layout.h) once, then runs the fused pipeline of its variant (one call per
// layer) on halide_buffer_t views of the caller's tensors. The stage pipelines (input transform
// -> GEMM section(s) -> output transform, with X and M in the engine's scratch) stay callable for
// the stage-by-stage tests.
#include "conv_kernels_winograd.h"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "winoq/kernels/kernel_target.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"
// AOT pipelines (generators/CMakeLists.txt)
#include "winoq_conv_cf43.h"
#include "winoq_conv_cf43m4.h"
#include "winoq_conv_f23.h"
#include "winoq_conv_f43.h"
#include "winoq_gemm_cf43.h"
#include "winoq_gemm_cf43m4.h"
#include "winoq_gemm_real.h"
#include "winoq_input_cf43.h"
#include "winoq_input_cf43m4.h"
#include "winoq_input_f23.h"
#include "winoq_input_f43.h"
#include "winoq_output_cf43.h"
#include "winoq_output_cf43m4.h"
#include "winoq_output_f23.h"
#include "winoq_output_f43.h"

namespace winoq::kernels::detail {

namespace {

using kernels::ActStorage;
using kernels::kActOffset;
using kernels::round_up;

template <typename T>
using View = HalideBufferView<T>;

using InputFn = int (*)(halide_buffer_t*, halide_buffer_t*, halide_buffer_t*, halide_buffer_t*);
using OutputFn = int (*)(halide_buffer_t*, halide_buffer_t*, halide_buffer_t*, halide_buffer_t*, halide_buffer_t*,
                         halide_buffer_t*, bool, halide_buffer_t*, halide_buffer_t*);

// The fused pipelines, one per variant (generators/CMakeLists.txt). Arguments (argv order):
// input, in_mult, in_shift, W, acc_offset, m_mult, m_shift, m_lshift, bias, mult, res_mult,
// shift, relu (bool), residual_in, out.
struct FusedPipeline {
    Variant variant;
    PipelineFn fn;
};
constexpr FusedPipeline kFusedPipelines[] = {
    {Variant::kF23, {winoq_conv_f23_argv, "winoq_conv_f23"}},
    {Variant::kF43, {winoq_conv_f43_argv, "winoq_conv_f43"}},
    {Variant::kCF43, {winoq_conv_cf43_argv, "winoq_conv_cf43"}},
    {Variant::kCF43M4, {winoq_conv_cf43m4_argv, "winoq_conv_cf43m4"}},
};

PipelineFn fused_pipeline(Variant v) {
    for (const FusedPipeline& e : kFusedPipelines)
        if (e.variant == v) return e.fn;
    throw std::invalid_argument("winoq: not a Winograd variant");
}

InputFn input_fn(Variant v) {
    switch (v) {
        case Variant::kF23: return winoq_input_f23;
        case Variant::kF43: return winoq_input_f43;
        case Variant::kCF43: return winoq_input_cf43;
        case Variant::kCF43M4: return winoq_input_cf43m4;
        case Variant::kDirect: break;
    }
    throw std::invalid_argument("winoq: not a Winograd variant");
}

OutputFn output_fn(Variant v) {
    switch (v) {
        case Variant::kF23: return winoq_output_f23;
        case Variant::kF43: return winoq_output_f43;
        case Variant::kCF43: return winoq_output_cf43;
        case Variant::kCF43M4: return winoq_output_cf43m4;
        case Variant::kDirect: break;
    }
    throw std::invalid_argument("winoq: not a Winograd variant");
}

}  // namespace

WinogradEngine::WinogradEngine(const WinogradConvParams& p) : p_(p), fused_(fused_pipeline(p.variant)) {
    apply_target_request();  // before any pipeline runs: the dispatch caches its choice
    validate(p);
    const PlaneLayout& L = plane_layout(p.variant);
    const ConvShape& s = p.shape;
    const int C = s.C, K = s.K;
    KL_ = kernels::kernel_layout(p.variant);
    P_ = static_cast<int>(L.act.size());
    O_ = static_cast<int>(L.out.size());
    const Sizes z(p.shape);
    c4_ = z.c4;
    c16_ = z.c16;
    k16_ = z.k16;
    kp_ = z.kp;
    tw_ = p.tiles_w();
    th_ = p.tiles_h();
    T_ = p.tiles();
    stage_ = OutputStageBuffers(p.out, K);
    in_mult_ = p.in_mult;
    in_shift_ = p.in_shift;
    // The fused pipeline reads c16_ channels: a C that is not a multiple gets a zeroed copy.
    if (c16_ != C) padded_input_.assign(size_t(s.N) * s.H * s.W * c16_, 0);
    pack_weights();
    pack_m_requantization();
    bind_gemm_sections();
}

// W in the GEMMs' layout (4, kp, c16/4, q'), zero-padded, and the +kActOffset compensation of
// each (q', k) weight row.
void WinogradEngine::pack_weights() {
    const int C = p_.shape.C, K = p_.shape.K, Q = static_cast<int>(KL_.prod_of.size());
    const int CB = c16_ / 4;
    W_.assign(size_t(Q) * CB * kp_ * 4, 0);
    acc_offset_.assign(size_t(Q) * kp_, 0);
    for (int qi = 0; qi < Q; ++qi) {
        const int8_t* wq = p_.weights.data() + size_t(KL_.prod_of[qi]) * K * C;
        for (int k = 0; k < K; ++k) {
            int32_t sum = 0;
            for (int c = 0; c < C; ++c) {
                const int8_t w = wq[size_t(k) * C + c];
                W_[((size_t(qi) * CB + c / 4) * kp_ + k) * 4 + c % 4] = w;
                sum += w;
            }
            acc_offset_[size_t(qi) * kp_ + k] = -kActOffset * sum;
        }
    }
}

// M's requantization in the internal plane order o', kp_ channels.
void WinogradEngine::pack_m_requantization() {
    const PlaneLayout& L = plane_layout(p_.variant);
    const int K = p_.shape.K;
    m_mult_.assign(size_t(O_) * 2 * kp_, 0);
    m_shift_.assign(size_t(O_) * kp_, 1);  // padded channels: mult 0, any valid shift
    m_lshift_.assign(O_, 0);
    for (int oi = 0; oi < O_; ++oi) {
        const int o = KL_.out_of[oi];
        m_lshift_[oi] = p_.m_left_shift(o);
        for (int k = 0; k < K; ++k) {
            for (int i = 0; i < L.out[o].nterms; ++i)
                m_mult_[(size_t(oi) * 2 + i) * kp_ + k] = p_.m_mult[(size_t(o) * K + k) * 2 + i];
            m_shift_[size_t(oi) * kp_ + k] = p_.m_shift[size_t(o) * K + k];
        }
    }
}

// The stage GEMM pipelines of the real and complex sections (run_stages only).
void WinogradEngine::bind_gemm_sections() {
    real_.sec = &KL_.real;
    real_.fn = winoq_gemm_real;
    real_.name = "winoq_gemm_real";
    real_.act_map = KL_.real.act;
    complex_.sec = &KL_.complex;
    complex_.act_map = KL_.complex.act;
    if (p_.variant == Variant::kCF43) {
        complex_.fn = winoq_gemm_cf43;
        complex_.name = "winoq_gemm_cf43";
    } else if (p_.variant == Variant::kCF43M4) {
        complex_.fn = winoq_gemm_cf43m4;
        complex_.name = "winoq_gemm_cf43m4";
    } else if (KL_.complex.groups > 0) {
        throw std::logic_error("winoq: no GEMM pipeline for the complex taps of this variant");
    }
}

void WinogradEngine::run(const int8_t* in, const int8_t* residual, int8_t* out) {
    check_residual_arg(residual, p_.out.residual);
    const ConvShape& s = p_.shape;
    const int CB = c16_ / 4, k = kp_, Q = int(KL_.prod_of.size());
    const int8_t* in16 = in;
    if (c16_ != s.C) {  // the channels into the zero-padded copy (its padding stays zero)
        const size_t pixels = size_t(s.N) * s.H * s.W;
        for (size_t i = 0; i < pixels; ++i) std::copy(in + i * s.C, in + (i + 1) * s.C, &padded_input_[i * c16_]);
        in16 = padded_input_.data();
    }
    View<int8_t> input = nhwc_view(in16, s.N, s.H, s.W, c16_);
    View<int32_t> mult(in_mult_.data(), {{P_, 1}}), shift(in_shift_.data(), {{P_, 1}});
    View<int8_t> W(W_.data(), {{4, 1}, {k, 4}, {CB, 4 * k}, {Q, CB * k * 4}});
    View<int32_t> acc_offset(acc_offset_.data(), {{k, 1}, {Q, k}});
    View<int32_t> m_mult(m_mult_.data(), {{k, 1}, {2, k}, {O_, 2 * k}});
    View<int32_t> m_shift(m_shift_.data(), {{k, 1}, {O_, k}});
    View<int32_t> lshift(m_lshift_.data(), {{O_, 1}});
    View<int8_t> o = nhwc_view(out, s.N, s.H, s.W, s.K);
    // Without a residual res_mult is 0 and the pipeline adds exactly 0: any valid buffer will do.
    View<int8_t> res = nhwc_view(residual ? residual : out, s.N, s.H, s.W, s.K);
    bool relu = p_.out.relu;
    void* args[] = {input.get(),
                    mult.get(),
                    shift.get(),
                    W.get(),
                    acc_offset.get(),
                    m_mult.get(),
                    m_shift.get(),
                    lshift.get(),
                    stage_.bias.raw_buffer(),
                    stage_.mult.raw_buffer(),
                    stage_.res_mult.raw_buffer(),
                    stage_.shift.raw_buffer(),
                    &relu,
                    res.get(),
                    o.get()};
    check_halide(fused_.argv(args), fused_.name);
}

void WinogradEngine::run_stages(const int8_t* in, const int8_t* residual, int8_t* out) {
    check_residual_arg(residual, p_.out.residual);
    input_transform(in);
    gemm();
    output_transform(residual, out);
}

void WinogradEngine::allocate_stage_scratch() {
    if (X_.empty()) X_.assign(size_t(P_) * T_ * c4_, 0);
    if (M_.empty()) M_.assign(size_t(O_) * T_ * k16_, 0);
}

void WinogradEngine::input_transform(const int8_t* in) {
    allocate_stage_scratch();
    const ConvShape& s = p_.shape;
    View<int8_t> input = nhwc_view(in, s.N, s.H, s.W, s.C);
    View<int32_t> mult(in_mult_.data(), {{P_, 1}}), shift(in_shift_.data(), {{P_, 1}});
    View<ActStorage> X(X_.data(), {{c4_, 1}, {tw_, c4_}, {th_, tw_ * c4_}, {s.N, th_ * tw_ * c4_}, {P_, T_ * c4_}});
    check_halide(input_fn(p_.variant)(input.get(), mult.get(), shift.get(), X.get()), "winoq_input");
}

void WinogradEngine::gemm() {
    gemm_section(real_);
    if (KL_.complex.groups > 0) gemm_section(complex_);
}

void WinogradEngine::gemm_section(Section& sec) {
    const kernels::GemmSection& g = *sec.sec;
    if (g.groups == 0) return;
    allocate_stage_scratch();
    // Parameters are packed with kp_ output and c16_ input channels (the fused pipeline's
    // padding); the stage GEMM reads c4_ of them, and M holds k16_.
    const int CB = c4_ / 4, k = k16_, kp = kp_, wq = (c16_ / 4) * kp * 4;  // wq: one product plane of W
    View<ActStorage> X(X_.data(), {{c4_, 1}, {T_, c4_}, {P_, T_ * c4_}});
    View<int8_t> W(W_.data() + size_t(g.q0) * wq, {{4, 1}, {k, 4}, {CB, 4 * kp}, {g.np, wq}, {g.groups, g.np * wq}});
    View<int32_t> acc_offset(acc_offset_.data() + size_t(g.q0) * kp, {{k, 1}, {g.np, kp}, {g.groups, g.np * kp}});
    View<int32_t> act_map(sec.act_map.data(), {{g.np, 1}, {g.groups, g.np}});
    View<int32_t> m_mult(m_mult_.data() + size_t(g.o0) * 2 * kp,
                         {{k, 1}, {2, kp}, {g.no, 2 * kp}, {g.groups, g.no * 2 * kp}});
    View<int32_t> m_shift(m_shift_.data() + size_t(g.o0) * kp, {{k, 1}, {g.no, kp}, {g.groups, g.no * kp}});
    View<int8_t> M(M_.data() + size_t(g.o0) * T_ * k, {{k, 1}, {T_, k}, {g.no, T_ * k}, {g.groups, g.no * T_ * k}});
    check_halide(sec.fn(X.get(), W.get(), acc_offset.get(), act_map.get(), m_mult.get(), m_shift.get(), M.get()),
                 sec.name);
}

void WinogradEngine::output_transform(const int8_t* residual, int8_t* out) {
    allocate_stage_scratch();
    const ConvShape& s = p_.shape;
    const int k = k16_;
    View<int8_t> M(M_.data(), {{k, 1}, {tw_, k}, {th_, tw_ * k}, {s.N, th_ * tw_ * k}, {O_, T_ * k}});
    View<int32_t> lshift(m_lshift_.data(), {{O_, 1}});
    View<int8_t> o = nhwc_view(out, s.N, s.H, s.W, s.K);
    // Without a residual res_mult is 0 and the pipeline adds exactly 0: any valid buffer will do.
    View<int8_t> res = nhwc_view(residual ? residual : out, s.N, s.H, s.W, s.K);
    check_halide(
        output_fn(p_.variant)(M.get(), lshift.get(), stage_.bias.raw_buffer(), stage_.mult.raw_buffer(),
                              stage_.res_mult.raw_buffer(), stage_.shift.raw_buffer(), p_.out.relu, res.get(), o.get()),
        "winoq_output");
}

WinogradEngine::Sizes::Sizes(const ConvShape& s)
    : c4(round_up(s.C, kernels::kChannelAlign)),
      c16(round_up(s.C, kernels::kFusedChannelAlign)),
      k16(round_up(s.K, kernels::kOutChannelAlign)),
      kp(round_up(s.K, kernels::kWinogradKPadding)) {}

// The fused path's buffers (the stage scratch X, M is for the stage tests only).
uint64_t winograd_engine_bytes(Variant v, const ConvShape& s) {
    const WinogradEngine::Sizes z(s);
    const PlaneLayout& L = plane_layout(v);
    const uint64_t Q = L.prod.size(), O = L.out.size(), kp = uint64_t(z.kp);
    uint64_t bytes = Q * z.c16 * kp + Q * kp * sizeof(int32_t);    // W, acc_offset
    bytes += (O * 2 * kp + O * kp + O) * sizeof(int32_t);          // m_mult, m_shift, m_lshift
    bytes += 2 * uint64_t(L.act.size()) * sizeof(int32_t);         // in_mult, in_shift
    if (z.c16 != s.C) bytes += uint64_t(s.N) * s.H * s.W * z.c16;  // padded input
    // The engine's copy of its params (p_, which the stage functions read).
    const uint64_t K = uint64_t(s.K);
    // Its weights, M requantization, input multipliers and OutputStage vectors (4 x K int32).
    bytes += Q * K * s.C + (3 * O * K + O + 2 * uint64_t(L.act.size())) * sizeof(int32_t) + output_stage_bytes(s.K);
    return bytes + output_stage_bytes(s.K);  // the OutputStageBuffers the pipelines read
}

std::unique_ptr<ConvEngine> make_winograd_engine(const WinogradConvParams& p) {
    return std::make_unique<WinogradEngine>(p);
}

}  // namespace winoq::kernels::detail
