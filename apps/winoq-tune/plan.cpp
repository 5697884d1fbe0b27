#include "plan.h"

#include <map>
#include <stdexcept>

#include "winoq/model/model.h"

namespace winoq::tune {
namespace {

// The log's family label of variant v on shape s (direct families are per kernel and stride).
std::string family_label(Variant v, const ConvShape& s) {
    if (v != Variant::kDirect) return variant_name(v);
    return "direct_k" + std::to_string(s.kernel) + "_s" + std::to_string(s.stride);
}

}  // namespace

Plan make_plan(const std::vector<ConvLayer>& layers, const std::vector<LogEntry>& log, const std::string& halide_target,
               const std::vector<std::string>& allow) {
    std::map<std::string, double> best;  // family | shape -> best median
    for (const LogEntry& e : log) {
        if (e.status != "ok" || e.halide_target != halide_target || e.is_baseline()) continue;
        double& b = best[e.variant + "|" + e.shape];
        if (b == 0 || e.median_ms < b) b = e.median_ms;
    }
    auto lookup = [&](Variant v, const ConvShape& s) {
        auto it = best.find(family_label(v, s) + "|" + shape_key(s));
        return it == best.end() ? 0.0 : it->second;
    };
    std::vector<Variant> allowed;
    for (const std::string& a : allow) {
        const std::optional<Variant> v = parse_variant(a);
        if (!v) throw std::invalid_argument("winoq-tune plan: unknown variant '" + a + "' in --allow");
        allowed.push_back(*v);
    }
    Plan plan;
    int64_t direct_macs = 0, planned_macs = 0;
    for (const ConvLayer& l : layers) {
        PlannedLayer p{l.name, "", shape_key(l.shape)};
        Variant chosen = Variant::kDirect;
        for (Variant v : allowed) {
            if (!variant_applies(v, l.shape)) continue;
            const double ms = lookup(v, l.shape);
            if (ms > 0 && (p.ms == 0 || ms < p.ms)) {
                p.ms = ms;
                chosen = v;
            }
        }
        if (p.ms == 0)
            throw std::runtime_error("winoq-tune plan: the log has no measurement of layer " + l.name + " (" + p.shape +
                                     ") for any allowed variant: tune it first (winoq-tune kernels)");
        p.variant = variant_name(chosen);
        p.direct_ms = lookup(Variant::kDirect, l.shape);
        plan.total_ms += p.ms;
        plan.direct_total_ms += p.direct_ms;
        direct_macs += conv_macs(Variant::kDirect, l.shape);
        planned_macs += conv_macs(chosen, l.shape);
        plan.layers.push_back(p);
    }
    plan.mac_reduction = planned_macs > 0 ? double(direct_macs) / double(planned_macs) : 1.0;
    return plan;
}

}  // namespace winoq::tune
