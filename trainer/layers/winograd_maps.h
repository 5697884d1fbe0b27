// The three Winograd transforms of a variant as dense matrices, for the float simulation of
// the trainer (one matrix product over all tiles per stage). They are not typed in here: each
// is obtained by applying the core's templates (winoq::input_transform / act_plane_values,
// winoq::filter_transform / filter_part_value, tap_grid_from_out_planes / output_transform)
// to unit vectors, so they are exactly the maps the integer pipeline computes.
#pragma once

#include <memory>

#include <torch/torch.h>

#include "trainer/layers/small_map.h"
#include "winoq/numerics/variant.h"

namespace winoq::train {

struct WinogradMaps {
    int m = 0, n = 0;
    torch::Tensor input;        // [act planes, n*n]: act plane values of a tile d[u*n + v]
    torch::Tensor filter;       // [prod planes, 9]: weight part of each product plane from g[a*3 + b]
    torch::Tensor combine;      // [out planes, prod planes]: the signed terms forming each M plane
    torch::Tensor output;       // [m*m, out planes]: Y[a*m + b] = Re(A^T M A) from the M planes
    torch::Tensor act_of_prod;  // int64 [prod planes]: the activation plane each GEMM reads
    // When every activation plane feeds exactly one GEMM (f23, f43, cf43), the GEMMs can run in
    // activation-plane order with no gather of the (large) activations:
    bool one_to_one = false;
    torch::Tensor prod_of_act;     // int64 [act planes]: the GEMM reading each plane
    torch::Tensor combine_by_act;  // [out planes, act planes]: `combine` with columns in that order

    // The transforms as sparse differentiable maps (input, combine or combine_by_act, output).
    std::shared_ptr<const SmallMap> input_map, combine_map, combine_by_act_map, output_map;

    WinogradMaps to(torch::Device device, torch::Dtype dtype) const;
};

// double, on the CPU; built once per variant.
const WinogradMaps& winograd_maps(Variant v);

}  // namespace winoq::train
