// A per-layer variant plan (docs/tuning.md): which variant each convolution runs, as written by
// `winoq-tune plan` and read by `winoq-train train / export --plan` (the same effect as
// --layer-variant). Text, one entry per line:
//
//   # comment (provenance, totals)
//   layer1.0.conv1 = cf43
//
// Variants: float, direct, f23, f43, cf43, cf43m4. Blank lines and '#' lines are ignored.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace winoq {

struct LayerPlan {
    std::vector<std::string> comments;                        // without the leading "# "
    std::vector<std::pair<std::string, std::string>> layers;  // (layer name, variant), file order
};

// 1 MiB: a plan of 65,536 layers of long names fits.
inline constexpr unsigned long long kMaxPlanFileBytes = 1ull << 20;

// Throws std::runtime_error "<path>:<line>: ..." for a malformed line, an unknown variant or a
// layer named twice; what read_regular_file throws for a missing or oversized file.
LayerPlan read_layer_plan(const std::string& path);
// Throws std::runtime_error if path cannot be written.
void write_layer_plan(const std::string& path, const LayerPlan& plan);

}  // namespace winoq
