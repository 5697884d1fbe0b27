#include "winoq/numerics/transforms.h"

#include <string>

namespace winoq {
namespace {

std::vector<GaussInt> real_matrix(std::initializer_list<int64_t> v) {
    std::vector<GaussInt> out;
    for (int64_t x : v) out.push_back({x, 0});
    return out;
}

WinogradMatrices make_f23() {
    WinogradMatrices w;
    w.m = 2;
    w.n = 4;
    w.BT = real_matrix({1, 0, -1, 0,  //
                        0, 1, 1, 0,   //
                        0, -1, 1, 0,  //
                        0, 1, 0, -1});
    w.g_den = 2;                  // G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
    w.G = real_matrix({2, 0, 0,   //
                       1, 1, 1,   //
                       1, -1, 1,  //
                       0, 0, 2});
    w.AT = real_matrix({1, 1, 1, 0,  //
                        0, 1, -1, -1});
    return w;
}

WinogradMatrices make_f43() {
    WinogradMatrices w;
    w.m = 4;
    w.n = 6;
    w.BT = real_matrix({4, 0,  -5, 0,  1, 0,  //
                        0, -4, -4, 1,  1, 0,  //
                        0, 4,  -4, -1, 1, 0,  //
                        0, -2, -1, 2,  1, 0,  //
                        0, 2,  -1, -2, 1, 0,  //
                        0, 4,  0,  -5, 0, 1});
    // G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
    w.g_den = 24;
    w.G = real_matrix({6, 0, 0,     //
                       -4, -4, -4,  //
                       -4, 4, -4,   //
                       1, 2, 4,     //
                       1, -2, 4,    //
                       0, 0, 24});
    w.AT = real_matrix({1, 1, 1,  1, 1,  0,  //
                        0, 1, -1, 2, -2, 0,  //
                        0, 1, 1,  4, 4,  0,  //
                        0, 1, -1, 8, -8, 1});
    return w;
}

WinogradMatrices make_cf43() {
    // docs/method.md section 2: points 0, 1, -1, i, -i, inf.
    const GaussInt O{0, 0}, P{1, 0}, N{-1, 0}, I{0, 1}, J{0, -1};
    WinogradMatrices w;
    w.m = 4;
    w.n = 6;
    w.BT = {P, O, O, O, N, O,  //
            O, P, P, P, P, O,  //
            O, N, P, N, P, O,  //
            O, J, N, I, P, O,  //
            O, I, N, J, P, O,  //
            O, N, O, O, O, P};
    w.g_den = 4;  // G = [1 0 0; 1/4 1/4 1/4; 1/4 -1/4 1/4; 1/4 i/4 -1/4; 1/4 -i/4 -1/4; 0 0 1]
    const GaussInt F{4, 0};
    w.G = {F, O, O,  //
           P, P, P,  //
           P, N, P,  //
           P, I, N,  //
           P, J, N,  //
           O, O, F};
    w.AT = {P, P, P, P, P, O,  //
            O, P, N, I, J, O,  //
            O, P, P, N, N, O,  //
            O, P, N, J, I, P};
    return w;
}

// Row i2 is the conjugate of row i of B^T (i2 == i for a real row).
int conjugate_row(const WinogradMatrices& w, int i) {
    for (int i2 = 0; i2 < w.n; ++i2) {
        bool same = true;
        for (int u = 0; u < w.n && same; ++u) same = w.bt(i2, u) == w.bt(i, u).conj();
        if (same) return i2;
    }
    throw std::logic_error("winoq: B^T row without conjugate partner");
}

PlaneLayout make_layout(Variant v) {
    const WinogradMatrices& w = winograd_matrices(v);
    PlaneLayout L;
    L.variant = v;
    L.n = w.n;
    L.m = w.m;
    const int nn = w.n * w.n;
    L.taps.resize(nn);
    for (int i = 0; i < w.n; ++i)
        for (int j = 0; j < w.n; ++j) {
            const int t = i * w.n + j;
            const int t2 = conjugate_row(w, i) * w.n + conjugate_row(w, j);
            L.taps[t].real = (t2 == t);
            L.taps[t].rep = std::min(t, t2);
            L.taps[t].conj = (t2 < t);
        }
    L.out_re.assign(nn, -1);
    L.out_im.assign(nn, -1);
    L.act_re.assign(nn, -1);
    L.act_im.assign(nn, -1);
    L.act_reim.assign(nn, -1);
    for (int t = 0; t < nn; ++t) {
        const TapInfo& ti = L.taps[t];
        if (ti.conj) continue;
        if (ti.real) {
            L.act_re[t] = static_cast<int>(L.act.size());
            L.act.push_back({t, ActPart::kReal});
            const int q = static_cast<int>(L.prod.size());
            L.prod.push_back({t, L.act_re[t], WeightPart::kReal});
            L.out_re[t] = static_cast<int>(L.out.size());
            L.out.push_back({t, ActPart::kReal, 1, {q, q}, {1, 0}});
            continue;
        }
        L.act_re[t] = static_cast<int>(L.act.size());
        L.act.push_back({t, ActPart::kRe});
        L.act_im[t] = static_cast<int>(L.act.size());
        L.act.push_back({t, ActPart::kIm});
        const int q = static_cast<int>(L.prod.size());
        if (v == Variant::kCF43) {
            // Gauss: with V = a + bi and U = c + di,
            // t1 = c(a+b), t2 = a(d-c), t3 = b(c+d); re = t1 - t3, im = t1 + t2.
            L.act_reim[t] = static_cast<int>(L.act.size());
            L.act.push_back({t, ActPart::kReIm});
            L.prod.push_back({t, L.act_reim[t], WeightPart::kRe});       // t1
            L.prod.push_back({t, L.act_re[t], WeightPart::kImMinusRe});  // t2
            L.prod.push_back({t, L.act_im[t], WeightPart::kRePlusIm});   // t3
            L.out_re[t] = static_cast<int>(L.out.size());
            L.out.push_back({t, ActPart::kRe, 2, {q, q + 2}, {1, -1}});
            L.out_im[t] = static_cast<int>(L.out.size());
            L.out.push_back({t, ActPart::kIm, 2, {q, q + 1}, {1, 1}});
        } else {
            // 4 multiplications: re = ca - db, im = cb + da.
            L.prod.push_back({t, L.act_re[t], WeightPart::kRe});  // ca
            L.prod.push_back({t, L.act_im[t], WeightPart::kIm});  // db
            L.prod.push_back({t, L.act_im[t], WeightPart::kRe});  // cb
            L.prod.push_back({t, L.act_re[t], WeightPart::kIm});  // da
            L.out_re[t] = static_cast<int>(L.out.size());
            L.out.push_back({t, ActPart::kRe, 2, {q, q + 1}, {1, -1}});
            L.out_im[t] = static_cast<int>(L.out.size());
            L.out.push_back({t, ActPart::kIm, 2, {q + 2, q + 3}, {1, 1}});
        }
    }
    return L;
}

}  // namespace

const WinogradMatrices& winograd_matrices(Variant v) {
    static const WinogradMatrices f23 = make_f23(), f43 = make_f43(), cf43 = make_cf43();
    switch (v) {
        case Variant::kF23: return f23;
        case Variant::kF43: return f43;
        case Variant::kCF43:
        case Variant::kCF43M4: return cf43;
        case Variant::kDirect: break;
    }
    throw std::invalid_argument(std::string("winoq: no Winograd matrices for variant ") + variant_name(v));
}

const PlaneLayout& plane_layout(Variant v) {
    static const PlaneLayout f23 = make_layout(Variant::kF23), f43 = make_layout(Variant::kF43),
                             cf43 = make_layout(Variant::kCF43), cf43m4 = make_layout(Variant::kCF43M4);
    switch (v) {
        case Variant::kF23: return f23;
        case Variant::kF43: return f43;
        case Variant::kCF43: return cf43;
        case Variant::kCF43M4: return cf43m4;
        case Variant::kDirect: break;
    }
    throw std::invalid_argument(std::string("winoq: no plane layout for variant ") + variant_name(v));
}

int mults_per_tile(Variant v) { return v == Variant::kDirect ? 9 : static_cast<int>(plane_layout(v).prod.size()); }

int tile_size(Variant v) { return v == Variant::kDirect ? 1 : winograd_matrices(v).m; }

}  // namespace winoq
