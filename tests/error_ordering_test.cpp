// The error ordering of the variants on a seeded random layer (32 input channels, as in
// docs/method.md section 1), measured with the integer reference: real F(4,3) is unstable in
// int8, the complex transform fixes it, F(2,3) beats real F(4,3), and clipping helps.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "winoq/analysis/layer_error.h"
#include "winoq/analysis/stage_error.h"

namespace winoq {
namespace {

struct Key {
    Variant v;
    ClipMethod m;
    ScaleGranularity g;
    bool operator<(const Key& o) const { return std::tie(v, m, g) < std::tie(o.v, o.m, o.g); }
};

class ErrorOrdering : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const LayerData d = make_random_layer(32, 32, 16, 16, 2, 2, 2024);
        for (const LayerError& e : measure_layer_errors(d, {kAllVariants.begin(), kAllVariants.end()},
                                                        {ClipMethod::kMax, ClipMethod::kPercentile, ClipMethod::kMse},
                                                        {ScaleGranularity::kPerTensor, ScaleGranularity::kPerTap}))
            errors_[{e.variant, e.method, e.granularity}] = e.rel_rms;
    }
    static double err(Variant v, ClipMethod m = ClipMethod::kMax, ScaleGranularity g = ScaleGranularity::kPerTensor) {
        return errors_.at({v, m, g});
    }
    static std::map<Key, double> errors_;
};
std::map<Key, double> ErrorOrdering::errors_;

TEST_F(ErrorOrdering, AllErrorsAreFiniteAndPositive) {
    ASSERT_EQ(errors_.size(), 5u * 3u * 2u);
    for (const auto& [k, e] : errors_) {
        EXPECT_TRUE(std::isfinite(e));
        EXPECT_GT(e, 0.0);
    }
}

TEST_F(ErrorOrdering, RealF43IsUnstableWithMaxScales) {
    // The output of int8 real F(4,3) is dominated by noise (docs/method.md section 1 quotes 2.48).
    EXPECT_GT(err(Variant::kF43), 0.5);
}

TEST_F(ErrorOrdering, ComplexF43FixesIt) {
    for (ScaleGranularity g : {ScaleGranularity::kPerTensor, ScaleGranularity::kPerTap}) {
        EXPECT_LT(err(Variant::kCF43, ClipMethod::kMax, g), 0.5 * err(Variant::kF43, ClipMethod::kMax, g));
        EXPECT_LT(err(Variant::kCF43M4, ClipMethod::kMax, g), 0.5 * err(Variant::kF43, ClipMethod::kMax, g));
        EXPECT_LT(err(Variant::kCF43, ClipMethod::kMax, g), 0.15);
    }
}

TEST_F(ErrorOrdering, F23BeatsRealF43AndDirectBeatsAll) {
    EXPECT_LT(err(Variant::kF23), err(Variant::kF43));
    EXPECT_LT(err(Variant::kF23), err(Variant::kCF43));  // smaller transform growth
    for (Variant v : kWinogradVariants) EXPECT_LT(err(Variant::kDirect), err(v)) << variant_name(v);
}

TEST_F(ErrorOrdering, ClippingImprovesRealF43) {
    const ScaleGranularity g = ScaleGranularity::kPerTensor;
    EXPECT_LT(err(Variant::kF43, ClipMethod::kMse, g), err(Variant::kF43, ClipMethod::kMax, g));
    EXPECT_LT(err(Variant::kF43, ClipMethod::kPercentile, g), err(Variant::kF43, ClipMethod::kMax, g));
}

TEST_F(ErrorOrdering, PerTapScalesRescueRealF43) {
    // One scale per tap (M's on a power-of-two grid) is what real F(4,3) needs.
    for (ClipMethod m : {ClipMethod::kMax, ClipMethod::kMse})
        EXPECT_LT(err(Variant::kF43, m, ScaleGranularity::kPerTap),
                  0.25 * err(Variant::kF43, m, ScaleGranularity::kPerTensor));
}

TEST_F(ErrorOrdering, PerTapScalesHelpTheComplexTransform) {
    EXPECT_LT(err(Variant::kCF43, ClipMethod::kMax, ScaleGranularity::kPerTap),
              0.8 * err(Variant::kCF43, ClipMethod::kMax, ScaleGranularity::kPerTensor));
}

TEST(StageErrorModel, MatchesTheIntegerPipelineAndLocatesTheF43Error) {
    const LayerData d = make_random_layer(32, 16, 16, 16, 2, 1, 77);
    CalibrationOptions o;
    o.granularity = ScaleGranularity::kPerTap;
    for (Variant v : kWinogradVariants) {
        SCOPED_TRACE(variant_name(v));
        const std::vector<StageErrorRow> rows = stage_error_breakdown(d, v, o);
        std::map<std::string, double> by;
        for (const StageErrorRow& r : rows) by[r.label] = r.rel_rms;
        // The float model with every stage rounded is the integer pipeline up to the
        // fixed-point multipliers and the tie rule.
        const double integer = measure_layer_error(d, v, o);
        EXPECT_NEAR(by.at("all stages (the int8 pipeline)"), integer, 0.05 * integer);
        if (v == Variant::kF43) {
            // Real F(4,3): one scale of M per tensor is what breaks it; one per tap, on the
            // power-of-two grid the integer pipeline uses, brings it back.
            EXPECT_GT(by.at("M only (per tensor)"), 10 * by.at("M only (per tap)"));
            EXPECT_GT(by.at("all stages, M per tensor"), 4 * integer);
            EXPECT_NEAR(by.at("all stages, M per tap (power-of-two ratios)"), integer, 0.05 * integer);
        }
    }
}

}  // namespace
}  // namespace winoq
