// Element-wise comparison of two int8 tensors, for the peer and kernel cross-checks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace winoq::bench {

struct Int8Diff {
    int max_abs = 0;      // largest |a - b|
    size_t over_one = 0;  // elements with |a - b| > 1
    size_t nonzero = 0;   // elements with a != b
};

inline Int8Diff compare_int8(const int8_t* a, const int8_t* b, size_t n) {
    Int8Diff d;
    for (size_t i = 0; i < n; ++i) {
        const int e = std::abs(int(a[i]) - int(b[i]));
        d.max_abs = std::max(d.max_abs, e);
        d.over_one += e > 1;
        d.nonzero += e != 0;
    }
    return d;
}

}  // namespace winoq::bench
