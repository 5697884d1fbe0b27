// Rendering of layer-error results: markdown tables and JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "winoq/analysis/layer_error.h"

namespace winoq::app {

struct LayerReport {
    std::string name;
    int C = 0, K = 0, H = 0, W = 0;
    std::vector<LayerError> errors;
};

// One calibration configuration: a column of the tables.
struct Config {
    ClipMethod method;
    ScaleGranularity granularity;
    std::string label() const;
};

double find_error(const std::vector<LayerError>& e, Variant v, const Config& c);

// Rows: variants; columns: configs.
std::string variant_table(const std::vector<LayerError>& errors, const std::vector<Variant>& variants,
                          const std::vector<Config>& configs);
// Rows: variants; columns: configs; cells "mean / max" over layers.
std::string summary_table(const std::vector<LayerReport>& layers, const std::vector<Variant>& variants,
                          const std::vector<Config>& configs);
// Rows: layers; columns: variants; one table per config.
std::string per_layer_table(const std::vector<LayerReport>& layers, const std::vector<Variant>& variants,
                            const Config& config);

nlohmann::json to_json(const std::vector<LayerError>& errors);
nlohmann::json to_json(const LayerReport& layer);

}  // namespace winoq::app
