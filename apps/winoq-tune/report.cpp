#include "report.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace winoq::tune {

double ReportRow::over(const std::string& b) const {
    const auto it = baselines.find(b);
    if (it == baselines.end() || it->second.status != "ok") return 0;
    return (it->second.ms / it->second.hand_ms) / (best_ms / hand_ms);
}

Report make_report(const std::vector<LogEntry>& log, const std::string& halide_target) {
    std::map<std::pair<std::string, std::string>, ReportRow> rows;
    const HandTimes hand(log);  // the rule the database applies too
    for (const LogEntry& e : log) {
        if (e.halide_target != halide_target) continue;
        ReportRow& r = rows[{e.variant, e.shape}];
        r.family = e.variant;
        r.shape = e.shape;
        if (e.is_baseline()) {
            const std::string name = e.knobs.substr(14, e.knobs.find(' ') - 14);  // autoscheduler=NAME ...
            r.baselines[name] = {e.status, e.median_ms, e.hand_median_ms, e.error};
            continue;
        }
        if (e.status != "ok") continue;
        ++r.candidates;
        if (r.best_ms == 0 || hand.speedup(e) > r.speedup()) {
            r.best_ms = e.median_ms;
            r.hand_ms = e.median_ms * hand.speedup(e);
            r.best_knobs = e.knobs;
        }
    }
    if (rows.empty())
        throw std::invalid_argument("the tuning logs hold no measurement for Halide target " + halide_target);
    Report rep;
    double log_sum = 0;
    for (auto& [key, r] : rows) {
        if (r.best_ms <= 0) continue;  // only baselines or failed candidates
        log_sum += std::log(r.speedup());
        rep.rows.push_back(r);
    }
    if (!rep.rows.empty()) rep.geomean_speedup = std::exp(log_sum / double(rep.rows.size()));
    return rep;
}

std::string to_markdown(const Report& r) {
    std::set<std::string> names;
    for (const ReportRow& row : r.rows)
        for (const auto& [n, b] : row.baselines) names.insert(n);
    std::string s = "| family | shape | hand ms | tuned ms | tuned vs hand | candidates | tuned knobs |";
    std::string rule = "|---|---|---:|---:|---:|---:|---|";
    for (const std::string& n : names) {
        s += " " + n + " ms | tuned vs " + n + " |";
        rule += "---:|---:|";
    }
    s += "\n" + rule + "\n";
    char buf[512];
    for (const ReportRow& row : r.rows) {
        std::snprintf(buf, sizeof buf, "| %s | %s | %.4f | %.4f | %.2fx | %d | %s |", row.family.c_str(),
                      row.shape.c_str(), row.hand_ms, row.best_ms, row.speedup(), row.candidates,
                      row.best_knobs.c_str());
        s += buf;
        for (const std::string& n : names) {
            const auto it = row.baselines.find(n);
            if (it == row.baselines.end()) {
                s += " – | – |";
            } else if (it->second.status != "ok") {
                s += " " + it->second.status + " | – |";
            } else {
                std::snprintf(buf, sizeof buf, " %.4f | %.1fx |", it->second.ms, row.over(n));
                s += buf;
            }
        }
        s += "\n";
    }
    std::snprintf(buf, sizeof buf, "\nGeometric mean of tuned vs hand over the %zu rows: %.3fx\n", r.rows.size(),
                  r.geomean_speedup);
    return s + buf;
}

}  // namespace winoq::tune
