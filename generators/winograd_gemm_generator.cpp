// Winograd-domain GEMM of one section (kernel_layout.h) with fused requantization:
//   acc(k, t, j, g) = acc_offset(k, j, g) + sum_c W(k, c; j, g) * X(c, t, act_map(j, g))
//   M(k, t, p, g)   = sat(requantize(sum_{i < nterms} acc(k, t, term[p][i], g) * m_mult(k, i, p, g),
//                                    m_shift(k, p, g)))
// X's encoding depends on the target (kernel_layout.h): x86 u8 = value + 128 (u8 x s8 for
// vpdpbusd), acc_offset = -128 * sum_c W cancels it (computed at pack time); ARM s8 (s8 x s8
// for sdot), acc_offset = 0.
// Section "real": one product -> one output per group (any variant; act_map says which X plane).
// Section "complex": the complex taps of `variant` (cf43: 3 products -> re, im; cf43m4: 4).
#include <string>

#include "Halide.h"
#include "halide_ops.h"
#include "kernel_layout.h"
#include "winograd_gemm_schedule.h"

namespace {

using namespace Halide;
using winoq::halide::i64;

class WinogradGemm : public Generator<WinogradGemm> {
public:
    GeneratorParam<winoq::Variant> variant{"variant", winoq::Variant::kCF43, winoq::halide::winograd_variant_names()};
    GeneratorParam<std::string> section{"section", "real"};  // real | complex
    GeneratorParam<int> vector_width{"vector_width", 16};
    GeneratorParam<int> k_vectors{"k_vectors", 4};
    GeneratorParam<int> t_block{"t_block", 6};
    GeneratorParam<bool> parallel{"parallel", true};

    Input<Buffer<>> X{"X", 3};                           // (c4, t, pa), type set in configure()
    Input<Buffer<int8_t>> W{"W", 5};                     // (4, k16, c4/4, j, g): W(i, k, cb) = w[k][4cb+i]
    Input<Buffer<int32_t>> acc_offset{"acc_offset", 3};  // (k16, j, g)
    Input<Buffer<int32_t>> act_map{"act_map", 2};        // (j, g) -> X plane
    Input<Buffer<int32_t>> m_mult{"m_mult", 4};          // (k16, i, p, g), i < nterms
    Input<Buffer<int32_t>> m_shift{"m_shift", 3};        // (k16, p, g)
    Output<Buffer<int8_t>> M{"M", 4};                    // (k16, t, p, g)

    void configure() { X.set_type(winoq::halide::act_type(get_target())); }

    void generate() {
        const winoq::kernels::KernelLayout KL = winoq::kernels::kernel_layout(variant);
        if (section == "real") {
            sec = KL.real;
        } else if (section == "complex") {
            sec = KL.complex;
            if (sec.groups == 0) throw std::invalid_argument("winoq gemm: variant has no complex taps");
        } else {
            throw std::invalid_argument("winoq gemm: section must be real or complex");
        }
        if (sec.no == 2 && sec.nterms[0] != sec.nterms[1])
            throw std::invalid_argument("winoq gemm: parts with different term counts");
        const int nterms = sec.nterms[0];

        Var &k = f.k, &t = f.t, &j = f.j, &p = f.p, &g = f.g;
        f.r = RDom(0, 4, 0, W.dim(2).extent(), "r");
        const RDom& r = f.r;
        const Expr pa = clamp(act_map(j, g), 0, X.dim(2).extent() - 1);
        f.acc(k, t, j, g) = acc_offset(k, j, g);
        f.acc(k, t, j, g) += cast<int32_t>(W(r.x, k, r.y, j, g)) * cast<int32_t>(X(r.x + 4 * r.y, t, pa));

        Expr sum;
        for (int i = 0; i < nterms; ++i) {
            const Expr term = winoq::halide::table_lookup(p, {sec.term[0][i], sec.term[1][i]});
            const Expr prod = i64(f.acc(k, t, term, g)) * i64(m_mult(k, i, p, g));
            sum = i == 0 ? prod : sum + prod;
        }
        f.M = Func(M);
        M(k, t, p, g) = cast<int8_t>(winoq::halide::requantize_expr(sum, m_shift(k, p, g), -winoq::kQMax));
    }

    void schedule() {
        const int align = winoq::kernels::kOutChannelAlign;
        for (int d = 0; d < 4; ++d) M.dim(d).set_min(0);
        M.dim(0).set_extent((M.dim(0).extent() / align) * align);
        M.dim(2).set_extent(sec.no);
        W.dim(0).set_min(0).set_extent(4);
        W.dim(1).set_min(0).set_stride(4);
        W.dim(3).set_min(0).set_extent(sec.np);
        X.dim(0).set_min(0).set_extent(W.dim(2).extent() * 4);
        M.bound(f.p, 0, sec.no);
        winoq::schedules::GemmKnobs kn;
        kn.vector_width = vector_width;
        kn.k_vectors = k_vectors;
        kn.t_block = t_block;
        kn.parallel = parallel;
        winoq::schedules::schedule_winograd_gemm(f, kn, M.dim(0).extent(), M.dim(1).extent());
    }

private:
    winoq::kernels::GemmSection sec;
    winoq::schedules::GemmFuncs f;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(WinogradGemm, winoq_winograd_gemm)
