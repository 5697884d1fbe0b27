#include "winoq/analysis/float_conv.h"

#include <cmath>
#include <stdexcept>

#include "winoq/numerics/requantize.h"

namespace winoq {

std::vector<double> float_conv(const ConvShape& s, const double* x, const float* w, const float* bias) {
    const int Ho = s.out_h(), Wo = s.out_w(), kk = s.kernel;
    // Weights regrouped as [ky][kx][k][c] so the innermost loop runs over contiguous channels.
    std::vector<double> wt(size_t(kk) * kk * s.K * s.C);
    for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c)
            for (int ky = 0; ky < kk; ++ky)
                for (int kx = 0; kx < kk; ++kx)
                    wt[((size_t(ky) * kk + kx) * s.K + k) * s.C + c] = w[((size_t(k) * s.C + c) * kk + ky) * kk + kx];
    std::vector<double> y(s.out_size());
    for (int n = 0; n < s.N; ++n)
        for (int oy = 0; oy < Ho; ++oy)
            for (int ox = 0; ox < Wo; ++ox) {
                double* out = &y[((size_t(n) * Ho + oy) * Wo + ox) * s.K];
                for (int k = 0; k < s.K; ++k) out[k] = bias ? bias[k] : 0.0;
                for (int ky = 0; ky < kk; ++ky)
                    for (int kx = 0; kx < kk; ++kx) {
                        const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
                        if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                        const double* px = x + ((size_t(n) * s.H + iy) * s.W + ix) * s.C;
                        const double* wk = &wt[(size_t(ky) * kk + kx) * s.K * s.C];
                        for (int k = 0; k < s.K; ++k) {
                            double acc = 0;
                            for (int c = 0; c < s.C; ++c) acc += px[c] * wk[size_t(k) * s.C + c];
                            out[k] += acc;
                        }
                    }
            }
    return y;
}

std::vector<int8_t> quantize_activations(const std::vector<double>& x, double scale) {
    std::vector<int8_t> q(x.size());
    for (size_t i = 0; i < x.size(); ++i) q[i] = quantize_float(x[i], scale);
    return q;
}

std::vector<double> dequantize(const std::vector<int8_t>& q, double scale) {
    std::vector<double> x(q.size());
    for (size_t i = 0; i < q.size(); ++i) x[i] = q[i] * scale;
    return x;
}

double relative_rms_error(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) throw std::invalid_argument("winoq: relative_rms_error: size mismatch");
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    if (den == 0) throw std::invalid_argument("winoq: relative_rms_error: the reference is all zero");
    return std::sqrt(num / den);
}

}  // namespace winoq
