// winoq-tune kernels: for every kernel family a model may run and every distinct conv shape it
// applies to, search the schedule knobs. Each candidate is compiled once (JIT, the AOT build's
// generator) and serves every shape, since the shapes are run-time extents; on each shape it
// must match the scalar reference bit for bit before it is timed, interleaved with the hand
// schedule (compiled the same way) so that their ratio comes from one run.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "jit_pipeline.h"
#include "tuning_log.h"
#include "winoq/numerics/conv_params.h"

namespace winoq::tune {

struct TuneOptions {
    std::vector<std::string> variants = {"direct", "f23", "cf43"};  // families to tune
    double budget_minutes = 25;  // the whole run, split between the families by KernelFamily::budget_weight
    std::string log_path;        // required
    bool resume = false;         // continue the log: measure only what it does not hold
    int repetitions = 7;         // timed rounds per measurement (median and spread over them)
    double min_round_ms = 1.0;   // calls per round: enough for the hand schedule to take this long
    uint32_t seed = 1;           // the search's random proposals (the same on resume)
    // Halide autoscheduler baselines measured on every shape (Adams2019, Li2018, Mullapudi2016).
    std::vector<std::string> baselines = {"Adams2019"};
    // Each baseline is measured by a child process (winoq-tune measure), killed after this long:
    // LLVM can take many minutes on an autoscheduled pipeline. Logged as status "timeout".
    double baseline_timeout_s = 60;
    std::string measure_exe;  // the winoq-tune that runs "measure"; empty: this program
};

// The fastest knobs found per (family, shape), from this run and the log.
struct TuneResult {
    std::string variant, shape, knobs;
    double median_ms = 0, hand_median_ms = 0;
    int candidates = 0;                         // measured on this shape (this run and the log)
    std::map<std::string, double> baseline_ms;  // per autoscheduler that compiled and matched
};

// Throws std::invalid_argument for a log that holds other runs' lines without --resume, or
// unknown variants.
std::vector<TuneResult> tune_kernels(const std::vector<ConvShape>& shapes, const TuneOptions& o,
                                     std::ostream& progress);

// winoq-tune measure: one candidate (knobs, or autoscheduler=NAME with est_*) of the family
// labelled `family` on shape s, checked against the reference and timed against the hand
// schedule, as the log line it would write. Throws std::invalid_argument for an unknown family
// or a shape it does not apply to.
LogEntry measure_one(const std::string& family, const ConvShape& s, const GeneratorParams& knobs, const TuneOptions& o);

}  // namespace winoq::tune
