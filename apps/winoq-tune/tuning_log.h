// The tuning log: one JSON object per line, one line per measurement (a candidate's knobs on
// one layer shape), appended and flushed as soon as it is measured, so an interrupted run loses
// at most the candidate in flight and --resume skips every (target, family, shape, knobs)
// already in the file.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace winoq::tune {

struct LogEntry {
    std::string cpu;            // /proc/cpuinfo model name
    std::string features;       // the CPU flags that choose a Halide target (avx2, avx512_vnni, amx_int8 ...)
    std::string target;         // winoq target name (avx512_vnni, avx2 ...)
    std::string halide_target;  // the Halide target string the candidate was compiled for
    std::string variant;        // kernel family label: f23, cf43, direct_k3_s1 ...
    std::string shape;          // shape_key(): "c64_k64_56x56_k3_s1_n1"
    std::string knobs;          // format_params of the candidate's knobs; "(hand schedule)"
    // "ok", "invalid" (the generator refused the knobs), "mismatch", "timeout" (a baseline that
    // did not compile in time)
    std::string status;
    std::string error;                 // why, when not ok
    double median_ms = 0, spread = 0;  // per call; spread = (max - min) / median over the repetitions
    double hand_median_ms = 0;         // the hand schedule, timed interleaved with it
    int repetitions = 0, threads = 0;
    std::string date;  // UTC, ISO 8601

    std::string key() const;  // halide_target | variant | shape | knobs
    // An autoscheduler baseline (knobs autoscheduler=NAME ...): measured side by side, never
    // planned or compiled into the tuned-schedule database.
    bool is_baseline() const;
};

// Reads every line of path (a missing file is an empty log). Throws std::runtime_error naming
// path:line for a line that is not a log entry.
std::vector<LogEntry> read_log(const std::string& path);
std::string to_json_line(const LogEntry& e);
LogEntry parse_log_line(const std::string& line);  // throws std::invalid_argument

// A candidate's speedup over the hand schedule, robust to one unlucky measurement: on a noisy
// (shared, virtual) machine one interleaved run can catch the hand schedule slow, so the hand
// time is the lower of the candidate's interleaved one and the hand schedule's own fastest
// measurement (the "(hand schedule)" entries of the same target, family and shape).
class HandTimes {
public:
    explicit HandTimes(const std::vector<LogEntry>& log);
    double speedup(const LogEntry& e) const;  // e: an ok entry

private:
    std::map<std::string, double> fastest_;  // halide_target | variant | shape
};

class LogWriter {
public:
    explicit LogWriter(const std::string& path);  // appends; throws if it cannot open path
    void append(const LogEntry& e);               // writes and flushes one line
private:
    std::string path_;
};

}  // namespace winoq::tune
