// Which compiled kernel target (x86: avx512_vnni / avx2 / sse41, ARM: arm_dot_prod / arm64)
// runs the Halide kernels, and how to force a lower one (docs/targets.md).
//
// Every kernel library holds one object per target of WINOQ_HALIDE_TARGETS; Halide's run-time
// dispatch takes the best one the CPU supports. The environment variable WINOQ_TARGET=<name>
// caps that choice at the named target (read once, before the first kernel runs), so tests and
// benchmarks can exercise each target on one machine. Unset or empty: no cap.
#pragma once

#include <string>
#include <vector>

namespace winoq {

// The target the kernels run on in this process (after WINOQ_TARGET), found by running a probe
// pipeline through the same dispatch. Throws std::invalid_argument for an unknown WINOQ_TARGET.
std::string active_target_name();

// The names WINOQ_TARGET accepts on this architecture, best first.
std::vector<std::string> known_target_names();

// Installs the dispatch hook that applies WINOQ_TARGET (idempotent; the kernels call it before
// their first run). Throws std::invalid_argument for an unknown WINOQ_TARGET.
void apply_target_request();

}  // namespace winoq
