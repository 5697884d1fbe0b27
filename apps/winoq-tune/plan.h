// winoq-tune plan: the fastest allowed variant of every conv layer of a model, from the tuning
// log's best measurement of each (variant, shape), written as a plan file
// (winoq/model/layer_plan.h) that winoq-train train / export take with --plan.
#pragma once

#include <string>
#include <vector>

#include "model_layers.h"
#include "tuning_log.h"

namespace winoq::tune {

struct PlannedLayer {
    std::string name, variant, shape;
    double ms = 0;         // the best tuned median of that variant on that shape
    double direct_ms = 0;  // the best tuned direct one (0: not in the log)
};

struct Plan {
    std::vector<PlannedLayer> layers;
    double total_ms = 0, direct_total_ms = 0;
    double mac_reduction = 1;  // direct MACs / planned MACs over the planned layers
};

// allow: variant names (direct, f23, ...). Only log entries of this machine's Halide target
// count. Throws std::runtime_error naming the layer when the log measured none of its allowed
// variants.
Plan make_plan(const std::vector<ConvLayer>& layers, const std::vector<LogEntry>& log, const std::string& halide_target,
               const std::vector<std::string>& allow);

}  // namespace winoq::tune
