// What target the kernels should run on, worked out independently of winoq's dispatch hook:
// the CPU's own feature bits (x86: cpuid through __builtin_cpu_supports; AArch64 Linux: the
// kernel's HWCAP_ASIMDDP) and the list of targets this build compiled (WINOQ_TARGET_NAMES,
// comma-separated from tests/CMakeLists.txt, best first). Used by the tests that check WINOQ_TARGET.
#pragma once

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace winoq::test {

inline std::vector<std::string> built_target_names() {
    std::vector<std::string> names;
    std::stringstream ss(WINOQ_TARGET_NAMES);
    for (std::string n; std::getline(ss, n, ',');) names.push_back(n);
    return names;
}

// Whether this CPU can execute code of the named target.
inline bool cpu_runs(const std::string& name) {
#if defined(__x86_64__)
    // Halide's avx512_sapphirerapids feature: AVX-512 with VNNI and BF16.
    if (name == "avx512_vnni") return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bf16");
    if (name == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (name == "sse41") return __builtin_cpu_supports("sse4.1");
#elif defined(__aarch64__) && defined(__linux__)
    if (name == "arm_dot_prod") return (getauxval(AT_HWCAP) & (1ul << 20)) != 0;  // HWCAP_ASIMDDP
    if (name == "arm64") return true;
#endif
    return false;
}

// WINOQ_TARGET of this process ("" when unset).
inline std::string requested_target() {
    const char* e = std::getenv("WINOQ_TARGET");
    return e ? e : "";
}

// The target that must run: the first built target, at or below the requested one, that the
// CPU runs; the last built target (Halide's unchecked fallback) if none.
inline std::string expected_target() {
    const std::vector<std::string> built = built_target_names();
    const std::string req = requested_target();
    bool reached = req.empty();
    for (const std::string& n : built) {
        reached = reached || n == req;
        if (reached && cpu_runs(n)) return n;
    }
    return built.empty() ? "" : built.back();
}

}  // namespace winoq::test
