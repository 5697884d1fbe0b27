// WINOQ_TARGET: a custom halide_can_use_target_features hook that refuses every target better
// than the requested one, so Halide's dispatch wrappers (which try the targets best first and
// cache their choice) settle on the requested target or the next lower one the CPU has.
#include "winoq/kernels/kernel_target.h"

#include <HalideBuffer.h>
#include <HalideRuntime.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernel_layout.h"
#include "kernel_targets.h"
#include "winoq_target_probe.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace winoq {

namespace {

using kernels::kCompiledForArm;

int requested_tier = -1;  // index into kTargetTiers; -1: no cap

// Halide 14's runtime knows no AArch64 CPU features, so it would run sdot on any ARM CPU: ask
// the kernel (HWCAP_ASIMDDP) ourselves.
bool cpu_lacks(const uint64_t* features) {
#if defined(__aarch64__) && defined(__linux__)
    const int dot = halide_target_feature_arm_dot_prod;
    if (kernels::has_feature(features, dot) && !(getauxval(AT_HWCAP) & (1ul << 20))) return true;
#else
    (void)features;
#endif
    return false;
}

int can_use(int count, const uint64_t* features) {
    if (requested_tier >= 0 && kernels::tier_of_features(features, kCompiledForArm) < requested_tier) return 0;
    if (cpu_lacks(features)) return 0;
    return halide_default_can_use_target_features(count, features);
}

std::string names_list() {
    std::string s;
    for (const std::string& n : known_target_names()) s += (s.empty() ? "" : ", ") + n;
    return s;
}

bool install() {
    const char* e = std::getenv("WINOQ_TARGET");
    if (e && *e) {
        const int t = kernels::tier_index(e);
        if (t < 0 || kernels::kTargetTiers[t].arm != kCompiledForArm)
            throw std::invalid_argument(std::string("winoq: unknown WINOQ_TARGET '") + e +
                                        "'; this build knows: " + names_list() + " (docs/targets.md)");
        requested_tier = t;
    }
    halide_set_custom_can_use_target_features(can_use);
    return true;
}

}  // namespace

void apply_target_request() {
    static const bool installed = install();  // retried on the next call if it threw
    (void)installed;
}

std::vector<std::string> known_target_names() {
    std::vector<std::string> names;
    for (const kernels::TargetTier& t : kernels::kTargetTiers)
        if (t.arm == kCompiledForArm) names.push_back(t.name);
    return names;
}

std::string active_target_name() {
    apply_target_request();
    Halide::Runtime::Buffer<int32_t> tier = Halide::Runtime::Buffer<int32_t>::make_scalar();
    if (winoq_target_probe(tier) != 0) throw std::runtime_error("winoq: the target probe pipeline failed");
    const int t = tier();
    if (t < 0 || t >= kernels::kNumTargetTiers) throw std::logic_error("winoq: target probe returned no tier");
    return kernels::kTargetTiers[t].name;
}

}  // namespace winoq
