// A child process with a time limit: winoq-tune measures the autoscheduler baselines in a child
// of itself (winoq-tune measure), because LLVM can take many minutes on an autoscheduled
// pipeline and a compile in flight cannot be stopped in-process.
#pragma once

#include <string>
#include <vector>

namespace winoq::tune {

struct ChildResult {
    bool timed_out = false;  // killed at the limit
    int exit_code = -1;      // when it exited by itself; -1 when a signal ended it
    std::string out;         // its stdout
    std::string error;       // the last line of its stderr that starts with "Error" (Halide's), if any
};

// Runs argv (argv[0] a path) and waits at most timeout_s seconds. Throws std::runtime_error
// when it cannot start it.
ChildResult run_child(const std::vector<std::string>& argv, double timeout_s);

// This program's own executable (/proc/self/exe), for running a subcommand of it.
std::string self_executable();

}  // namespace winoq::tune
