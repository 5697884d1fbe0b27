// --verify: before any timing, run each benchmarked kernel once on its layer and compare with
// winoq's scalar reference. The winoq kernels must match it bit for bit; oneDNN rounds in
// float, so it may be one step off, but never more.
#pragma once

#include "onednn_conv.h"

namespace winoq::bench {

// Prints one line per check to stdout; returns false if any check failed.
bool verify_all(OneDnnSrc src);

}  // namespace winoq::bench
