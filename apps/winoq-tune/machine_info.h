// What the tuning log records about the machine a measurement ran on.
#pragma once

#include <string>

namespace winoq::tune {

struct MachineInfo {
    std::string cpu;            // /proc/cpuinfo "model name" ("unknown" where there is none)
    std::string features;       // the flags among those that pick a kernel target, space separated
    std::string target;         // winoq::active_target_name(): the kernels' target here
    std::string halide_target;  // its Halide target string (what the JIT compiles for)
};

// Throws std::runtime_error if the active target has no Halide target string in this build.
MachineInfo this_machine();

std::string utc_now_iso8601();

}  // namespace winoq::tune
