// One random layer per benchmark shape and its integer params, made on first use and kept:
// Google Benchmark calls a benchmark function once per repetition, and the calibration in
// random_layer.cpp is far slower than the kernels it feeds.
#pragma once

#include "layer_shapes.h"
#include "winoq/analysis/random_layer.h"

namespace winoq::bench {

const RandomLayer& cached_layer(const LayerShape& shape);
const DirectConvParams& cached_direct_params(const LayerShape& shape);
const WinogradConvParams& cached_winograd_params(const LayerShape& shape, Variant v);

}  // namespace winoq::bench
