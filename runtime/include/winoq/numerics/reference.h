// The scalar C++ reference of the integer pipeline (docs/numerics.md). Slow and obvious on
// purpose: every Halide kernel and the trainer's integer mode must agree with it bit for bit.
// Tensors are NHWC int8; `residual` is an NHWC int8 tensor of the output's shape or nullptr.
#pragma once

#include <cstdint>
#include <vector>

#include "winoq/numerics/conv_params.h"

namespace winoq::reference {

void direct_conv(const DirectConvParams& p, const int8_t* in, const int8_t* residual, int8_t* out);

// The three Winograd stages, exposing the intermediates:
//   X  [act plane][tile][c]  int8 transformed, requantized input
//   M  [out plane][tile][k]  int8 requantized channel-accumulated product
std::vector<int8_t> input_transform(const WinogradConvParams& p, const int8_t* in);
std::vector<int32_t> winograd_gemm_acc(const WinogradConvParams& p, const std::vector<int8_t>& X);  // [q][t][k]
std::vector<int8_t> winograd_gemm(const WinogradConvParams& p, const std::vector<int8_t>& X);
void output_transform(const WinogradConvParams& p, const std::vector<int8_t>& M, const int8_t* residual, int8_t* out);

void winograd_conv(const WinogradConvParams& p, const int8_t* in, const int8_t* residual, int8_t* out);

// The shared output stage on one accumulator value.
int8_t output_stage(const OutputStage& s, int k, int64_t acc, int residual);

}  // namespace winoq::reference
