// The float conv of the executor: a vectorisable rewrite of winoq::float_conv with the same
// per-output operation order (tests compare the two), and the reference form.
#include "ops/float_conv_op.h"

#include <stdexcept>
#include <string>

#include "HalideRuntime.h"
#include "winoq/analysis/float_conv.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/simd_clones.h"

namespace winoq::ops {
namespace {

// The float conv's final step (model.h): relu, then round half to even onto the int8 grid.
inline int8_t float_conv_output(double y, bool relu, double out_scale) {
    if (relu && y < 0) y = 0;
    return quantize_float(y, out_scale);
}

// One output pixel of the float conv: o[k] = bias[k], then for each tap (ky, kx) in order
// o[k] += (sum_c x[c] * w[c][k], c ascending from 0); blocks of 16 output channels stay in
// registers across the taps. The AVX2 clone only widens the vectors: ISO C++ mode
// (-std=c++17) keeps FP contraction off, so no FMA changes the rounding (simd_clones.h).
WINOQ_AVX2_CLONES void float_conv_pixel(const double* const* tap_x, const double* const* tap_w, int taps, int C, int K,
                                        const float* bias, double* o) {
    constexpr int B = 16;
    int kb = 0;
    for (; kb + B <= K; kb += B) {
        double ob[B], a[B];
        for (int j = 0; j < B; ++j) ob[j] = double(bias[kb + j]);
        for (int t = 0; t < taps; ++t) {
            const double* px = tap_x[t];
            const double* wk = tap_w[t] + kb;
            for (int j = 0; j < B; ++j) a[j] = 0.0;
            for (int c = 0; c < C; ++c)
                for (int j = 0; j < B; ++j) a[j] += px[c] * wk[size_t(c) * K + j];
            for (int j = 0; j < B; ++j) ob[j] += a[j];
        }
        for (int j = 0; j < B; ++j) o[kb + j] = ob[j];
    }
    for (; kb < K; ++kb) {
        double ok = double(bias[kb]);
        for (int t = 0; t < taps; ++t) {
            double a = 0.0;
            for (int c = 0; c < C; ++c) a += tap_x[t][c] * tap_w[t][size_t(c) * K + kb];
            ok += a;
        }
        o[kb] = ok;
    }
}

}  // namespace

FloatConvRunner::FloatConvRunner(const FloatConvParams& p, int batch) : p_(p), batch_(batch) {
    const ConvShape& s = p.shape;
    const int kk = s.kernel;
    wt_.resize(size_t(kk) * kk * s.C * s.K);  // [ky][kx][c][k]: the inner loop runs over k
    for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c)
            for (int ky = 0; ky < kk; ++ky)
                for (int kx = 0; kx < kk; ++kx)
                    wt_[((size_t(ky) * kk + kx) * s.C + c) * s.K + k] =
                        p.weights[((size_t(k) * s.C + c) * kk + ky) * kk + kx];
    x_.resize(size_t(batch) * s.H * s.W * s.C);
    const size_t rows = size_t(batch) * s.out_h();
    out_.resize(rows * s.K);
    tap_x_.resize(rows * kk * kk);
    tap_w_.resize(rows * kk * kk);
}

uint64_t FloatConvRunner::planned_bytes(const FloatConvParams& p, int batch) {
    const ConvShape& s = p.shape;
    const uint64_t taps = uint64_t(s.kernel) * s.kernel, rows = uint64_t(batch) * s.out_h();
    return (taps * s.C * s.K + uint64_t(batch) * s.H * s.W * s.C + rows * s.K) * sizeof(double) +
           2 * rows * taps * sizeof(const double*);
}

void FloatConvRunner::run(const int8_t* in, const int8_t* residual, double out_scale, int8_t* out) {
    for (size_t i = 0; i < x_.size(); ++i) x_[i] = double(in[i]) * p_.x_scale;
    in_res_ = residual;
    out_q_ = out;
    out_scale_ = out_scale;
    // One task per output row: each row has its own scratch, so the result does not depend on
    // the schedule.
    const int rows = batch_ * p_.shape.out_h();
    const int rc = halide_do_par_for(nullptr, &FloatConvRunner::row_task, 0, rows, reinterpret_cast<uint8_t*>(this));
    if (rc != 0) throw std::runtime_error("winoq: float conv task failed (" + std::to_string(rc) + ")");
}

int FloatConvRunner::row_task(void*, int row, uint8_t* closure) {
    reinterpret_cast<FloatConvRunner*>(closure)->run_row(row);
    return 0;
}

void FloatConvRunner::run_row(int row) {
    const ConvShape& s = p_.shape;
    const int Ho = s.out_h(), Wo = s.out_w(), kk = s.kernel, K = s.K, C = s.C;
    const int n = row / Ho, oy = row % Ho;
    double* o = &out_[size_t(row) * K];
    const double** tx = &tap_x_[size_t(row) * kk * kk];
    const double** tw = &tap_w_[size_t(row) * kk * kk];
    for (int ox = 0; ox < Wo; ++ox) {
        int taps = 0;  // the taps inside the image, in (ky, kx) order
        for (int ky = 0; ky < kk; ++ky)
            for (int kx = 0; kx < kk; ++kx) {
                const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
                if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                tx[taps] = &x_[((size_t(n) * s.H + iy) * s.W + ix) * C];
                tw[taps] = &wt_[(size_t(ky) * kk + kx) * C * K];
                ++taps;
            }
        float_conv_pixel(tx, tw, taps, C, K, p_.bias.data(), o);
        const size_t base = ((size_t(n) * Ho + oy) * Wo + ox) * K;
        for (int k = 0; k < K; ++k) {
            double y = o[k];
            if (in_res_) y += double(in_res_[base + k]) * p_.res_scale;
            out_q_[base + k] = float_conv_output(y, p_.relu, out_scale_);
        }
    }
}

void reference_float_conv(const FloatConvParams& p, int batch, const int8_t* in, const int8_t* residual,
                          double out_scale, int8_t* out) {
    ConvShape s = p.shape;
    s.N = batch;
    std::vector<double> x(s.in_size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = double(in[i]) * p.x_scale;
    const std::vector<double> y = float_conv(s, x.data(), p.weights.data(), p.bias.data());
    for (size_t i = 0; i < y.size(); ++i) {
        double v = y[i];
        if (residual) v += double(residual[i]) * p.res_scale;
        out[i] = float_conv_output(v, p.relu, out_scale);
    }
}

}  // namespace winoq::ops
