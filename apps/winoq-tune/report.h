// winoq-tune report: what tuning logs show per (kernel family, shape) on this machine's Halide
// target: the hand schedule, the best candidate and every autoscheduler baseline, as ratios
// each taken from one interleaved measurement (docs/tuning.md has the table of a real run).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tuning_log.h"

namespace winoq::tune {

struct BaselineResult {
    std::string status;          // the log's: ok, invalid, mismatch, timeout
    double ms = 0, hand_ms = 0;  // ok: its median and the hand schedule's, timed interleaved
    std::string error;
};

struct ReportRow {
    std::string family, shape, best_knobs;
    // The best candidate's time (the hand schedule is one) and the hand time HandTimes compares
    // it with.
    double best_ms = 0, hand_ms = 0;
    int candidates = 0;  // ok measurements of candidates on this shape
    std::map<std::string, BaselineResult> baselines;

    double speedup() const { return hand_ms / best_ms; }
    // How many times faster the best candidate is than baseline b, each against its own
    // interleaved hand schedule; 0 when b has no ok measurement.
    double over(const std::string& b) const;
};

struct Report {
    std::vector<ReportRow> rows;  // by family, then shape
    double geomean_speedup = 1;   // over rows
};

// Throws std::invalid_argument when the log holds nothing of halide_target.
Report make_report(const std::vector<LogEntry>& log, const std::string& halide_target);

// A markdown table and the geometric mean.
std::string to_markdown(const Report& r);

}  // namespace winoq::tune
