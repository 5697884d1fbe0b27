// The input and output transforms written once, generic over the element type T:
// int64_t (scalar reference), double (float simulation / calibration), Halide::Expr
// (generators, which get straight-line code from it), torch::Tensor (trainer, batched over
// tiles). Multiplications by 0 and +-1 are never emitted.
#pragma once

#include <utility>
#include <vector>

#include "winoq/numerics/transforms.h"

namespace winoq {

template <typename T>
struct Complex {
    T re, im;
};

// V = B^T d B for one tile d (n*n values, d[u*n + v], u the row), computed separably.
// Returns all n*n taps (conjugate members included).
template <typename T>
std::vector<Complex<T>> input_transform(const WinogradMatrices& w, const std::vector<T>& d, const T& zero) {
    const int n = w.n;
    std::vector<GaussSum<T>> tmp(n * n);  // tmp[i][v] = sum_u BT[i][u] d[u][v]
    for (int i = 0; i < n; ++i)
        for (int v = 0; v < n; ++v)
            for (int u = 0; u < n; ++u) tmp[i * n + v].add(w.bt(i, u), d[u * n + v], nullptr);
    std::vector<Complex<T>> out;
    out.reserve(n * n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            GaussSum<T> s;  // sum_v tmp[i][v] * BT[j][v]
            for (int v = 0; v < n; ++v) {
                const GaussSum<T>& t = tmp[i * n + v];
                if (t.re.empty() && t.im.empty()) continue;
                const T re = t.re.get_or(zero);
                if (t.im.empty()) {
                    s.add(w.bt(j, v), re, nullptr);
                } else {
                    const T im = t.im.get_or(zero);
                    s.add(w.bt(j, v), re, &im);
                }
            }
            out.push_back({s.re.get_or(zero), s.im.get_or(zero)});
        }
    return out;
}

// Y = Re(A^T M A) for one tile, M given per tap (n*n, conjugate members included);
// m_im entries of real taps are ignored when `tap_real` says so. Returns m*m values, Y[a*m+b].
template <typename T>
std::vector<T> output_transform(const WinogradMatrices& w, const std::vector<Complex<T>>& M,
                                const std::vector<bool>& tap_real, const T& zero) {
    const int n = w.n, m = w.m;
    std::vector<GaussSum<T>> tmp(m * n);  // tmp[a][j] = sum_i AT[a][i] M[i][j]
    for (int a = 0; a < m; ++a)
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i) {
                const int t = i * n + j;
                tmp[a * n + j].add(w.at(a, i), M[t].re, tap_real[t] ? nullptr : &M[t].im);
            }
    std::vector<T> y;
    y.reserve(m * m);
    for (int a = 0; a < m; ++a)
        for (int b = 0; b < m; ++b) {
            LinearSum<T> re;  // Re(sum_j tmp[a][j] * AT[b][j])
            for (int j = 0; j < n; ++j) {
                const GaussSum<T>& t = tmp[a * n + j];
                const GaussInt c = w.at(b, j);
                if (!t.re.empty()) re.add(c.re, t.re.get_or(zero));
                if (!t.im.empty()) re.add(-c.im, t.im.get_or(zero));
            }
            y.push_back(re.get_or(zero));
        }
    return y;
}

// The value each activation plane holds, from the exact transformed tile V (all taps).
// kReIm (the Gauss operand) is re + im of the exact values, quantized later with its own scale.
template <typename T>
std::vector<T> act_plane_values(const PlaneLayout& L, const std::vector<Complex<T>>& V) {
    std::vector<T> out;
    out.reserve(L.act.size());
    for (const ActPlane& p : L.act) {
        const Complex<T>& v = V[p.tap];
        switch (p.part) {
            case ActPart::kReal:
            case ActPart::kRe: out.push_back(v.re); break;
            case ActPart::kIm: out.push_back(v.im); break;
            case ActPart::kReIm: out.push_back(v.re + v.im); break;
        }
    }
    return out;
}

// The full n*n grid of M from the requantized output planes: conjugate members get the
// conjugate of their representative.
template <typename T>
std::vector<Complex<T>> tap_grid_from_out_planes(const PlaneLayout& L, const std::vector<T>& planes, const T& zero) {
    std::vector<Complex<T>> M(L.taps.size(), Complex<T>{zero, zero});
    for (size_t t = 0; t < L.taps.size(); ++t) {
        const TapInfo& ti = L.taps[t];
        const int rep = ti.rep;
        M[t].re = planes[L.out_re[rep]];
        if (!ti.real) M[t].im = ti.conj ? T(planes[L.out_im[rep]] * static_cast<int>(-1)) : planes[L.out_im[rep]];
    }
    return M;
}

inline std::vector<bool> tap_is_real(const PlaneLayout& L) {
    std::vector<bool> r;
    for (const TapInfo& t : L.taps) r.push_back(t.real);
    return r;
}

}  // namespace winoq
