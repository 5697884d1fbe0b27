// The kernel targets ("tiers") winoq knows, best first per architecture: their names (the
// values of WINOQ_TARGET) and the Halide feature that tells a target of the tier apart from
// the lower ones. Shared by the target probe generator (which tier am I compiled for?) and the
// runtime's dispatch hook (which tier is this feature set? may it run?). Only HalideRuntime.h:
// the runtime uses it without the Halide compiler.
//
// generators/CMakeLists.txt maps each Halide target string of WINOQ_HALIDE_TARGETS to one of
// these names with the same distinguishing features (ctest runs the suites once per name).
#pragma once

#include <cstdint>
#include <cstring>

#include <HalideRuntime.h>

namespace winoq::kernels {

struct TargetTier {
    const char* name;
    bool arm;         // architecture: ARM (true) or x86 (false)
    int key_feature;  // halide_target_feature_t present in this tier and no lower one; -1: baseline
};

// Best first within each architecture; the last of an architecture is its baseline (Halide's
// dispatch takes the last target of a library without asking the CPU).
inline constexpr TargetTier kTargetTiers[] = {
    {"avx512_vnni", false, halide_target_feature_avx512_sapphirerapids},  // vpdpbusd
    {"avx2", false, halide_target_feature_avx2},                          // vpmaddubsw / vpmaddwd, ymm
    {"sse41", false, -1},                                                 // xmm
    {"arm_dot_prod", true, halide_target_feature_arm_dot_prod},           // sdot
    {"arm64", true, -1},                                                  // NEON smull / sadalp
};
inline constexpr int kNumTargetTiers = int(sizeof(kTargetTiers) / sizeof(kTargetTiers[0]));

inline bool has_feature(const uint64_t* features, int f) { return (features[f / 64] >> (f % 64)) & 1; }

// The tier of a Halide feature mask (as the dispatch passes it) on architecture `arm`: the
// best tier of that architecture whose key feature is in the mask.
inline int tier_of_features(const uint64_t* features, bool arm) {
    int last = -1;
    for (int i = 0; i < kNumTargetTiers; ++i) {
        if (kTargetTiers[i].arm != arm) continue;
        if (kTargetTiers[i].key_feature < 0 || has_feature(features, kTargetTiers[i].key_feature)) return i;
        last = i;
    }
    return last;
}

// Index of the tier called `name`, or -1.
inline int tier_index(const char* name) {
    for (int i = 0; i < kNumTargetTiers; ++i)
        if (std::strcmp(kTargetTiers[i].name, name) == 0) return i;
    return -1;
}

}  // namespace winoq::kernels
