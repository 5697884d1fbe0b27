// The integer pipeline of docs/numerics.md on int64 torch tensors, batched over the whole
// input: it computes exactly what winoq::reference (and the Halide kernels) compute, with the
// same parameters (winoq::DirectConvParams / WinogradConvParams), the core's transform
// templates instantiated with torch::Tensor, and winoq::requantize through TorchOps.
//
// Activations are NCHW int64 tensors holding int8 values (the reference is NHWC int8).
// The int8 x int8 products are summed in float64 (BLAS): every partial sum is an integer of
// magnitude < 9 * 128 * 127 * 4096 < 2^53, so the sums are exact in any order, and are then
// converted to int64.
#pragma once

#include <torch/torch.h>

#include "winoq/numerics/conv_params.h"

namespace winoq::train {

// x: [N, C, H, W]; residual: [N, K, Ho, Wo] or undefined. Returns [N, K, Ho, Wo] (int64).
torch::Tensor integer_direct_conv(const DirectConvParams& p, const torch::Tensor& x, const torch::Tensor& residual);
torch::Tensor integer_winograd_conv(const WinogradConvParams& p, const torch::Tensor& x, const torch::Tensor& residual);

// The Winograd stages, exposing the intermediates (the reference's X[act][tile][c] is
// X[act][c][tile] here, M[out][tile][k] is M[out][k][tile]); tiles numbered as the reference.
torch::Tensor integer_input_transform(const WinogradConvParams& p, const torch::Tensor& x);  // [A, C, T]
torch::Tensor integer_winograd_gemm(const WinogradConvParams& p, const torch::Tensor& X);    // [O, K, T]
torch::Tensor integer_output_transform(const WinogradConvParams& p, const torch::Tensor& M, int64_t N,
                                       const torch::Tensor& residual);  // [N, K, H, W]

// The shared output stage: clamp(((acc + bias) * mult + residual * res_mult + 2^(shift-1)) >> shift).
torch::Tensor integer_output_stage(const OutputStage& st, const torch::Tensor& acc, const torch::Tensor& residual);

}  // namespace winoq::train
