#include "tuned_db.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "knob_space.h"
#include "winoq/io/file_read.h"
#include "winoq/kernels/tuned_schedules.h"

namespace winoq::tune {
namespace {

// The log's shape key without its batch: the shape class.
std::string class_of(const std::string& shape_key) {
    const size_t n = shape_key.rfind("_n");
    return n == std::string::npos ? shape_key : shape_key.substr(0, n);
}

// The 1-based line of byte offset pos.
int line_of(const std::string& text, size_t pos) {
    return 1 + int(std::count(text.begin(), text.begin() + std::min(pos, text.size()), '\n'));
}

}  // namespace

TunedDb make_tuned_db(const std::vector<LogEntry>& log, const std::string& halide_target, const DbOptions& o) {
    struct Best {
        const LogEntry* e = nullptr;
    };
    std::map<std::pair<std::string, std::string>, Best> best;  // (family, class)
    const HandTimes hand(log);
    auto speedup_of = [&](const LogEntry& e) { return hand.speedup(e); };
    const LogEntry* any = nullptr;
    for (const LogEntry& e : log) {
        if (e.halide_target != halide_target || e.status != "ok" || e.is_baseline()) continue;
        any = &e;
        Best& b = best[{e.variant, class_of(e.shape)}];
        if (!b.e || speedup_of(e) > speedup_of(*b.e)) b.e = &e;
    }
    if (!any) throw std::invalid_argument("the tuning logs hold no measurement for Halide target " + halide_target);
    TunedDb db;
    db.target = any->target;
    db.halide_target = halide_target;
    db.cpu = any->cpu;
    db.features = any->features;
    // Group the winning knobs of each family; rank configurations by the time they save.
    std::map<std::pair<std::string, std::string>, std::pair<TunedConfig, double>> groups;
    for (const auto& [key, b] : best) {
        const double speedup = speedup_of(*b.e);
        if (b.e->knobs == format_params({}) || speedup < o.min_speedup) continue;
        auto& [c, saved] = groups[{key.first, b.e->knobs}];
        c.family = key.first;
        c.knobs = parse_params(b.e->knobs);
        c.shapes.push_back(key.second);
        c.speedups.push_back(speedup);
        saved += b.e->median_ms * (speedup - 1);
    }
    std::vector<std::pair<double, TunedConfig>> ranked;
    for (auto& [key, g] : groups) ranked.emplace_back(g.second, g.first);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < ranked.size() && int(i) < o.max_configs; ++i) db.configs.push_back(ranked[i].second);
    return db;
}

std::string to_json_text(const TunedDb& db) {
    const nlohmann::json head = {
        {"format", kTunedDbFormat},
        {"target", db.target},
        {"halide_target", db.halide_target},
        {"provenance", {{"cpu", db.cpu}, {"features", db.features}, {"date", db.date}, {"command", db.command}}}};
    std::string s = head.dump();
    s.pop_back();  // the closing brace: the configurations follow, one per line
    s += ",\n\"configs\": [";
    for (size_t i = 0; i < db.configs.size(); ++i) {
        const TunedConfig& c = db.configs[i];
        const nlohmann::json j = {
            {"family", c.family}, {"knobs", c.knobs}, {"shapes", c.shapes}, {"speedups", c.speedups}};
        s += (i ? ",\n  " : "\n  ") + j.dump();
    }
    return s + "\n]}\n";
}

void write_tuned_db(const std::string& path, const TunedDb& db) {
    std::ofstream out(path);
    out << to_json_text(db);
    if (!out) throw std::runtime_error(path + ": cannot write the tuned-schedule database");
}

TunedDb read_tuned_db(const std::string& path) {
    const std::vector<uint8_t> bytes = read_regular_file(path, 1 << 20, "tuned-schedule database");
    return parse_tuned_db(std::string(bytes.begin(), bytes.end()), path);
}

TunedDb parse_tuned_db(const std::string& text, const std::string& path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& ex) {
        throw std::runtime_error(path + ":" + std::to_string(line_of(text, ex.byte ? ex.byte - 1 : 0)) +
                                 ": not JSON (" + ex.what() + ")");
    }
    auto fail = [&](int line, const std::string& msg) {
        throw std::runtime_error(path + ":" + std::to_string(line) + ": " + msg);
    };
    auto str = [&](const nlohmann::json& o, const char* k, int line) {
        if (!o.is_object() || !o.contains(k) || !o[k].is_string())
            fail(line, std::string("no string field \"") + k + "\"");
        return o[k].get<std::string>();
    };
    TunedDb db;
    if (str(j, "format", 1) != kTunedDbFormat) fail(1, std::string("format is not \"") + kTunedDbFormat + "\"");
    db.target = str(j, "target", 1);
    db.halide_target = str(j, "halide_target", 1);
    if (j.contains("provenance") && j["provenance"].is_object()) {
        const nlohmann::json& p = j["provenance"];
        for (const auto& [k, v] : p.items())
            if (!v.is_string()) fail(1, "provenance." + k + " is not a string");
        db.cpu = p.value("cpu", "");
        db.features = p.value("features", "");
        db.date = p.value("date", "");
        db.command = p.value("command", "");
    }
    if (!j.contains("configs") || !j["configs"].is_array()) fail(1, "no array \"configs\"");
    // Configuration i starts at the i-th "family" key of the text (the writer puts one per line).
    std::vector<int> lines;
    for (size_t pos = text.find("\"family\""); pos != std::string::npos; pos = text.find("\"family\"", pos + 1))
        lines.push_back(line_of(text, pos));
    for (size_t i = 0; i < j["configs"].size(); ++i) {
        const nlohmann::json& c = j["configs"][i];
        const int line = i < lines.size() ? lines[i] : 1;
        TunedConfig tc;
        tc.family = str(c, "family", line);
        KernelFamily f;
        if (!family_from_label(tc.family, f)) fail(line, "unknown kernel family '" + tc.family + "'");
        if (!c.contains("knobs") || !c["knobs"].is_object()) fail(line, "no object \"knobs\"");
        for (const auto& [k, v] : c["knobs"].items()) {
            if (!v.is_string()) fail(line, "knob " + k + " is not a string");
            const auto knob = std::find_if(f.knobs.begin(), f.knobs.end(), [&](const Knob& n) { return n.name == k; });
            if (knob == f.knobs.end()) fail(line, "family " + tc.family + " has no knob '" + k + "'");
            const std::string value = v.get<std::string>();
            if (std::find(knob->values.begin(), knob->values.end(), value) == knob->values.end())
                fail(line, "knob " + k + "=" + value + " is not one the tuner tries");
            tc.knobs[k] = value;
        }
        if (!c.contains("shapes") || !c["shapes"].is_array() || c["shapes"].empty()) fail(line, "no shapes");
        for (const nlohmann::json& s : c["shapes"]) {
            const std::string text_s = s.is_string() ? s.get<std::string>() : "";
            ConvShape shape;
            if (!kernels::parse_shape_class(text_s, shape))
                fail(line, "'" + s.dump() + "' is not a shape class (c64_k64_56x56_k3_s1_p1)");
            if (!f.applies_to(shape)) fail(line, text_s + " is not a shape of family " + tc.family);
            tc.shapes.push_back(text_s);
        }
        if (c.contains("speedups") && c["speedups"].is_array())
            for (const nlohmann::json& s : c["speedups"])
                if (s.is_number()) tc.speedups.push_back(s.get<double>());
        db.configs.push_back(tc);
    }
    return db;
}

}  // namespace winoq::tune
