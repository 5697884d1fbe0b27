// A pipeline that only reports which kernel target it was compiled for: built for the same
// WINOQ_HALIDE_TARGETS as every kernel, its dispatch wrapper picks the same target the kernels'
// wrappers pick, so running it tells the runtime which code really runs
// (winoq::active_target_name()).
//   tier() = index into winoq::kernels::kTargetTiers (kernel_targets.h)
#include <stdexcept>

#include "Halide.h"
#include "kernel_targets.h"

namespace {

using namespace Halide;

class TargetProbe : public Generator<TargetProbe> {
public:
    Output<Buffer<int32_t>> tier{"tier", 0};

    void generate() {
        const Target t = get_target();
        const bool arm = t.arch == Target::ARM;
        if (!arm && t.arch != Target::X86)
            throw std::invalid_argument("winoq target probe: no tier for " + t.to_string());
        int found = -1;
        for (int i = 0; i < winoq::kernels::kNumTargetTiers && found < 0; ++i) {
            const winoq::kernels::TargetTier& tt = winoq::kernels::kTargetTiers[i];
            if (tt.arm == arm && (tt.key_feature < 0 || t.has_feature(Target::Feature(tt.key_feature)))) found = i;
        }
        tier() = found;
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(TargetProbe, winoq_target_probe)
