// winoq-tune kernels: for every kernel family a model may run and every distinct conv shape it
// applies to, search the schedule knobs. Each candidate is compiled once (JIT, the AOT build's
// generator) and serves every shape, since the shapes are run-time extents; on each shape it
// must match the scalar reference bit for bit before it is timed, interleaved with the hand
// schedule (compiled the same way) so that their ratio comes from one run.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "winoq/numerics/conv_params.h"

namespace winoq::tune {

struct TuneOptions {
    std::vector<std::string> variants = {"direct", "f23", "cf43"};  // families to tune
    double budget_minutes = 25;                                     // the whole run, split evenly between the families
    std::string log_path;                                           // required
    bool resume = false;        // continue the log: measure only what it does not hold
    int repetitions = 7;        // timed rounds per measurement (median and spread over them)
    double min_round_ms = 1.0;  // calls per round: enough for the hand schedule to take this long
    uint32_t seed = 1;          // the search's random proposals (the same on resume)
};

// The fastest knobs found per (family, shape), from this run and the log.
struct TuneResult {
    std::string variant, shape, knobs;
    double median_ms = 0, hand_median_ms = 0;
    int candidates = 0;  // measured on this shape (this run and the log)
};

// Throws std::invalid_argument for a log that holds other runs' lines without --resume, or
// unknown variants.
std::vector<TuneResult> tune_kernels(const std::vector<ConvShape>& shapes, const TuneOptions& o,
                                     std::ostream& progress);

}  // namespace winoq::tune
