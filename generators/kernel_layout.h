// How the Halide Winograd kernels lay out the Winograd domain in memory. Shared by the
// generators, the runtime packer (runtime/kernels/conv_kernels_winograd.cpp) and the tests, so
// every side agrees; derived from winoq::plane_layout, never re-typed.
//
// The GEMM runs in "sections" of identical groups, one AOT pipeline per section kind:
//   real:    one group per real tap: 1 product plane -> 1 output plane
//   complex: one group per complex representative tap (cf43: 3 product planes -> re, im;
//            cf43m4: 4 product planes -> re, im)
// Internal order of product planes q' and output planes o': all real groups first, then the
// complex groups, each group's planes contiguous (q' = R + g*np + j, o' = R + g*2 + part).
// X (GEMM input) keeps the PlaneLayout::act order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "winoq/numerics/transforms.h"

namespace winoq::kernels {

// How the int8 dot products see the activations (the Winograd X planes and the direct conv's
// activation copy), per target architecture (docs/numerics.md). The one place this is defined:
//   x86: vpdpbusd multiplies u8 x s8, so activations are stored as u8 = value + 128 and the
//        kernels add acc_offset = -128 * sum W back (exact);
//   ARM: sdot multiplies s8 x s8, so activations stay s8 (offset 0).
// Either way the results are identical; generators ask with their Halide target's arch, the
// runtime packer with the architecture it is compiled for (kActOffset / ActStorage below).
inline constexpr int act_offset(bool arm_target) { return arm_target ? 0 : 128; }
inline constexpr bool act_is_unsigned(bool arm_target) { return act_offset(arm_target) != 0; }

// The runtime side: the architecture this translation unit is compiled for. Generators run on
// the build host, so they must not use these (WINOQ_GENERATOR hides them): the target decides.
#ifndef WINOQ_GENERATOR
#if defined(__aarch64__) || defined(__arm__)
inline constexpr bool kCompiledForArm = true;
#else
inline constexpr bool kCompiledForArm = false;
#endif
inline constexpr int kActOffset = act_offset(kCompiledForArm);
using ActStorage = std::conditional_t<act_is_unsigned(kCompiledForArm), uint8_t, int8_t>;
#endif
inline constexpr int kChannelAlign = 4;      // X channels: c4 = round_up(C, 4) (4-byte dot products)
inline constexpr int kOutChannelAlign = 16;  // W / M output channels: k16 = round_up(K, 16)
// The fused Winograd pipeline computes M in whole register tiles and cache blocks of output
// channels (up to 64 on any target), so its W and M parameters are padded to this many channels
// (zero weights): memory only, the output stage never writes the padding.
inline constexpr int kWinogradKPadding = 64;
// The fused pipeline's input transform loads 16 input channels per vector with no per-lane
// bounds check (a guarded lane is a byte gather), so its input and W have round_up(C, 16)
// channels: the runtime zero-pads an input whose C is not a multiple (ResNet layers are).
inline constexpr int kFusedChannelAlign = 16;

inline int round_up(int x, int a) { return (x + a - 1) / a * a; }

struct GemmSection {
    int groups = 0;  // number of groups
    int np = 0;      // product planes per group
    int no = 0;      // output planes per group
    int q0 = 0;      // first internal product plane
    int o0 = 0;      // first internal output plane
    // Output part p (0..no-1) = requantize(sum_{j < nterms[p]} acc[term[p][j]] * mult_j): terms
    // are group-local product indices.
    int nterms[2] = {0, 0};
    int term[2][2] = {{0, 0}, {0, 0}};
    std::vector<int> act;  // [g * np + j]: the X plane (PlaneLayout::act index) product j of group g reads
    // The fused pipeline's X order (KernelLayout::x_of): group g's planes are x0 + g * nx + [0, nx),
    // and product j reads local plane x_local[j] of its group (the same for every group).
    int x0 = 0, nx = 0;
    std::vector<int> x_local;  // [j]
};

struct KernelLayout {
    GemmSection real, complex;      // complex.groups == 0 for real-only variants
    std::vector<int> prod_of;       // internal q' -> PlaneLayout::prod index
    std::vector<int> out_of;        // internal o' -> PlaneLayout::out index
    std::vector<int> out_internal;  // PlaneLayout::out index -> internal o'
    // Internal X plane x' -> PlaneLayout::act index, for the fused pipeline: each real group's
    // plane, then each complex group's distinct planes in the order its products first read
    // them, so that a group's X planes are contiguous (planes nobody reads are left out).
    std::vector<int> x_of;
};

namespace layout_detail {

// Per complex representative tap: its product planes and its two output planes.
struct ComplexTaps {
    std::vector<std::vector<int>> prods, outs;
};

// The real section (one product and one output plane per real tap), and the complex taps.
inline ComplexTaps add_real_taps(const PlaneLayout& L, KernelLayout& K) {
    ComplexTaps c;
    for (size_t t = 0; t < L.taps.size(); ++t) {
        const TapInfo& ti = L.taps[t];
        if (ti.conj) continue;
        std::vector<int> prods, outs;
        for (size_t q = 0; q < L.prod.size(); ++q)
            if (L.prod[q].tap == int(t)) prods.push_back(int(q));
        for (size_t o = 0; o < L.out.size(); ++o)
            if (L.out[o].tap == int(t)) outs.push_back(int(o));
        if (ti.real) {
            if (prods.size() != 1 || outs.size() != 1 || L.out[outs[0]].nterms != 1 ||
                L.out[outs[0]].term[0] != prods[0])
                throw std::logic_error("winoq: unexpected real tap structure");
            K.prod_of.push_back(prods[0]);
            K.out_of.push_back(outs[0]);
            K.real.act.push_back(L.prod[prods[0]].act);
        } else {
            c.prods.push_back(prods);
            c.outs.push_back(outs);
        }
    }
    K.real.groups = int(K.real.act.size());
    K.real.np = K.real.no = 1;
    K.real.nterms[0] = 1;
    return c;
}

// Output part `part` of complex group g as group-local product indices; every group must have
// the same structure (one GEMM schedule serves them all).
inline void set_complex_terms(const PlaneLayout& L, const std::vector<int>& prods, int out, int part, size_t g,
                              GemmSection& S) {
    const OutPlane& op = L.out[out];
    int nterms = op.nterms, term[2] = {0, 0};
    for (int j = 0; j < nterms; ++j) {
        term[j] = -1;
        for (size_t i = 0; i < prods.size(); ++i)
            if (prods[i] == op.term[j]) term[j] = int(i);
        if (term[j] < 0) throw std::logic_error("winoq: output plane uses another tap's product");
    }
    if (g > 0 && (nterms != S.nterms[part] || term[0] != S.term[part][0] || term[1] != S.term[part][1]))
        throw std::logic_error("winoq: complex taps with different term structures");
    S.nterms[part] = nterms;
    S.term[part][0] = term[0];
    S.term[part][1] = term[1];
}

inline void add_complex_groups(const PlaneLayout& L, const ComplexTaps& c, KernelLayout& K) {
    K.complex.q0 = K.complex.o0 = K.real.groups;
    K.complex.groups = int(c.prods.size());
    K.complex.no = 2;
    for (size_t g = 0; g < c.prods.size(); ++g) {
        const std::vector<int>& prods = c.prods[g];
        const std::vector<int>& outs = c.outs[g];
        if (outs.size() != 2 || (g > 0 && int(prods.size()) != K.complex.np))
            throw std::logic_error("winoq: complex taps with different structures");
        K.complex.np = int(prods.size());
        for (int part = 0; part < 2; ++part) set_complex_terms(L, prods, outs[part], part, g, K.complex);
        for (int q : prods) {
            K.prod_of.push_back(q);
            K.complex.act.push_back(L.prod[q].act);
        }
        for (int o : outs) K.out_of.push_back(o);
    }
}

// X order of the fused pipeline: real groups read one plane each (nx = 1, x_local = {0}), then
// each complex group's distinct planes in first-read order.
inline void order_x_planes(KernelLayout& K) {
    K.real.x0 = 0;
    K.real.nx = 1;
    K.real.x_local = {0};
    K.x_of = K.real.act;
    K.complex.x0 = int(K.x_of.size());
    for (int g = 0; g < K.complex.groups; ++g) {
        std::vector<int> planes, local;
        for (int j = 0; j < K.complex.np; ++j) {
            const int a = K.complex.act[size_t(g) * K.complex.np + j];
            size_t i = 0;
            while (i < planes.size() && planes[i] != a) ++i;
            if (i == planes.size()) planes.push_back(a);
            local.push_back(int(i));
        }
        if (g > 0 && (local != K.complex.x_local || int(planes.size()) != K.complex.nx))
            throw std::logic_error("winoq: complex taps read their X planes in different patterns");
        K.complex.x_local = local;
        K.complex.nx = int(planes.size());
        K.x_of.insert(K.x_of.end(), planes.begin(), planes.end());
    }
}

}  // namespace layout_detail

inline KernelLayout kernel_layout(Variant v) {
    const PlaneLayout& L = plane_layout(v);
    KernelLayout K;
    layout_detail::add_complex_groups(L, layout_detail::add_real_taps(L, K), K);
    layout_detail::order_x_planes(K);
    K.out_internal.assign(L.out.size(), -1);
    for (size_t i = 0; i < K.out_of.size(); ++i) K.out_internal[K.out_of[i]] = int(i);
    if (K.prod_of.size() != L.prod.size() || K.out_of.size() != L.out.size())
        throw std::logic_error("winoq: kernel layout does not cover every plane");
    return K;
}

}  // namespace winoq::kernels
