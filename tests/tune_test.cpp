// winoq-tune (apps/winoq-tune, docs/tuning.md): the tuning log and plan files round-trip and
// name the file and line of a bad entry; JIT candidates of the AOT generators are checked bit
// for bit against the scalar reference; --resume measures nothing twice; plans pick the fastest
// measured variant and the trainer's files take them.
#include <gtest/gtest.h>

#include <cstdio>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "child_process.h"
#include "kernel_tuner.h"
#include "knob_space.h"
#include "machine_info.h"
#include "model_layers.h"
#include "plan.h"
#include "report.h"
#include "tuned_db.h"
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
    o.baselines = {};  // an autoscheduler compile takes minutes: the tuning runs of docs/tuning.md measure them
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

// The database keeps, per (family, shape class), the knobs that beat the hand schedule by
// min_speedup, grouped into configurations; it round-trips and names the line of a bad entry.
TEST(TunedDb, GroupsTheWinnersAndRoundTrips) {
    std::vector<LogEntry> log;
    auto add = [&](const std::string& shape, const std::string& knobs, double ms, double hand) {
        LogEntry e = sample_entry();
        e.shape = shape;
        e.knobs = knobs;
        e.median_ms = ms;
        e.hand_median_ms = hand;
        log.push_back(e);
    };
    add("c16_k16_32x32_k3_s1_p1_n1", "k_block=16 t_block=4", 0.5, 1.0);  // 2x: kept
    add("c16_k16_32x32_k3_s1_p1_n1", "t_block=2", 0.8, 1.0);
    add("c32_k32_16x16_k3_s1_p1_n1", "k_block=16 t_block=4", 0.4, 0.5);  // the same knobs win here
    add("c64_k64_8x8_k3_s1_p1_n1", "t_block=2", 0.99, 1.0);              // 1.01x: stays hand
    LogEntry other = sample_entry();
    other.halide_target = "x86-64-linux-sse41";  // another target's line does not count
    other.median_ms = 0.01;
    log.push_back(other);
    const TunedDb db = make_tuned_db(log, sample_entry().halide_target, DbOptions{});
    ASSERT_EQ(db.configs.size(), 1u);
    EXPECT_EQ(db.configs[0].family, "cf43");
    EXPECT_EQ(format_params(db.configs[0].knobs), "k_block=16 t_block=4");
    EXPECT_EQ(db.configs[0].shapes, (std::vector<std::string>{"c16_k16_32x32_k3_s1_p1", "c32_k32_16x16_k3_s1_p1"}));

    const TunedDb back = parse_tuned_db(to_json_text(db), "db.json");
    EXPECT_EQ(back.target, db.target);
    EXPECT_EQ(back.halide_target, db.halide_target);
    ASSERT_EQ(back.configs.size(), 1u);
    EXPECT_EQ(back.configs[0].knobs, db.configs[0].knobs);
    EXPECT_EQ(back.configs[0].shapes, db.configs[0].shapes);
    EXPECT_NE(error_of([&] { make_tuned_db(log, "arm-64-linux", DbOptions{}); }).find("no measurement"),
              std::string::npos);
}

TEST(TunedDb, BadEntriesNameTheFileAndLine) {
    TunedDb db;
    db.target = "avx2";
    db.halide_target = "x86-64-linux-avx-avx2-f16c-fma-sse41";
    db.configs.push_back({"cf43", {{"t_block", "4"}}, {"c16_k16_32x32_k3_s1_p1"}, {1.2}});
    db.configs.push_back({"direct_k3_s1", {{"tile_x", "4"}}, {"c16_k16_32x32_k3_s1_p1"}, {1.1}});
    const std::string good = to_json_text(db);
    ASSERT_NO_THROW(parse_tuned_db(good, "db.json"));
    auto error_with = [&](const std::string& from, const std::string& to) {
        std::string t = good;
        const size_t at = t.rfind(from);  // in the last configuration: line 4
        EXPECT_NE(at, std::string::npos) << from;
        t.replace(at, from.size(), to);
        return error_of([&] { parse_tuned_db(t, "db.json"); });
    };
    EXPECT_NE(error_with("\"tile_x\"", "\"tile_z\"").find("db.json:4: family direct_k3_s1 has no knob 'tile_z'"),
              std::string::npos);
    EXPECT_NE(error_with("\"4\"", "\"5\"").find("db.json:4: knob tile_x=5"), std::string::npos);
    EXPECT_NE(error_with("direct_k3_s1\"", "direct_k5_s1\"").find("db.json:4: unknown kernel family"),
              std::string::npos);
    EXPECT_NE(error_with("c16_k16_32x32_k3_s1_p1", "c16_k16_32x32_k1_s1_p0").find("db.json:4: "),
              std::string::npos);                                         // a 1x1 shape in a 3x3 family
    EXPECT_NE(error_with("]}", "").find("db.json:"), std::string::npos);  // truncated JSON
    EXPECT_NE(error_of([&] { parse_tuned_db("{\"format\": \"other\"}", "db.json"); }).find("db.json:1: format"),
              std::string::npos);
}

// A baseline that never finishes is killed at its limit; a child's stdout and exit code come back.
TEST(ChildProcess, OutputExitCodeAndTimeLimit) {
    const ChildResult ok =
        run_child({"/bin/sh", "-c", "echo measured; echo chatter >&2; echo Error: why >&2; exit 3"}, 30);
    EXPECT_FALSE(ok.timed_out);
    EXPECT_EQ(ok.exit_code, 3);
    EXPECT_EQ(ok.out, "measured\n");
    EXPECT_EQ(ok.error, "Error: why");
    const auto t0 = std::chrono::steady_clock::now();
    const ChildResult slow = run_child({"/bin/sleep", "30"}, 0.3);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(slow.timed_out);
    EXPECT_LT(s, 10.0);
    EXPECT_NE(error_of([] { run_child({"/nonexistent/winoq-tune"}, 1); }), "");
}

TEST(ModelLayers, ShapeKeysParseBack) {
    ConvShape s;
    s.N = 2;
    s.C = 24;
    s.K = 40;
    s.H = 9;
    s.W = 11;
    s.kernel = 1;
    s.stride = 2;
    s.pad = 0;
    ConvShape back;
    ASSERT_TRUE(parse_shape_key("c24_k40_9x11_k1_s2_p0_n2", back));
    EXPECT_EQ(shape_key(back), shape_key(s));
    EXPECT_EQ(back.H, 9);
    EXPECT_EQ(back.W, 11);
    for (const char* bad : {"c24_k40_9x11_k1_s2_p0", "c024_k40_9x11_k1_s2_p0_n2", "c24_k40_9x11_k1_s2_p0_n2 ", ""})
        EXPECT_FALSE(parse_shape_key(bad, back)) << bad;
    EXPECT_EQ(parse_params("k_block=16 t_block=4"), (GeneratorParams{{"k_block", "16"}, {"t_block", "4"}}));
    EXPECT_TRUE(parse_params("(hand schedule)").empty());
    EXPECT_NE(error_of([] { parse_params("k_block"); }), "");
}

// The report's ratios: tuned vs hand from the best candidate's own measurement, tuned vs a
// baseline through each one's interleaved hand time; a baseline that timed out is shown as such.
TEST(Report, RatiosComeFromEachInterleavedMeasurement) {
    std::vector<LogEntry> log;
    LogEntry hand = sample_entry();
    hand.knobs = "(hand schedule)";
    hand.median_ms = 0.26;
    hand.hand_median_ms = 0.25;
    log.push_back(hand);
    LogEntry fast = sample_entry();  // 0.125 ms against 0.25: 2x
    log.push_back(fast);
    LogEntry adams = sample_entry();
    adams.knobs = "autoscheduler=Adams2019 est_c=16";
    adams.median_ms = 3.0;
    adams.hand_median_ms = 0.3;  // 10x slower than its hand run
    log.push_back(adams);
    LogEntry other = sample_entry();
    other.shape = "c32_k32_16x16_k3_s1_p1_n1";
    other.median_ms = 0.2;
    other.hand_median_ms = 0.4;  // 2x
    log.push_back(other);
    LogEntry timeout = other;
    timeout.knobs = "autoscheduler=Adams2019 est_c=32";
    timeout.status = "timeout";
    timeout.median_ms = timeout.hand_median_ms = 0;
    log.push_back(timeout);
    LogEntry elsewhere = sample_entry();
    elsewhere.halide_target = "arm-64-linux";
    elsewhere.median_ms = 0.01;  // another machine's: not counted
    log.push_back(elsewhere);

    const Report r = make_report(log, sample_entry().halide_target);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0].shape, "c16_k16_32x32_k3_s1_p1_n1");
    EXPECT_EQ(r.rows[0].candidates, 2);
    EXPECT_EQ(r.rows[0].best_knobs, "k_block=16 t_block=4");
    EXPECT_DOUBLE_EQ(r.rows[0].speedup(), 2.0);
    EXPECT_DOUBLE_EQ(r.rows[0].over("Adams2019"), 20.0);  // (3.0 / 0.3) / (0.125 / 0.25)
    EXPECT_EQ(r.rows[1].over("Adams2019"), 0.0);
    EXPECT_DOUBLE_EQ(r.geomean_speedup, 2.0);
    const std::string md = to_markdown(r);
    EXPECT_NE(md.find("timeout"), std::string::npos);
    EXPECT_NE(md.find("20.0x"), std::string::npos);
    EXPECT_NE(error_of([&] { make_report(log, "x86-64-linux-sse41"); }).find("no measurement"), std::string::npos);
}

#ifdef WINOQ_TUNE_EXE
// The Adams2019 baseline through the child process of the real winoq-tune, on a small 1x1
// direct shape (its compile takes seconds): checked against the reference like any candidate.
TEST(KernelTuner, AutoschedulerBaselineRunsInAChildProcess) {
    const fs::path log = temp_file("baseline.jsonl");
    ConvShape s;
    s.C = 16;
    s.K = 32;
    s.H = s.W = 14;
    s.kernel = 1;
    s.stride = 2;
    s.pad = 0;
    TuneOptions o;
    o.variants = {"direct"};
    o.budget_minutes = 0.05;  // the hand schedule, the baseline, then the deadline
    o.log_path = log.string();
    o.measure_exe = WINOQ_TUNE_EXE;
    o.repetitions = 3;
    std::ostringstream progress;
    const std::vector<TuneResult> r = tune_kernels({s}, o, progress);
    int baselines = 0;
    for (const LogEntry& e : read_log(log.string())) {
        if (!e.is_baseline()) continue;
        ++baselines;
        EXPECT_TRUE(e.status == "ok" || e.status == "timeout") << e.status << ": " << e.error;
        EXPECT_NE(e.status, "mismatch");
        EXPECT_EQ(e.shape, shape_key(s));
        if (e.status == "ok") {
            ASSERT_EQ(r.size(), 1u);
            EXPECT_EQ(r[0].baseline_ms.count("Adams2019"), 1u);
        }
    }
    EXPECT_EQ(baselines, 1);
    o.resume = true;  // the baseline is logged: not measured again
    tune_kernels({s}, o, progress);
    int again = 0;
    for (const LogEntry& e : read_log(log.string())) again += e.is_baseline();
    EXPECT_EQ(again, 1);
}
#endif

}  // namespace
