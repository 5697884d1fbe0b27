#include "tuning_log.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace winoq::tune {

std::string LogEntry::key() const { return halide_target + "|" + variant + "|" + shape + "|" + knobs; }

bool LogEntry::is_baseline() const { return knobs.rfind("autoscheduler=", 0) == 0; }

std::string to_json_line(const LogEntry& e) {
    const nlohmann::json j = {{"cpu", e.cpu},
                              {"features", e.features},
                              {"target", e.target},
                              {"halide_target", e.halide_target},
                              {"variant", e.variant},
                              {"shape", e.shape},
                              {"knobs", e.knobs},
                              {"status", e.status},
                              {"error", e.error},
                              {"median_ms", e.median_ms},
                              {"spread", e.spread},
                              {"hand_median_ms", e.hand_median_ms},
                              {"repetitions", e.repetitions},
                              {"threads", e.threads},
                              {"date", e.date}};
    return j.dump();
}

LogEntry parse_log_line(const std::string& line) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& ex) {
        throw std::invalid_argument(std::string("not JSON (") + ex.what() + ")");
    }
    if (!j.is_object()) throw std::invalid_argument("not a JSON object");
    auto str = [&](const char* k) {
        if (!j.contains(k) || !j[k].is_string())
            throw std::invalid_argument(std::string("no string field \"") + k + "\"");
        return j[k].get<std::string>();
    };
    auto num = [&](const char* k) {
        if (!j.contains(k) || !j[k].is_number())
            throw std::invalid_argument(std::string("no number field \"") + k + "\"");
        return j[k].get<double>();
    };
    LogEntry e;
    e.cpu = str("cpu");
    e.features = str("features");
    e.target = str("target");
    e.halide_target = str("halide_target");
    e.variant = str("variant");
    e.shape = str("shape");
    e.knobs = str("knobs");
    e.status = str("status");
    e.error = str("error");
    e.median_ms = num("median_ms");
    e.spread = num("spread");
    e.hand_median_ms = num("hand_median_ms");
    e.repetitions = static_cast<int>(num("repetitions"));
    e.threads = static_cast<int>(num("threads"));
    e.date = str("date");
    if (e.status != "ok" && e.status != "invalid" && e.status != "mismatch" && e.status != "timeout")
        throw std::invalid_argument("status \"" + e.status + "\" is none of ok, invalid, mismatch, timeout");
    if (e.status == "ok" && !(e.median_ms > 0)) throw std::invalid_argument("an ok entry needs median_ms > 0");
    return e;
}

std::vector<LogEntry> read_log(const std::string& path) {
    std::ifstream in(path);
    std::vector<LogEntry> out;
    if (!in) return out;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.empty()) continue;
        try {
            out.push_back(parse_log_line(line));
        } catch (const std::invalid_argument& ex) {
            throw std::runtime_error(path + ":" + std::to_string(n) + ": not a tuning log entry: " + ex.what());
        }
    }
    return out;
}

HandTimes::HandTimes(const std::vector<LogEntry>& log) {
    for (const LogEntry& e : log) {
        if (e.status != "ok" || e.knobs != "(hand schedule)") continue;
        const std::string k = e.halide_target + "|" + e.variant + "|" + e.shape;
        const double t = std::min(e.median_ms, e.hand_median_ms);
        const auto [it, fresh] = fastest_.emplace(k, t);
        if (!fresh) it->second = std::min(it->second, t);
    }
}

double HandTimes::speedup(const LogEntry& e) const {
    const auto it = fastest_.find(e.halide_target + "|" + e.variant + "|" + e.shape);
    return (it == fastest_.end() ? e.hand_median_ms : std::min(e.hand_median_ms, it->second)) / e.median_ms;
}

LogWriter::LogWriter(const std::string& path) : path_(path) {
    std::ofstream out(path_, std::ios::app);
    if (!out) throw std::runtime_error(path_ + ": cannot open the tuning log for appending");
}

void LogWriter::append(const LogEntry& e) {
    std::ofstream out(path_, std::ios::app);
    out << to_json_line(e) << '\n';
    out.flush();
    if (!out) throw std::runtime_error(path_ + ": cannot write the tuning log");
}

}  // namespace winoq::tune
