// WINOQ_TARGET and winoq::active_target_name(): the dispatch really runs the requested target
// (or, where the CPU lacks it, the next lower one), the default is the best target the CPU
// runs, and an unknown name is a clear error. ctest runs this binary once per target name
// (WINOQ_TARGET=<name>), once without WINOQ_TARGET and once with an unknown name.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "expected_target.h"
#include "winoq/kernels/kernel_target.h"

namespace {

using namespace winoq;

constexpr const char* kUnknownName = "no_such_target";

TEST(KernelTarget, ActiveTargetIsTheRequestedOne) {
    if (test::requested_target() == kUnknownName) GTEST_SKIP() << "the unknown-name run";
    const std::string want = test::expected_target();
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(active_target_name(), want) << "WINOQ_TARGET='" << test::requested_target() << "'";
    if (!test::requested_target().empty() && test::cpu_runs(test::requested_target()))
        EXPECT_EQ(active_target_name(), test::requested_target()) << "the forcing did not happen";
}

TEST(KernelTarget, EveryBuiltTargetIsKnownInOrder) {
    const std::vector<std::string> known = known_target_names();
    size_t last = 0;
    for (const std::string& n : test::built_target_names()) {
        const auto it = std::find(known.begin(), known.end(), n);
        ASSERT_NE(it, known.end()) << n << " is built but unknown to WINOQ_TARGET";
        EXPECT_GE(size_t(it - known.begin()), last) << "WINOQ_HALIDE_TARGETS must be best first";
        last = size_t(it - known.begin());
    }
}

TEST(KernelTarget, UnknownNameIsAClearError) {
    if (test::requested_target() != kUnknownName) GTEST_SKIP() << "only in the run with WINOQ_TARGET=" << kUnknownName;
    try {
        active_target_name();
        FAIL() << "an unknown WINOQ_TARGET was accepted";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(kUnknownName), std::string::npos) << msg;
        EXPECT_NE(msg.find(known_target_names().back()), std::string::npos) << "lists the valid names: " << msg;
    }
}

}  // namespace
