// The tuned-schedule database (docs/tuning.md): schedules/tuned/<target>.json, one per winoq
// target, which the build reads (generators/tuned_schedules.cmake) to AOT-compile each listed
// configuration. winoq-tune db makes one from tuning logs; read_tuned_db checks one (the knobs
// against the tuner's knob space) with errors naming the file and line.
#pragma once

#include <string>
#include <vector>

#include "jit_pipeline.h"
#include "tuning_log.h"

namespace winoq::tune {

inline constexpr const char* kTunedDbFormat = "winoq-tuned-schedules 1";

struct TunedConfig {
    std::string family;               // kernels::kernel_family: cf43, direct_k3_s1 ...
    GeneratorParams knobs;            // the schedule knobs that differ from the hand schedule
    std::vector<std::string> shapes;  // kernels::shape_class of the shapes it was fastest on
    std::vector<double> speedups;     // per shape: hand median / its median (the hand median: the lower of its
                                      // interleaved run and the hand schedule's own measurement)
};

struct TunedDb {
    std::string target, halide_target;         // winoq target name and its Halide target string
    std::string cpu, features, date, command;  // provenance
    std::vector<TunedConfig> configs;
};

struct DbOptions {
    int max_configs = 8;        // the build compiles each: keep the ones that save the most time
    double min_speedup = 1.05;  // a shape keeps its hand schedule unless tuning beat it by this much
};

// From the ok entries of halide_target in log: per (family, shape class) the fastest knobs,
// grouped into configurations. Throws std::invalid_argument when the log has none of that target.
TunedDb make_tuned_db(const std::vector<LogEntry>& log, const std::string& halide_target, const DbOptions& o);

// One configuration per line, so that errors can name one.
std::string to_json_text(const TunedDb& db);
void write_tuned_db(const std::string& path, const TunedDb& db);
// Throws std::runtime_error "path:line: ..." for bad JSON, a missing field, an unknown family,
// knob or knob value, or a shape class that is not one (or not of its family's kernel).
TunedDb read_tuned_db(const std::string& path);
TunedDb parse_tuned_db(const std::string& text, const std::string& path);

}  // namespace winoq::tune
