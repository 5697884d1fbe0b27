// A small constant matrix S (a Winograd transform: mostly 0 and +-1) applied to a wide
// matrix, y = S x with x [cols, L], as a differentiable op in x (the gradient is S^T g).
// On the CPU it runs a sparse kernel over the nonzeros of S only (the dense GEMM would spend
// most of its multiplications on zeros); elsewhere a dense matrix product.
#pragma once

#include <memory>
#include <vector>

#include <torch/torch.h>

namespace winoq::train {

class SmallMap {
public:
    explicit SmallMap(const torch::Tensor& dense);  // [rows, cols], any dtype, CPU

    // x [cols, L] (any leading shape that views as it) -> [rows, L].
    torch::Tensor apply(const torch::Tensor& x) const;

    int64_t rows() const { return rows_; }
    int64_t cols() const { return cols_; }
    const torch::Tensor& dense() const { return dense_; }  // double, CPU

    struct Csr {
        std::vector<int64_t> start, col;  // row r: entries start[r] .. start[r+1]-1
        std::vector<double> val;
    };
    const Csr& forward_csr() const { return fwd_; }
    const Csr& transpose_csr() const { return bwd_; }

private:
    int64_t rows_ = 0, cols_ = 0;
    torch::Tensor dense_;
    Csr fwd_, bwd_;
};

}  // namespace winoq::train
