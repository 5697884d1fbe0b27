// winoq bench: latency of whole models and of each layer, the median of repeated runs after
// warm-up runs, on the active kernel target. Several models (e.g. one network exported as
// direct, f43 and cf43) are measured one after the other; --chart draws their per-layer
// latencies side by side (gnuplot).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <random>

#include "chart.h"
#include "cli_common.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq/kernels/tuned_schedules.h"
#include "winoq/runner/model_executor.h"

namespace winoq::cli {
namespace {

struct BenchOptions {
    std::vector<std::string> models;
    int batch = 1, repeats = 20, warmup = 3;
    uint64_t memory_budget_mib = 0;
    bool json = false;
    std::string chart;
};

struct LayerTime {
    std::string name, variant;
    std::string schedule;  // int8 convs: the kernels' schedule ("hand", "tuned (...)")
    double ms = 0;         // median over the repeats
};

struct ModelTime {
    std::string path;
    Model model;
    std::vector<LayerTime> layers;  // ops in order, then "head"
    double total_ms = 0;            // median wall time of one run_pixels (whole batch)
};

struct BenchReport {
    std::string target;  // the kernel target every model ran on
    std::vector<ModelTime> models;
};

ModelTime measure(const std::string& path, const BenchOptions& o) {
    ModelTime t;
    t.path = path;
    t.model = open_model(path);
    const Model& m = t.model;
    ModelExecutor exec(m, o.batch, ExecEngine::kKernels, budget_bytes(o.memory_budget_mib));
    std::vector<uint8_t> pixels(size_t(o.batch) * m.image_size * m.image_size * m.in_channels);
    std::mt19937 rng(12345);  // fixed random pixels: latency does not depend on values
    for (uint8_t& p : pixels) p = uint8_t(rng() & 0xFF);
    std::vector<double> logits(size_t(o.batch) * m.num_classes());

    for (int i = 0; i < o.warmup; ++i) exec.run_pixels(pixels.data(), logits.data());
    const size_t n_layers = m.ops.size() + 1;
    std::vector<std::vector<double>> per_layer(n_layers);
    std::vector<double> totals;
    for (int r = 0; r < o.repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        exec.run_pixels(pixels.data(), logits.data());
        totals.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        const std::vector<double>& s = exec.op_seconds();
        for (size_t i = 0; i < n_layers && i < s.size(); ++i) per_layer[i].push_back(1e3 * s[i]);
    }
    for (size_t i = 0; i < n_layers; ++i) {
        const bool head = i == m.ops.size();
        LayerTime l;
        l.name = head ? "head" : m.ops[i].name;
        l.variant =
            head ? "int8" : (m.ops[i].kind == OpKind::kConv ? m.ops[i].variant_label() : op_kind_name(m.ops[i].kind));
        l.ms = median(per_layer[i]);
        if (!head && m.ops[i].kind == OpKind::kConv)
            if (const std::optional<Variant> v = m.ops[i].int8_variant())
                l.schedule = kernels::planned_schedule(*v, m.ops[i].conv_shape(), !m.ops[i].residual.empty());
        t.layers.push_back(l);
    }
    t.total_ms = median(totals);
    return t;
}

BenchReport collect_bench(const BenchOptions& o) {
    BenchReport r;
    r.target = active_target_name();
    for (const std::string& path : o.models) r.models.push_back(measure(path, o));
    return r;
}

void print_text(const BenchReport& r, const BenchOptions& o) {
    const std::vector<ModelTime>& all = r.models;
    std::cout << "kernel target: " << r.target << ", batch " << o.batch << ", median of " << o.repeats << " runs after "
              << o.warmup << " warm-up runs\n";
    for (const ModelTime& t : all) {
        std::cout << "\n";
        print_untrained_line(t.model);
        std::cout << "model " << t.model.name << " (" << t.path << ")" << (t.model.trained ? "" : " [untrained]")
                  << "\n";
        size_t w = 4;
        for (const LayerTime& l : t.layers) w = std::max(w, l.name.size());
        for (const LayerTime& l : t.layers)
            std::cout << "  " << pad_right(l.name, w) << "  " << pad_right(l.variant, 10)
                      << pad_left(fixed(l.ms, 4), 10) << " ms" << (l.schedule.empty() ? "" : "  " + l.schedule) << "\n";
        std::cout << "  " << pad_right("total", w) << "  " << pad_right("", 10) << pad_left(fixed(t.total_ms, 4), 10)
                  << " ms (" << fixed(t.total_ms / o.batch, 4) << " ms/image)\n";
    }
    if (all.size() > 1) {
        std::cout << "\ntotals (relative to the first model):\n";
        for (const ModelTime& t : all)
            std::cout << "  " << pad_right(t.model.name, 32) << pad_left(fixed(t.total_ms, 4), 10) << " ms  "
                      << fixed(t.total_ms / all[0].total_ms, 3) << "x\n";
    }
    if (!o.chart.empty()) std::cout << "\nchart: " << o.chart << "\n";
}

void print_json(const BenchReport& r, const BenchOptions& o) {
    nlohmann::json j = {{"target", r.target}, {"batch", o.batch}, {"repeats", o.repeats}, {"warmup", o.warmup}};
    j["models"] = nlohmann::json::array();
    for (const ModelTime& t : r.models) {
        nlohmann::json mj;
        add_model_fields(mj, t.model, t.path);
        mj["total_ms"] = t.total_ms;
        mj["ms_per_image"] = t.total_ms / o.batch;
        mj["layers"] = nlohmann::json::array();
        for (const LayerTime& l : t.layers)
            mj["layers"].push_back({{"name", l.name}, {"variant", l.variant}, {"schedule", l.schedule}, {"ms", l.ms}});
        j["models"].push_back(mj);
    }
    if (!o.chart.empty()) j["chart"] = o.chart;
    std::cout << j.dump(2) << "\n";
}

void draw_chart(const BenchReport& r, const BenchOptions& o) {
    const std::vector<ModelTime>& all = r.models;
    std::vector<std::string> categories;  // layer names in first-seen order across the models
    for (const ModelTime& t : all)
        for (const LayerTime& l : t.layers)
            if (std::find(categories.begin(), categories.end(), l.name) == categories.end())
                categories.push_back(l.name);
    std::vector<ChartSeries> series;
    for (const ModelTime& t : all) {
        ChartSeries s;
        s.title = t.model.name + (t.model.trained ? "" : " (untrained)") + ": " + fixed(t.total_ms, 3) + " ms";
        for (const std::string& c : categories) {
            auto it = std::find_if(t.layers.begin(), t.layers.end(), [&](const LayerTime& l) { return l.name == c; });
            s.values.push_back(it == t.layers.end() ? NAN : it->ms);
        }
        series.push_back(s);
    }
    write_bar_chart(o.chart,
                    "winoq bench: per-layer latency (median of " + std::to_string(o.repeats) + ", batch " +
                        std::to_string(o.batch) + ", " + r.target + ")",
                    "ms", categories, series);
}

int run_bench(const BenchOptions& o) {
    if (!o.chart.empty() && find_on_path("gnuplot").empty())  // fail before the long measurement
        throw std::runtime_error("--chart needs gnuplot, which is not on PATH (Debian: apt-get install gnuplot-nox)");
    const BenchReport r = collect_bench(o);
    if (!o.chart.empty()) draw_chart(r, o);
    if (o.json)
        print_json(r, o);
    else
        print_text(r, o);
    return 0;
}

}  // namespace

Command add_bench_command(CLI::App& root) {
    auto o = std::make_shared<BenchOptions>();
    CLI::App* app = root.add_subcommand(
        "bench", "Per-layer and total latency (median of repeated runs) on the active kernel target");
    app->add_option("--model,-m", o->models, "Model file; repeat to compare models (e.g. direct / f43 / cf43 exports)")
        ->required();
    app->add_option("--batch,-b", o->batch, "Images per run")->capture_default_str()->check(CLI::Range(1, kMaxBatch));
    add_memory_budget_option(app, o->memory_budget_mib);
    app->add_option("--repeats,-r", o->repeats, "Measured runs (the median is reported)")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    app->add_option("--warmup", o->warmup, "Unmeasured runs first")
        ->capture_default_str()
        ->check(CLI::Range(0, 100000));
    app->add_flag("--json", o->json, "Print one JSON document instead of text");
    app->add_option("--chart", o->chart,
                    "Write a per-layer latency bar chart PNG (one series per model; needs gnuplot)");
    return {app, [o] { return run_bench(*o); }};
}

}  // namespace winoq::cli
