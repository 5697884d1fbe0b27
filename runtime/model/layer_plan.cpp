#include "winoq/model/layer_plan.h"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "winoq/io/file_read.h"
#include "winoq/numerics/variant.h"

namespace winoq {
namespace {

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

LayerPlan read_layer_plan(const std::string& path) {
    const std::vector<uint8_t> bytes = read_regular_file(path, kMaxPlanFileBytes, "plan file");
    std::istringstream in(std::string(bytes.begin(), bytes.end()));
    LayerPlan plan;
    std::set<std::string> names;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const std::string t = trim(line);
        auto fail = [&](const std::string& why) {
            throw std::runtime_error(path + ":" + std::to_string(n) + ": " + why);
        };
        if (t.empty()) continue;
        if (t[0] == '#') {
            plan.comments.push_back(trim(t.substr(1)));
            continue;
        }
        const size_t eq = t.find('=');
        if (eq == std::string::npos) fail("expected 'layer = variant', got '" + t + "'");
        const std::string name = trim(t.substr(0, eq)), variant = trim(t.substr(eq + 1));
        if (name.empty() || variant.empty()) fail("expected 'layer = variant', got '" + t + "'");
        if (variant != "float" && !parse_variant(variant))
            fail("unknown variant '" + variant + "' (float, direct, f23, f43, cf43, cf43m4)");
        if (!names.insert(name).second) fail("layer '" + name + "' is planned twice");
        plan.layers.emplace_back(name, variant);
    }
    return plan;
}

void write_layer_plan(const std::string& path, const LayerPlan& plan) {
    std::ofstream out(path);
    for (const std::string& c : plan.comments) out << "# " << c << '\n';
    for (const auto& [name, variant] : plan.layers) out << name << " = " << variant << '\n';
    out.flush();
    if (!out) throw std::runtime_error(path + ": cannot write the plan file");
}

}  // namespace winoq
