// The tuned schedules compiled from schedules/tuned/<target>.json (docs/tuning.md): a layer of
// a listed family and shape class runs its tuned pipeline on that target and stays bit-exact
// with the scalar reference; ScheduleChoice::kHand and WINOQ_SCHEDULES=hand give the hand
// schedule back, and any other WINOQ_SCHEDULES is a clear error.
#include <gtest/gtest.h>

#include <cstdlib>

#include "winoq/analysis/random_layer.h"
#include "winoq/kernels/conv_kernels.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq/kernels/tuned_schedules.h"
#include "winoq/numerics/reference.h"

namespace {

using namespace winoq;

// The shape of a shape class, at batch 1.
ConvShape shape_of(const std::string& cls) {
    ConvShape s;
    EXPECT_TRUE(kernels::parse_shape_class(cls, s)) << cls;
    return s;
}

// Runs a random layer of the entry's family and shape on the kernels and the reference.
void check_entry(const kernels::TunedSchedule& t) {
    const ConvShape s = shape_of(t.shape_class);
    const bench::RandomLayer layer = bench::make_random_layer(s, 99);
    std::vector<int8_t> want(s.out_size()), got(s.out_size(), 0);
    const bool direct = t.family.rfind("direct", 0) == 0;
    const std::optional<Variant> v = direct ? Variant::kDirect : parse_variant(t.family);
    ASSERT_TRUE(v) << t.family;
    if (direct) {
        const DirectConvParams p = bench::direct_params(layer);
        reference::direct_conv(p, layer.input.data(), nullptr, want.data());
        ConvKernel k(p);
        EXPECT_EQ(k.schedule(), "tuned (" + t.knobs + ")") << t.pipeline;
        k.run(layer.input.data(), nullptr, got.data());
        std::vector<int8_t> hand(s.out_size(), 0);
        ConvKernel h(p, ScheduleChoice::kHand);
        EXPECT_EQ(h.schedule(), "hand");
        h.run(layer.input.data(), nullptr, hand.data());
        EXPECT_EQ(hand, want);
    } else {
        const WinogradConvParams p = bench::winograd_params(*v, layer);
        reference::winograd_conv(p, layer.input.data(), nullptr, want.data());
        ConvKernel k(p);
        EXPECT_EQ(k.schedule(), "tuned (" + t.knobs + ")") << t.pipeline;
        k.run(layer.input.data(), nullptr, got.data());
        EXPECT_EQ(ConvKernel(p, ScheduleChoice::kHand).schedule(), "hand");
    }
    EXPECT_EQ(got, want) << t.pipeline << " on " << t.shape_class;
    EXPECT_EQ(kernels::planned_schedule(*v, s, t.residual == 1), "tuned (" + t.knobs + ")");
}

TEST(TunedSchedules, ListedLayersRunTheirTunedPipelineBitExact) {
    const std::string target = active_target_name();
    int n = 0;
    for (const kernels::TunedSchedule& t : kernels::compiled_tuned_schedules()) {
        // The residual twin of a direct configuration: the random layers have no residual.
        if (t.target != target || t.residual == 1) continue;
        SCOPED_TRACE(t.pipeline + " " + t.shape_class);
        check_entry(t);
        ++n;
    }
    if (n == 0) GTEST_SKIP() << "this build holds no tuned schedule for the active target " << target;
}

TEST(TunedSchedules, HandTurnsThemOffAndOtherValuesAreRefused) {
    ConvShape s;
    s.N = 1;
    s.C = s.K = 16;
    s.H = s.W = 8;
    const bench::RandomLayer layer = bench::make_random_layer(s, 7);
    setenv("WINOQ_SCHEDULES", "hand", 1);
    EXPECT_EQ(ConvKernel(bench::winograd_params(Variant::kCF43, layer)).schedule(), "hand");
    for (const kernels::TunedSchedule& t : kernels::compiled_tuned_schedules())
        EXPECT_EQ(kernels::planned_schedule(Variant::kDirect, shape_of(t.shape_class), false), "hand");
    setenv("WINOQ_SCHEDULES", "fastest", 1);
    try {
        ConvKernel k(bench::winograd_params(Variant::kCF43, layer));
        ADD_FAILURE() << "WINOQ_SCHEDULES=fastest was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("WINOQ_SCHEDULES"), std::string::npos);
    }
    unsetenv("WINOQ_SCHEDULES");
}

TEST(TunedSchedules, NamesAreTheTunersSpelling) {
    ConvShape s;
    s.C = 64;
    s.K = 128;
    s.H = 56;
    s.W = 28;
    s.stride = 2;
    EXPECT_EQ(kernels::shape_class(s), "c64_k128_56x28_k3_s2_p1");
    ConvShape back;
    ASSERT_TRUE(kernels::parse_shape_class("c64_k128_56x28_k3_s2_p1", back));
    EXPECT_EQ(kernels::shape_class(back), "c64_k128_56x28_k3_s2_p1");
    EXPECT_FALSE(kernels::parse_shape_class("c64_k128_56x28_k3_s2", back));
    EXPECT_FALSE(kernels::parse_shape_class("c064_k128_56x28_k3_s2_p1", back));
    EXPECT_EQ(kernels::kernel_family(Variant::kDirect, s), "direct_k3_s2");
    EXPECT_EQ(kernels::kernel_family(Variant::kCF43, s), "cf43");
}

}  // namespace
