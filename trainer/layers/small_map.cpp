#include "trainer/layers/small_map.h"

#include <ATen/Parallel.h>

#include "winoq/numerics/simd_clones.h"

namespace winoq::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

SmallMap::Csr to_csr(const torch::Tensor& d) {
    SmallMap::Csr c;
    const auto a = d.accessor<double, 2>();
    for (int64_t r = 0; r < d.size(0); ++r) {
        c.start.push_back(static_cast<int64_t>(c.col.size()));
        for (int64_t k = 0; k < d.size(1); ++k)
            if (a[r][k] != 0.0) {
                c.col.push_back(k);
                c.val.push_back(a[r][k]);
            }
    }
    c.start.push_back(static_cast<int64_t>(c.col.size()));
    return c;
}

// y[r][l0 .. l0+len) = sum over the nonzeros (k, w) of row r: w * x[k][l0 .. l0+len).
template <typename T>
WINOQ_ALWAYS_INLINE void csr_block(const SmallMap::Csr& S, int64_t rows, const T* x, T* y, int64_t L, int64_t l0,
                                   int64_t len) {
    for (int64_t r = 0; r < rows; ++r) {
        T* yr = y + r * L + l0;
        const int64_t e0 = S.start[r], e1 = S.start[r + 1];
        if (e0 == e1) {
            for (int64_t i = 0; i < len; ++i) yr[i] = T(0);
            continue;
        }
        for (int64_t e = e0; e < e1; ++e) {
            const T w = T(S.val[e]);
            const T* xc = x + S.col[e] * L + l0;
            if (e == e0) {
                if (w == T(1))
                    for (int64_t i = 0; i < len; ++i) yr[i] = xc[i];
                else if (w == T(-1))
                    for (int64_t i = 0; i < len; ++i) yr[i] = -xc[i];
                else
                    for (int64_t i = 0; i < len; ++i) yr[i] = w * xc[i];
            } else if (w == T(1)) {
                for (int64_t i = 0; i < len; ++i) yr[i] += xc[i];
            } else if (w == T(-1)) {
                for (int64_t i = 0; i < len; ++i) yr[i] -= xc[i];
            } else {
                for (int64_t i = 0; i < len; ++i) yr[i] += w * xc[i];
            }
        }
    }
}

WINOQ_SIMD_CLONES void csr_block_f(const SmallMap::Csr& S, int64_t rows, const float* x, float* y, int64_t L,
                                   int64_t l0, int64_t len) {
    csr_block(S, rows, x, y, L, l0, len);
}
WINOQ_SIMD_CLONES void csr_block_d(const SmallMap::Csr& S, int64_t rows, const double* x, double* y, int64_t L,
                                   int64_t l0, int64_t len) {
    csr_block(S, rows, x, y, L, l0, len);
}
inline void csr_block_any(const SmallMap::Csr& S, int64_t rows, const float* x, float* y, int64_t L, int64_t l0,
                          int64_t len) {
    csr_block_f(S, rows, x, y, L, l0, len);
}
inline void csr_block_any(const SmallMap::Csr& S, int64_t rows, const double* x, double* y, int64_t L, int64_t l0,
                          int64_t len) {
    csr_block_d(S, rows, x, y, L, l0, len);
}

// Blocks of columns that stay in cache, in parallel.
template <typename T>
void csr_apply(const SmallMap::Csr& S, int64_t rows, const T* x, T* y, int64_t L) {
    constexpr int64_t kBlock = 512;
    at::parallel_for(0, (L + kBlock - 1) / kBlock, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) csr_block_any(S, rows, x, y, L, b * kBlock, std::min(kBlock, L - b * kBlock));
    });
}

torch::Tensor run(const SmallMap& map, bool transpose, const torch::Tensor& x_in) {
    const int64_t rows = transpose ? map.cols() : map.rows(), cols = transpose ? map.rows() : map.cols();
    const torch::Tensor x = x_in.reshape({cols, -1}).contiguous();
    const int64_t L = x.size(1);
    if (x.device().is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble)) {
        torch::Tensor y = torch::empty({rows, L}, x.options());
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "small_map", [&] {
            csr_apply<scalar_t>(transpose ? map.transpose_csr() : map.forward_csr(), rows, x.data_ptr<scalar_t>(),
                                y.data_ptr<scalar_t>(), L);
        });
        return y;
    }
    const torch::Tensor d = map.dense().to(x.device(), x.scalar_type());
    return (transpose ? d.t() : d).mm(x);
}

struct ApplySmallMap : public torch::autograd::Function<ApplySmallMap> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, int64_t map_address) {
        ctx->saved_data["map"] = map_address;
        return run(*reinterpret_cast<const SmallMap*>(map_address), false, x);
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const auto* map = reinterpret_cast<const SmallMap*>(ctx->saved_data["map"].toInt());
        return {run(*map, true, grads[0]), torch::Tensor()};
    }
};

}  // namespace

SmallMap::SmallMap(const torch::Tensor& dense)
    : rows_(dense.size(0)), cols_(dense.size(1)), dense_(dense.to(torch::kCPU, torch::kDouble).contiguous()) {
    fwd_ = to_csr(dense_);
    bwd_ = to_csr(dense_.t().contiguous());
}

torch::Tensor SmallMap::apply(const torch::Tensor& x) const {
    // The map lives as long as the process-wide cache of winograd_maps (never freed).
    return ApplySmallMap::apply(x, reinterpret_cast<int64_t>(this));
}

}  // namespace winoq::train
