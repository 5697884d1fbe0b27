#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace winoq::app {
namespace {

std::string fmt(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, x >= 100 ? "%.0f" : x >= 0.1 ? "%.3f" : "%.4f", x);
    return buf;
}

std::string header(const std::string& first, const std::vector<std::string>& cols) {
    std::string h = "| " + first + " |", rule = "|---|";
    for (const std::string& c : cols) {
        h += " " + c + " |";
        rule += "---|";
    }
    return h + "\n" + rule + "\n";
}

std::vector<std::string> labels(const std::vector<Config>& configs) {
    std::vector<std::string> r;
    for (const Config& c : configs) r.push_back(c.label());
    return r;
}

}  // namespace

std::string Config::label() const {
    return std::string(clip_method_name(method)) + ", per " + granularity_name(granularity);
}

double find_error(const std::vector<LayerError>& e, Variant v, const Config& c) {
    for (const LayerError& x : e)
        if (x.variant == v && x.method == c.method && x.granularity == c.granularity) return x.rel_rms;
    throw std::logic_error("layer-error: missing result");
}

std::string variant_table(const std::vector<LayerError>& errors, const std::vector<Variant>& variants,
                          const std::vector<Config>& configs) {
    std::string t = header("variant", labels(configs));
    for (Variant v : variants) {
        t += std::string("| ") + variant_name(v) + " |";
        for (const Config& c : configs) t += " " + fmt(find_error(errors, v, c)) + " |";
        t += "\n";
    }
    return t;
}

std::string summary_table(const std::vector<LayerReport>& layers, const std::vector<Variant>& variants,
                          const std::vector<Config>& configs) {
    std::string t = header("variant (mean / max over layers)", labels(configs));
    for (Variant v : variants) {
        t += std::string("| ") + variant_name(v) + " |";
        for (const Config& c : configs) {
            double sum = 0, mx = 0;
            for (const LayerReport& l : layers) {
                const double e = find_error(l.errors, v, c);
                sum += e;
                mx = std::max(mx, e);
            }
            t += " " + fmt(sum / double(layers.size())) + " / " + fmt(mx) + " |";
        }
        t += "\n";
    }
    return t;
}

std::string per_layer_table(const std::vector<LayerReport>& layers, const std::vector<Variant>& variants,
                            const Config& config) {
    std::vector<std::string> cols;
    for (Variant v : variants) cols.push_back(variant_name(v));
    std::string t = header("layer (C -> K, HxW)", cols);
    for (const LayerReport& l : layers) {
        t += "| " + l.name + " (" + std::to_string(l.C) + " -> " + std::to_string(l.K) + ", " + std::to_string(l.H) +
             "x" + std::to_string(l.W) + ") |";
        for (Variant v : variants) t += " " + fmt(find_error(l.errors, v, config)) + " |";
        t += "\n";
    }
    return t;
}

nlohmann::json to_json(const std::vector<LayerError>& errors) {
    nlohmann::json a = nlohmann::json::array();
    for (const LayerError& e : errors)
        a.push_back({{"variant", variant_name(e.variant)},
                     {"method", clip_method_name(e.method)},
                     {"granularity", granularity_name(e.granularity)},
                     {"rel_rms", e.rel_rms}});
    return a;
}

nlohmann::json to_json(const LayerReport& l) {
    return {{"name", l.name}, {"C", l.C}, {"K", l.K}, {"H", l.H}, {"W", l.W}, {"errors", to_json(l.errors)}};
}

}  // namespace winoq::app
