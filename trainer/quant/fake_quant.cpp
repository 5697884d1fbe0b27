#include "trainer/quant/fake_quant.h"

#include "winoq/numerics/simd_clones.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

namespace winoq::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// x viewed as [outer, P, inner] with one alpha per p, when alpha is [P, 1, ..., 1] (or one
// value) against a contiguous x: the fused CPU kernels below handle that case in one pass.
struct PlaneView {
    int64_t outer = 1, planes = 1, inner = 1;
};

bool plane_view(const torch::Tensor& x, const torch::Tensor& alpha, PlaneView* v) {
    if (!x.device().is_cpu() || !x.is_contiguous() || x.scalar_type() != alpha.scalar_type()) return false;
    if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kDouble) return false;
    if (alpha.numel() == 1) {
        *v = {1, 1, x.numel()};
        return true;
    }
    if (alpha.dim() != x.dim() || alpha.size(0) != x.size(0)) return false;
    for (int64_t d = 1; d < alpha.dim(); ++d)
        if (alpha.size(d) != 1) return false;
    *v = {1, x.size(0), x.numel() / std::max<int64_t>(x.size(0), 1)};
    return true;
}

constexpr int64_t kChunk = 1 << 15;

// Round half to even (as std::nearbyint and torch::round) for |u| <= 2^22 (float) / 2^51
// (double), by the add-and-subtract trick, so that the loops vectorize (std::nearbyint is a
// libm call on baseline x86-64). Exact without -ffast-math, which this code must not use.
template <typename T>
WINOQ_ALWAYS_INLINE T round_even(T u) {
    constexpr T magic = sizeof(T) == 4 ? T(12582912.0) : T(6755399441055744.0);  // 1.5 * 2^23, 1.5 * 2^52
    return (u + magic) - magic;
}

// One contiguous run of values sharing alpha: y = s * round(clamp(x / s)).
template <typename T>
WINOQ_ALWAYS_INLINE void forward_run(const T* x, T* y, int64_t n, T inv, T s) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
        T u = x[i] * inv;  // clamp written as selects, so that it vectorizes (minps / maxps)
        u = u < T(-kQ) ? T(-kQ) : u;
        u = u > T(kQ) ? T(kQ) : u;
        y[i] = round_even(u) * s;
    }
}

// gx of one run, and the run's contribution to the alpha gradient (times Q).
template <typename T>
WINOQ_ALWAYS_INLINE T backward_run(const T* x, const T* gy, T* gx, int64_t n, T inv) {
    T acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = 0; i < n; ++i) {
        const T u = x[i] * inv;
        const bool inside = std::abs(u) < T(kQ);
        const T clipped = u > 0 ? T(kQ) : T(-kQ);
        const T uc = inside ? u : T(0);
        gx[i] = inside ? gy[i] : T(0);
        acc += gy[i] * (inside ? round_even(uc) - uc : clipped);
    }
    return acc;
}

WINOQ_SIMD_CLONES void forward_run_f(const float* x, float* y, int64_t n, float inv, float s) {
    forward_run(x, y, n, inv, s);
}
WINOQ_SIMD_CLONES void forward_run_d(const double* x, double* y, int64_t n, double inv, double s) {
    forward_run(x, y, n, inv, s);
}
WINOQ_SIMD_CLONES float backward_run_f(const float* x, const float* gy, float* gx, int64_t n, float inv) {
    return backward_run(x, gy, gx, n, inv);
}
WINOQ_SIMD_CLONES double backward_run_d(const double* x, const double* gy, double* gx, int64_t n, double inv) {
    return backward_run(x, gy, gx, n, inv);
}
inline void forward_run_any(const float* x, float* y, int64_t n, float inv, float s) { forward_run_f(x, y, n, inv, s); }
inline void forward_run_any(const double* x, double* y, int64_t n, double inv, double s) {
    forward_run_d(x, y, n, inv, s);
}
inline float backward_run_any(const float* x, const float* gy, float* gx, int64_t n, float inv) {
    return backward_run_f(x, gy, gx, n, inv);
}
inline double backward_run_any(const double* x, const double* gy, double* gx, int64_t n, double inv) {
    return backward_run_d(x, gy, gx, n, inv);
}

template <typename T>
void forward_kernel(const T* x, const T* alpha, T* y, const PlaneView& v) {
    const int64_t chunks = (v.inner + kChunk - 1) / kChunk;
    at::parallel_for(0, v.outer * v.planes * chunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t w = b; w < e; ++w) {
            const int64_t op = w / chunks, c = w % chunks, p = op % v.planes;
            const T a = std::abs(alpha[p]);
            const int64_t begin = op * v.inner + c * kChunk, end = op * v.inner + std::min(v.inner, (c + 1) * kChunk);
            forward_run_any(x + begin, y + begin, end - begin, T(kQ) / a, a / T(kQ));
        }
    });
}

// gx and the alpha gradient of every plane (partial sums per chunk of 2^15 values, in double).
template <typename T>
void backward_kernel(const T* x, const T* alpha, const T* gy, T* gx, T* galpha, const PlaneView& v) {
    const int64_t chunks = (v.inner + kChunk - 1) / kChunk, units = v.outer * v.planes * chunks;
    std::vector<double> partial(static_cast<size_t>(units), 0.0);
    at::parallel_for(0, units, 1, [&](int64_t b, int64_t e) {
        for (int64_t w = b; w < e; ++w) {
            const int64_t op = w / chunks, c = w % chunks, p = op % v.planes;
            const int64_t begin = op * v.inner + c * kChunk, end = op * v.inner + std::min(v.inner, (c + 1) * kChunk);
            partial[static_cast<size_t>(w)] =
                double(backward_run_any(x + begin, gy + begin, gx + begin, end - begin, T(kQ) / std::abs(alpha[p])));
        }
    });
    std::vector<double> sum(static_cast<size_t>(v.planes), 0.0);
    for (int64_t w = 0; w < units; ++w)
        sum[static_cast<size_t>((w / chunks) % v.planes)] += partial[static_cast<size_t>(w)];
    for (int64_t p = 0; p < v.planes; ++p) galpha[p] = T(sum[static_cast<size_t>(p)] / kQ);
}

struct FakeQuantize : public torch::autograd::Function<FakeQuantize> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& alpha,
                                 double alpha_grad_scale) {
        ctx->save_for_backward({x, alpha});
        ctx->saved_data["g"] = alpha_grad_scale;
        PlaneView v;
        const torch::Tensor a = alpha.contiguous();
        if (plane_view(x, a, &v)) {
            torch::Tensor y = torch::empty_like(x);
            AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fake_quantize", [&] {
                forward_kernel<scalar_t>(x.data_ptr<scalar_t>(), a.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), v);
            });
            return y;
        }
        const torch::Tensor s = alpha.abs() / kQ;
        return (x / s).clamp_(-kQ, kQ).round_().mul_(s);
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor& x = saved[0];
        const torch::Tensor alpha = saved[1].contiguous();
        const double g = ctx->saved_data["g"].toDouble();
        const torch::Tensor gy = grads[0].contiguous();
        PlaneView v;
        torch::Tensor gx, ga;
        if (plane_view(x, alpha, &v) && gy.scalar_type() == x.scalar_type()) {
            gx = torch::empty_like(x);
            torch::Tensor gp = torch::empty({v.planes}, alpha.options());
            AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fake_quantize_backward", [&] {
                backward_kernel<scalar_t>(x.data_ptr<scalar_t>(), alpha.data_ptr<scalar_t>(), gy.data_ptr<scalar_t>(),
                                          gx.data_ptr<scalar_t>(), gp.data_ptr<scalar_t>(), v);
            });
            ga = gp.view(alpha.sizes()) * alpha.sign();  // d|alpha| / dalpha
        } else {
            const torch::Tensor u = x * (kQ / alpha.abs());  // x / s
            const torch::Tensor inside = u.abs() < kQ;
            gx = gy * inside;
            // Inside: (round(u) - u) / Q; outside: sign(x).
            const torch::Tensor dalpha = torch::where(inside, (u.round() - u).div_(kQ), u.sign());
            ga = (gy * dalpha).sum_to_size(alpha.sizes()) * alpha.sign();
        }
        if (g != 1.0) ga = ga * g;
        return {gx, ga, torch::Tensor()};
    }
};

}  // namespace

torch::Tensor fake_quantize(const torch::Tensor& x, const torch::Tensor& alpha, double alpha_grad_scale) {
    return FakeQuantize::apply(x, alpha, alpha_grad_scale);
}

double lsq_grad_scale(int64_t values_per_alpha) {
    return std::sqrt(kQ * kQ * kQ / double(std::max<int64_t>(values_per_alpha, 1)));
}

}  // namespace winoq::train
