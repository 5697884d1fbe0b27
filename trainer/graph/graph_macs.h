// Multiply-accumulates of an imported graph by the counting rule of docs/method.md section 3
// (conv_macs of winoq/model/model.h for the convolutions it describes): Winograd-domain
// products for the 3x3 stride-1 convolutions a variant runs, K * C/groups * kh * kw per output
// pixel for the others, K * C for a linear layer. Pools, additions and activations are free.
#pragma once

#include <string>

#include "trainer/graph/graph.h"
#include "trainer/models/macs.h"

namespace winoq::train {

// `variant`: float / direct (no Winograd) or a Winograd variant for every eligible convolution.
ModelMacs count_graph_macs(const Graph& g, const std::map<std::string, std::vector<int64_t>>& param_shapes,
                           const std::string& variant);

}  // namespace winoq::train
