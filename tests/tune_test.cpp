// winoq-tune (apps/winoq-tune, docs/tuning.md): the tuning log and plan files round-trip and
// name the file and line of a bad entry; JIT candidates of the AOT generators are checked bit
// for bit against the scalar reference; --resume measures nothing twice; plans pick the fastest
// measured variant and the trainer's files take them.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kernel_tuner.h"
#include "knob_space.h"
#include "machine_info.h"
#include "model_layers.h"
#include "plan.h"
#include "tuning_log.h"
#include "winoq/model/layer_plan.h"

namespace {

using namespace winoq;
using namespace winoq::tune;
namespace fs = std::filesystem;

fs::path temp_file(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("winoq_tune_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path p = dir / name;
    fs::remove(p);
    return p;
}

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

LogEntry sample_entry() {
    LogEntry e;
    e.cpu = "Some CPU";
    e.features = "avx2 fma";
    e.target = "avx2";
    e.halide_target = "x86-64-linux-avx-avx2-f16c-fma-sse41";
    e.variant = "cf43";
    e.shape = "c16_k16_32x32_k3_s1_p1_n1";
    e.knobs = "k_block=16 t_block=4";
    e.status = "ok";
    e.median_ms = 0.125;
    e.spread = 0.03;
    e.hand_median_ms = 0.25;
    e.repetitions = 7;
    e.threads = 2;
    e.date = "2026-12-02T00:00:00Z";
    return e;
}

TEST(TuningLog, LineRoundTrips) {
    const LogEntry e = sample_entry();
    const LogEntry r = parse_log_line(to_json_line(e));
    EXPECT_EQ(r.key(), e.key());
    EXPECT_EQ(r.cpu, e.cpu);
    EXPECT_EQ(r.features, e.features);
    EXPECT_EQ(r.status, e.status);
    EXPECT_DOUBLE_EQ(r.median_ms, e.median_ms);
    EXPECT_DOUBLE_EQ(r.hand_median_ms, e.hand_median_ms);
    EXPECT_EQ(r.repetitions, 7);
    EXPECT_EQ(r.date, e.date);
}

TEST(TuningLog, BadLineNamesFileAndLine) {
    const fs::path p = temp_file("bad.jsonl");
    LogEntry neg = sample_entry();
    neg.median_ms = -1;
    write_text(p, to_json_line(sample_entry()) + "\n\n" + to_json_line(neg) + "\n");
    const std::string err = error_of([&] { read_log(p.string()); });
    EXPECT_NE(err.find(p.string() + ":3:"), std::string::npos) << err;
    write_text(p, to_json_line(sample_entry()) + "\n{\"cpu\": \"x\"\n");
    EXPECT_NE(error_of([&] { read_log(p.string()); }).find(p.string() + ":2: not a tuning log entry"),
              std::string::npos);
    EXPECT_TRUE(read_log(temp_file("absent.jsonl").string()).empty());
}

TEST(KnobSpace, CandidatesSpellAndParseBack) {
    for (const KernelFamily& f : {winograd_family(Variant::kCF43), direct_family(3, 1)}) {
        std::mt19937 rng(3);
        for (int i = 0; i < 50; ++i) {
            const Candidate c = i == 0 ? hand_candidate(f) : random_candidate(f, rng);
            Candidate back;
            ASSERT_TRUE(parse_candidate(f, format_params(c.knobs(f)), back)) << format_params(c.knobs(f));
            EXPECT_EQ(back.index, c.index);
            const Candidate m = mutate(f, c, rng);
            int changed = 0;
            for (size_t k = 0; k < c.index.size(); ++k) changed += m.index[k] != c.index[k];
            EXPECT_EQ(changed, 1);
        }
        EXPECT_TRUE(hand_candidate(f).knobs(f).empty());
    }
}

// A short real run on two small shapes: every measured candidate matched the reference, and a
// resumed run adds only new (family, shape, knobs) lines.
TEST(KernelTuner, CandidatesAreBitExactAndResumeMeasuresNothingTwice) {
    const fs::path log = temp_file("run.jsonl");
    std::vector<ConvShape> shapes(2);
    shapes[0].C = shapes[0].K = 16;
    shapes[0].H = shapes[0].W = 16;
    shapes[1].C = 24;
    shapes[1].K = 40;
    shapes[1].H = 9;
    shapes[1].W = 11;  // odd sizes: partial tiles, padded channels
    TuneOptions o;
    o.variants = {"direct", "cf43"};
    o.budget_minutes = 0.3;
    o.log_path = log.string();
    o.repetitions = 3;
    o.min_round_ms = 0.2;
    std::ostringstream progress;
    const std::vector<TuneResult> first = tune_kernels(shapes, o, progress);
    const std::vector<LogEntry> after_first = read_log(log.string());
    ASSERT_FALSE(after_first.empty());
    int ok = 0;
    for (const LogEntry& e : after_first) {
        EXPECT_NE(e.status, "mismatch") << e.variant << " " << e.shape << " " << e.knobs << ": " << e.error;
        ok += e.status == "ok";
    }
    EXPECT_GE(ok, 4);  // at least the hand schedule of both families on both shapes
    EXPECT_NE(progress.str().find("winoq-tune ["), std::string::npos);
    for (const TuneResult& r : first) EXPECT_GT(r.median_ms, 0) << r.variant << " " << r.shape;

    // Without --resume a used log is refused; with it, nothing already there is measured again.
    EXPECT_NE(error_of([&] { tune_kernels(shapes, o, progress); }).find("--resume"), std::string::npos);
    o.resume = true;
    o.budget_minutes = 0.1;
    tune_kernels(shapes, o, progress);
    std::set<std::string> keys;
    for (const LogEntry& e : read_log(log.string())) EXPECT_TRUE(keys.insert(e.key()).second) << e.key();
    EXPECT_GE(keys.size(), after_first.size());
}

std::vector<ConvLayer> two_layers() {
    ConvShape a, b;
    a.C = a.K = 16;
    a.H = a.W = 32;
    b = a;
    b.stride = 2;
    b.K = 32;
    return {{"conv1", a}, {"conv2", b}};
}

LogEntry timed(const std::string& variant, const ConvShape& s, double ms) {
    LogEntry e = sample_entry();
    e.variant = variant;
    e.shape = shape_key(s);
    e.median_ms = ms;
    return e;
}

TEST(Plan, PicksTheFastestMeasuredAllowedVariant) {
    const std::vector<ConvLayer> layers = two_layers();
    const std::string ht = sample_entry().halide_target;
    std::vector<LogEntry> log = {timed("direct_k3_s1", layers[0].shape, 0.5), timed("cf43", layers[0].shape, 0.3),
                                 timed("cf43", layers[0].shape, 0.2), timed("f23", layers[0].shape, 0.25),
                                 timed("direct_k3_s2", layers[1].shape, 0.4)};
    LogEntry other = timed("f23", layers[0].shape, 0.01);
    other.halide_target = "x86-64-linux-sse41";  // another machine's line: ignored
    log.push_back(other);
    Plan p = make_plan(layers, log, ht, {"direct", "f23", "cf43"});
    ASSERT_EQ(p.layers.size(), 2u);
    EXPECT_EQ(p.layers[0].variant, "cf43");
    EXPECT_DOUBLE_EQ(p.layers[0].ms, 0.2);
    EXPECT_EQ(p.layers[1].variant, "direct");  // stride 2: direct only
    EXPECT_DOUBLE_EQ(p.total_ms, 0.6);
    EXPECT_GT(p.mac_reduction, 1.0);
    p = make_plan(layers, log, ht, {"direct", "f23"});
    EXPECT_EQ(p.layers[0].variant, "f23");
    log.pop_back();
    log.pop_back();
    EXPECT_NE(error_of([&] { make_plan(layers, log, ht, {"direct"}); }).find("layer conv2"), std::string::npos);
}

TEST(LayerPlanFile, RoundTripsAndNamesBadLines) {
    const fs::path p = temp_file("plan.txt");
    LayerPlan plan;
    plan.comments = {"made by a test"};
    plan.layers = {{"conv1", "direct"}, {"layer1.0.conv1", "cf43"}, {"fc_stem", "float"}};
    write_layer_plan(p.string(), plan);
    const LayerPlan back = read_layer_plan(p.string());
    EXPECT_EQ(back.layers, plan.layers);
    EXPECT_EQ(back.comments, plan.comments);
    write_text(p, "# c\nconv1 = direct\nlayer1.0.conv1 = f63\n");
    EXPECT_NE(error_of([&] { read_layer_plan(p.string()); }).find(p.string() + ":3: unknown variant 'f63'"),
              std::string::npos);
    write_text(p, "conv1 = direct\n\nconv1 = cf43\n");
    EXPECT_NE(error_of([&] { read_layer_plan(p.string()); }).find(":3: layer 'conv1' is planned twice"),
              std::string::npos);
    write_text(p, "conv1 direct\n");
    EXPECT_NE(error_of([&] { read_layer_plan(p.string()); }).find(":1: expected 'layer = variant'"), std::string::npos);
}

TEST(ModelLayers, ArchitecturesGiveTheirConvShapes) {
    ModelSource src;
    src.arch = "resnet20";
    const std::vector<ConvLayer> r20 = conv_layers(src);
    EXPECT_EQ(r20.size(), 19u);
    src.arch = "resnet18";
    std::set<std::string> shapes3x3;
    for (const ConvLayer& l : conv_layers(src))
        if (variant_applies(Variant::kCF43, l.shape)) shapes3x3.insert(shape_key(l.shape));
    EXPECT_EQ(shapes3x3.size(), 4u);  // 64@56, 128@28, 256@14, 512@7
    src.arch = "vgg";
    EXPECT_NE(error_of([&] { conv_layers(src); }).find("--arch"), std::string::npos);
}

}  // namespace
