#include "cli_common.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace winoq::cli {

Model open_model(const std::string& path) { return load_model(path); }

void add_memory_budget_option(CLI::App* app, uint64_t& mib) {
    mib = kDefaultMemoryBudget >> 20;
    app->add_option("--memory-budget", mib, "MiB the model's buffers and kernels may take (refused above)")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t(1), uint64_t(1) << 24));
}

std::string untrained_note(const Model& m) {
    if (m.trained) return "";
    return "model '" + m.name +
           "' is untrained (random weights): its predictions and accuracy mean nothing; "
           "use it for latency and MAC measurements only";
}

void print_untrained_line(const Model& m) {
    if (!m.trained) std::cout << "WARNING: " << untrained_note(m) << "\n";
}

void add_model_fields(nlohmann::json& j, const Model& m, const std::string& path) {
    j["model"] = m.name;
    j["model_file"] = path;
    j["trained"] = m.trained;
    if (!m.trained) j["note"] = untrained_note(m);
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string with_thousands(int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

std::string pad_right(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string pad_left(const std::string& s, size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace winoq::cli
