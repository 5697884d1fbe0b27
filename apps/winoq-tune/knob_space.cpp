#include "knob_space.h"

#include <optional>
#include <regex>
#include <stdexcept>

#include "winoq/kernels/tuned_schedules.h"

namespace winoq::tune {

bool KernelFamily::applies_to(const ConvShape& s) const {
    if (variant != Variant::kDirect) return s.kernel == 3 && s.stride == 1;
    return std::to_string(s.kernel) == algorithm.at("kernel") && std::to_string(s.stride) == algorithm.at("stride");
}

// Register tiles, cache blocks and tile rows per task around the target policy's choice (0 / -1:
// the policy's value). Combinations the generator refuses are logged as invalid and skipped.
KernelFamily winograd_family(Variant v) {
    KernelFamily f;
    f.label = variant_name(v);
    f.variant = v;
    f.generator = "winoq_winograd_conv";
    // Measured on a 2-core Xeon: a JIT compile of f23 takes ~8 s, of cf43 ~40 s, of a direct kernel ~3 s.
    f.budget_weight = v == Variant::kF23 ? 3 : 6;
    f.algorithm = {{"variant", variant_name(v)}};
    f.knobs = {{"k_vectors", {"0", "1", "2", "4"}},
               {"t_block", {"0", "2", "3", "4", "6", "8"}},
               {"k_block", {"0", "16", "32", "64"}},
               {"block_tiles", {"32", "8", "16", "64", "128", "256"}}};
    return f;
}

KernelFamily direct_family(int kernel, int stride) {
    KernelFamily f;
    f.label = kernels::direct_family(kernel, stride);
    f.variant = Variant::kDirect;
    f.generator = "winoq_direct_conv";
    f.algorithm = {{"kernel", std::to_string(kernel)}, {"stride", std::to_string(stride)}, {"residual", "false"}};
    f.knobs = {{"k_vectors", {"1", "2", "4"}},
               {"tile_x", {"-1", "2", "4", "7", "8", "14"}},
               {"tile_y", {"-1", "1", "2", "3", "4", "6"}},
               {"tile_y_w7", {"-1", "0", "1", "2", "4"}},
               {"unroll_c", {"4", "1", "2"}}};
    return f;
}

GeneratorParams Candidate::knobs(const KernelFamily& f) const {
    GeneratorParams p;
    for (size_t i = 0; i < f.knobs.size(); ++i)
        if (index[i] != 0) p[f.knobs[i].name] = f.knobs[i].values[index[i]];
    return p;
}

bool family_from_label(const std::string& label, KernelFamily& f) {
    std::smatch m;
    static const std::regex direct("direct_k([0-9]{1,2})_s([0-9]{1,2})");
    if (std::regex_match(label, m, direct)) {
        const int k = std::stoi(m[1]), s = std::stoi(m[2]);
        if (!direct_kernel_supported(k) || (s != 1 && s != 2)) return false;
        f = direct_family(k, s);
        return true;
    }
    const std::optional<Variant> v = parse_variant(label);
    if (!v || *v == Variant::kDirect) return false;
    f = winograd_family(*v);
    return true;
}

Candidate hand_candidate(const KernelFamily& f) { return Candidate{std::vector<int>(f.knobs.size(), 0)}; }

Candidate random_candidate(const KernelFamily& f, std::mt19937& rng) {
    Candidate c = hand_candidate(f);
    for (size_t i = 0; i < f.knobs.size(); ++i)
        c.index[i] = std::uniform_int_distribution<int>(0, int(f.knobs[i].values.size()) - 1)(rng);
    return c;
}

Candidate mutate(const KernelFamily& f, const Candidate& c, std::mt19937& rng) {
    Candidate m = c;
    const size_t k = std::uniform_int_distribution<size_t>(0, f.knobs.size() - 1)(rng);
    const int n = int(f.knobs[k].values.size());
    m.index[k] = (c.index[k] + std::uniform_int_distribution<int>(1, n - 1)(rng)) % n;
    return m;
}

bool parse_candidate(const KernelFamily& f, const std::string& spelled, Candidate& out) {
    // Few enough values per family that matching the spelling of every candidate would do, but
    // the spelling is "k=v k=v": parse it.
    Candidate c = hand_candidate(f);
    if (spelled != format_params({})) {
        size_t pos = 0;
        while (pos < spelled.size()) {
            size_t end = spelled.find(' ', pos);
            if (end == std::string::npos) end = spelled.size();
            const std::string item = spelled.substr(pos, end - pos);
            const size_t eq = item.find('=');
            if (eq == std::string::npos) return false;
            bool found = false;
            for (size_t i = 0; i < f.knobs.size() && !found; ++i) {
                if (f.knobs[i].name != item.substr(0, eq)) continue;
                for (size_t j = 0; j < f.knobs[i].values.size() && !found; ++j)
                    if (f.knobs[i].values[j] == item.substr(eq + 1)) {
                        c.index[i] = int(j);
                        found = true;
                    }
            }
            if (!found) return false;
            pos = end + 1;
        }
    }
    out = c;
    return true;
}

}  // namespace winoq::tune
