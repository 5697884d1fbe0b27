#include "machine_info.h"

#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "winoq/kernels/kernel_target.h"

namespace winoq::tune {
namespace {

// "name=halide target;..." of this build's WINOQ_HALIDE_TARGETS (set by CMake).
std::string halide_target_of(const std::string& name) {
    const std::string all = WINOQ_TUNE_TARGETS;
    size_t pos = 0;
    while (pos <= all.size()) {
        size_t end = all.find(';', pos);
        if (end == std::string::npos) end = all.size();
        const std::string item = all.substr(pos, end - pos);
        const size_t eq = item.find('=');
        if (eq != std::string::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
        pos = end + 1;
    }
    throw std::runtime_error("winoq-tune: target " + name + " is not among this build's Halide targets");
}

}  // namespace

MachineInfo this_machine() {
    MachineInfo m;
    m.cpu = "unknown";
    std::ifstream in("/proc/cpuinfo");
    const std::set<std::string> wanted = {"sse4_1",      "avx2",     "fma",      "avx512f",     "avx512bw",
                                          "avx512_vnni", "avx_vnni", "amx_int8", "avx512_bf16", "asimd",
                                          "asimddp",     "i8mm",     "sve"};
    bool have_model = false, have_flags = false;
    for (std::string line; std::getline(in, line) && !(have_model && have_flags);) {
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (!have_model && (key == "model name" || key == "CPU part")) {
            m.cpu = value;
            have_model = key == "model name";
        } else if (!have_flags && (key == "flags" || key == "Features")) {
            std::istringstream flags(value);
            for (std::string f; flags >> f;)
                if (wanted.count(f)) m.features += (m.features.empty() ? "" : " ") + f;
            have_flags = true;
        }
    }
    m.target = active_target_name();
    m.halide_target = halide_target_of(m.target);
    return m;
}

std::string utc_now_iso8601() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace winoq::tune
