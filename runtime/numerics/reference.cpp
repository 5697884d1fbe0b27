#include "winoq/numerics/reference.h"

#include "winoq/numerics/input_tile.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace winoq::reference {

int8_t output_stage(const OutputStage& s, int k, int64_t acc, int residual) {
    return static_cast<int8_t>(requantize2(acc + s.bias[k], s.mult[k], s.residual ? residual : 0, s.res_mult[k],
                                           s.shift[k], s.relu ? 0 : -kQMax, kQMax));
}

void direct_conv(const DirectConvParams& p, const int8_t* in, const int8_t* residual, int8_t* out) {
    const ConvShape& s = p.shape;
    validate_shape(Variant::kDirect, s);
    const int Ho = s.out_h(), Wo = s.out_w(), kk = s.kernel;
    for (int n = 0; n < s.N; ++n)
        for (int oy = 0; oy < Ho; ++oy)
            for (int ox = 0; ox < Wo; ++ox)
                for (int k = 0; k < s.K; ++k) {
                    int64_t acc = 0;
                    for (int ky = 0; ky < kk; ++ky)
                        for (int kx = 0; kx < kk; ++kx) {
                            const int y = oy * s.stride - s.pad + ky, x = ox * s.stride - s.pad + kx;
                            if (y < 0 || y >= s.H || x < 0 || x >= s.W) continue;
                            const int8_t* px = in + ((size_t(n) * s.H + y) * s.W + x) * s.C;
                            const int8_t* wk = p.weights.data() + ((size_t(k) * kk + ky) * kk + kx) * s.C;
                            for (int c = 0; c < s.C; ++c) acc += int32_t(px[c]) * int32_t(wk[c]);
                        }
                    const size_t o = ((size_t(n) * Ho + oy) * Wo + ox) * s.K + k;
                    out[o] = output_stage(p.out, k, acc, residual ? residual[o] : 0);
                }
}

std::vector<int8_t> input_transform(const WinogradConvParams& p, const int8_t* in) {
    const ConvShape& s = p.shape;
    const WinogradMatrices& w = winograd_matrices(p.variant);
    const PlaneLayout& L = plane_layout(p.variant);
    const int n = w.n, m = w.m, T = p.tiles(), th = p.tiles_h(), tw = p.tiles_w();
    std::vector<int8_t> X(L.act.size() * size_t(T) * s.C);
    std::vector<int64_t> d(n * n);
    for (int b = 0; b < s.N; ++b)
        for (int ty = 0; ty < th; ++ty)
            for (int tx = 0; tx < tw; ++tx) {
                const int t = (b * th + ty) * tw + tx;
                for (int c = 0; c < s.C; ++c) {
                    gather_input_tile(in, s, b, ty, tx, c, m, n, d.data());
                    const std::vector<int64_t> vals = act_plane_values(L, winoq::input_transform<int64_t>(w, d, 0));
                    for (size_t a = 0; a < L.act.size(); ++a)
                        X[(a * T + t) * s.C + c] =
                            static_cast<int8_t>(requantize1(vals[a], p.in_mult[a], p.in_shift[a]));
                }
            }
    return X;
}

std::vector<int32_t> winograd_gemm_acc(const WinogradConvParams& p, const std::vector<int8_t>& X) {
    const ConvShape& s = p.shape;
    const PlaneLayout& L = plane_layout(p.variant);
    const int T = p.tiles(), C = s.C, K = s.K;
    std::vector<int32_t> acc(L.prod.size() * size_t(T) * K);
    for (size_t q = 0; q < L.prod.size(); ++q) {
        const int8_t* xa = X.data() + size_t(L.prod[q].act) * T * C;
        const int8_t* wq = p.weights.data() + q * size_t(K) * C;
        for (int t = 0; t < T; ++t)
            for (int k = 0; k < K; ++k) {
                int32_t sum = 0;
                for (int c = 0; c < C; ++c) sum += int32_t(wq[size_t(k) * C + c]) * int32_t(xa[size_t(t) * C + c]);
                acc[(q * T + t) * K + k] = sum;
            }
    }
    return acc;
}

std::vector<int8_t> winograd_gemm(const WinogradConvParams& p, const std::vector<int8_t>& X) {
    const PlaneLayout& L = plane_layout(p.variant);
    const int T = p.tiles(), K = p.shape.K;
    const std::vector<int32_t> acc = winograd_gemm_acc(p, X);
    std::vector<int8_t> M(L.out.size() * size_t(T) * K);
    for (size_t o = 0; o < L.out.size(); ++o) {
        const OutPlane& op = L.out[o];
        for (int t = 0; t < T; ++t)
            for (int k = 0; k < K; ++k) {
                const int32_t* mm = &p.m_mult[(o * K + k) * 2];
                const int64_t a0 = acc[(size_t(op.term[0]) * T + t) * K + k];
                const int64_t a1 = op.nterms > 1 ? acc[(size_t(op.term[1]) * T + t) * K + k] : 0;
                M[(o * T + t) * K + k] = static_cast<int8_t>(requantize2(a0, mm[0], a1, mm[1], p.m_shift[o * K + k]));
            }
    }
    return M;
}

void output_transform(const WinogradConvParams& p, const std::vector<int8_t>& M, const int8_t* residual, int8_t* out) {
    const ConvShape& s = p.shape;
    const WinogradMatrices& w = winograd_matrices(p.variant);
    const PlaneLayout& L = plane_layout(p.variant);
    const std::vector<bool> real = tap_is_real(L);
    const int m = w.m, T = p.tiles(), th = p.tiles_h(), tw = p.tiles_w(), K = s.K;
    std::vector<int64_t> planes(L.out.size());
    for (int b = 0; b < s.N; ++b)
        for (int ty = 0; ty < th; ++ty)
            for (int tx = 0; tx < tw; ++tx) {
                const int t = (b * th + ty) * tw + tx;
                for (int k = 0; k < K; ++k) {
                    for (size_t o = 0; o < L.out.size(); ++o)
                        planes[o] = int64_t(M[(o * T + t) * K + k]) * (int64_t(1) << p.m_left_shift(int(o)));
                    const std::vector<int64_t> Y =
                        winoq::output_transform<int64_t>(w, tap_grid_from_out_planes<int64_t>(L, planes, 0), real, 0);
                    for (int a = 0; a < m; ++a)
                        for (int c = 0; c < m; ++c) {
                            const int y = ty * m + a, x = tx * m + c;
                            if (y >= s.H || x >= s.W) continue;
                            const size_t o = ((size_t(b) * s.H + y) * s.W + x) * K + k;
                            out[o] = output_stage(p.out, k, Y[a * m + c], residual ? residual[o] : 0);
                        }
                }
            }
}

void winograd_conv(const WinogradConvParams& p, const int8_t* in, const int8_t* residual, int8_t* out) {
    validate_shape(p.variant, p.shape);
    output_transform(p, winograd_gemm(p, input_transform(p, in)), residual, out);
}

}  // namespace winoq::reference
