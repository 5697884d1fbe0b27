// winoq-tune: schedule search for the kernels of a model on this CPU (docs/tuning.md).
//   winoq-tune kernels --arch resnet18 --log tune.jsonl [--budget MIN] [--resume]
//   winoq-tune plan --log tune.jsonl --arch resnet18 --allow direct,f23,cf43 --out plan.txt
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kernel_tuner.h"
#include "machine_info.h"
#include "model_layers.h"
#include "plan.h"
#include "report.h"
#include "tuned_db.h"
#include "winoq/model/layer_plan.h"

namespace {

using namespace winoq::tune;

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

void add_model_source(CLI::App* cmd, ModelSource& m) {
    auto* arch = cmd->add_option("--arch", m.arch, "resnet20 or resnet18: the layers of that architecture")
                     ->check(CLI::IsMember({"resnet20", "resnet18"}));
    auto* model = cmd->add_option("--model", m.model_path, "A winoq int8 model file: its conv layers");
    arch->excludes(model);
    cmd->add_option("--image-size", m.image_size, "Input size with --arch (default 32 / 224)");
    cmd->add_option("--batch", m.batch, "Images per call the layers are tuned for")->capture_default_str();
}

struct KernelsArgs {
    ModelSource src;
    TuneOptions tune;
    std::string variants = "direct,f23,cf43";
    std::string baselines = "Adams2019";
    bool json = false;
};

int run_kernels(const KernelsArgs& a) {
    TuneOptions o = a.tune;
    o.variants = split_list(a.variants);
    o.baselines = split_list(a.baselines);
    std::vector<winoq::ConvShape> shapes;
    for (const ConvLayer& l : conv_layers(a.src)) shapes.push_back(l.shape);
    const std::vector<TuneResult> results = tune_kernels(shapes, o, std::cerr);
    nlohmann::json j = nlohmann::json::array();
    if (!a.json)
        std::printf("%-14s %-28s %10s %10s %8s  %s\n", "variant", "shape", "best ms", "hand ms", "speedup", "knobs");
    for (const TuneResult& r : results) {
        if (r.median_ms <= 0) continue;
        const double speedup = r.hand_median_ms / r.median_ms;
        if (a.json) {
            j.push_back({{"variant", r.variant},
                         {"shape", r.shape},
                         {"best_ms", r.median_ms},
                         {"hand_ms", r.hand_median_ms},
                         {"speedup", speedup},
                         {"knobs", r.knobs},
                         {"candidates", r.candidates}});
        } else {
            std::string baselines;
            for (const auto& [name, ms] : r.baseline_ms)
                baselines +=
                    "  " + name + " " + std::to_string(ms) + " ms (" + std::to_string(ms / r.median_ms) + "x best)";
            std::printf("%-14s %-28s %10.4f %10.4f %7.3fx  %s%s\n", r.variant.c_str(), r.shape.c_str(), r.median_ms,
                        r.hand_median_ms, speedup, r.knobs.c_str(), baselines.c_str());
        }
    }
    if (a.json) std::cout << j.dump(2) << '\n';
    return 0;
}

struct PlanArgs {
    ModelSource src;
    std::string log, out, allow = "direct,f23,cf43", command_line;
    bool json = false;
};

int run_plan(const PlanArgs& a) {
    const MachineInfo mi = this_machine();
    const Plan p = make_plan(conv_layers(a.src), read_log(a.log), mi.halide_target, split_list(a.allow));
    winoq::LayerPlan lp;
    char totals[160];
    std::snprintf(totals, sizeof totals,
                  "total %.4f ms of tuned kernels (direct everywhere: %.4f ms); MAC reduction %.3fx", p.total_ms,
                  p.direct_total_ms, p.mac_reduction);
    lp.comments = {"winoq plan: " + a.command_line, "machine: " + mi.cpu + " (" + mi.target + "), " + utc_now_iso8601(),
                   totals};
    for (const PlannedLayer& l : p.layers) lp.layers.emplace_back(l.name, l.variant);
    if (!a.out.empty()) winoq::write_layer_plan(a.out, lp);
    if (a.json) {
        nlohmann::json layers = nlohmann::json::array();
        for (const PlannedLayer& l : p.layers)
            layers.push_back({{"layer", l.name},
                              {"variant", l.variant},
                              {"shape", l.shape},
                              {"ms", l.ms},
                              {"direct_ms", l.direct_ms}});
        std::cout << nlohmann::json{{"layers", layers},
                                    {"total_ms", p.total_ms},
                                    {"direct_total_ms", p.direct_total_ms},
                                    {"mac_reduction", p.mac_reduction}}
                         .dump(2)
                  << '\n';
        return 0;
    }
    for (const PlannedLayer& l : p.layers)
        std::printf("%-24s %-8s %-28s %9.4f ms (direct %9.4f)\n", l.name.c_str(), l.variant.c_str(), l.shape.c_str(),
                    l.ms, l.direct_ms);
    std::printf("%s\n", totals);
    return 0;
}

struct DbArgs {
    std::vector<std::string> logs;
    std::string out, command_line;
    DbOptions options;
};

int run_db(const DbArgs& a) {
    std::vector<LogEntry> log;
    for (const std::string& path : a.logs) {
        const std::vector<LogEntry> part = read_log(path);
        log.insert(log.end(), part.begin(), part.end());
    }
    const MachineInfo mi = this_machine();
    TunedDb db = make_tuned_db(log, mi.halide_target, a.options);
    db.date = utc_now_iso8601();
    db.command = a.command_line;
    // The build looks a target's file up by its name.
    if (std::filesystem::path(a.out).filename() != db.target + ".json")
        throw std::invalid_argument("--out " + a.out + ": the database of target " + db.target + " must be named " +
                                    db.target + ".json (the build reads schedules/tuned/<target>.json)");
    write_tuned_db(a.out, db);
    std::printf("%s: %zu configurations for %s\n", a.out.c_str(), db.configs.size(), db.target.c_str());
    for (const TunedConfig& c : db.configs)
        std::printf("  %-14s %-40s %zu shapes\n", c.family.c_str(), format_params(c.knobs).c_str(), c.shapes.size());
    return 0;
}

int run_check_db(const std::vector<std::string>& files) {
    for (const std::string& f : files) {
        const TunedDb db = read_tuned_db(f);
        std::printf("%s: %zu configurations for %s (%s)\n", f.c_str(), db.configs.size(), db.target.c_str(),
                    db.halide_target.c_str());
    }
    return 0;
}

int run_report(const std::vector<std::string>& logs, bool json) {
    std::vector<LogEntry> log;
    for (const std::string& path : logs) {
        const std::vector<LogEntry> part = read_log(path);
        log.insert(log.end(), part.begin(), part.end());
    }
    const Report r = make_report(log, this_machine().halide_target);
    if (!json) {
        std::cout << to_markdown(r);
        return 0;
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const ReportRow& row : r.rows) {
        nlohmann::json b = nlohmann::json::object();
        for (const auto& [n, res] : row.baselines)
            b[n] = {{"status", res.status}, {"ms", res.ms}, {"hand_ms", res.hand_ms}, {"tuned_over", row.over(n)}};
        rows.push_back({{"family", row.family},
                        {"shape", row.shape},
                        {"hand_ms", row.hand_ms},
                        {"tuned_ms", row.best_ms},
                        {"speedup", row.speedup()},
                        {"knobs", row.best_knobs},
                        {"candidates", row.candidates},
                        {"baselines", b}});
    }
    std::cout << nlohmann::json{{"rows", rows}, {"geomean_speedup", r.geomean_speedup}}.dump(2) << '\n';
    return 0;
}

struct MeasureArgs {
    std::string family, shape, knobs;
    TuneOptions tune;
};

int run_measure(const MeasureArgs& a) {
    winoq::ConvShape s;
    if (!parse_shape_key(a.shape, s))
        throw std::invalid_argument("--shape '" + a.shape + "' is not a shape (c64_k64_56x56_k3_s1_p1_n1)");
    std::cout << to_json_line(measure_one(a.family, s, parse_params(a.knobs), a.tune)) << std::endl;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"winoq-tune: search the kernels' schedule knobs on this CPU, and plan each layer's variant"};
    app.require_subcommand(1);

    KernelsArgs k;
    CLI::App* kc = app.add_subcommand(
        "kernels",
        "Tune the kernels of a model's conv shapes (JIT candidates, checked bit for bit, timed against "
        "the hand schedule); one log line per measurement");
    add_model_source(kc, k.src);
    kc->add_option("--variants", k.variants, "Kernel families: direct, f23, f43, cf43, cf43m4")->capture_default_str();
    kc->add_option("--budget", k.tune.budget_minutes, "Minutes for the whole run")->capture_default_str();
    kc->add_option("--log", k.tune.log_path, "The tuning log (JSON lines)")->required();
    kc->add_flag("--resume", k.tune.resume, "Continue the log: measure only what it does not hold");
    kc->add_option("--repetitions", k.tune.repetitions, "Timed rounds per measurement")->capture_default_str();
    kc->add_option("--round-ms", k.tune.min_round_ms, "Milliseconds per timed round (calls of the hand schedule)")
        ->capture_default_str();
    kc->add_option("--seed", k.tune.seed, "Seed of the random proposals")->capture_default_str();
    kc->add_option("--baselines", k.baselines,
                   "Halide autoschedulers measured on every shape: Adams2019, Li2018, Mullapudi2016 (\"\": none)")
        ->capture_default_str();
    kc->add_option("--baseline-timeout", k.tune.baseline_timeout_s,
                   "Seconds one baseline may take to compile and measure (a child process, then killed)")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 3600.0));
    kc->add_flag("--json", k.json, "The best knobs per shape as JSON");

    MeasureArgs m;
    CLI::App* mc =
        app.add_subcommand("measure",
                           "Measure one candidate on one shape and print its log line (kernels runs the autoscheduler "
                           "baselines this way, in a child process it can stop)");
    mc->add_option("--family", m.family, "Kernel family: cf43, f23, direct_k3_s1 ...")->required();
    mc->add_option("--shape", m.shape, "Shape as the log spells it: c64_k64_56x56_k3_s1_p1_n1")->required();
    mc->add_option("--knobs", m.knobs, "Knobs as the log spells them: \"k=v k=v\", or \"(hand schedule)\"")->required();
    mc->add_option("--repetitions", m.tune.repetitions, "Timed rounds")->capture_default_str();
    mc->add_option("--round-ms", m.tune.min_round_ms, "Milliseconds per timed round")->capture_default_str();

    PlanArgs p;
    CLI::App* pc =
        app.add_subcommand("plan", "The fastest allowed variant per layer from a tuning log, as a plan file");
    add_model_source(pc, p.src);
    pc->add_option("--log", p.log, "The tuning log")->required();
    pc->add_option("--allow", p.allow, "Variants a layer may run")->capture_default_str();
    pc->add_option("--out", p.out, "Write the plan file here (winoq-train train / export --plan)");
    pc->add_flag("--json", p.json, "The plan and its totals as JSON");

    DbArgs d;
    CLI::App* dc = app.add_subcommand(
        "db", "The tuned-schedule database of this machine's target from tuning logs (schedules/tuned/<target>.json)");
    dc->add_option("--log", d.logs, "Tuning logs (several: their measurements together)")->required();
    dc->add_option("--out", d.out, "The database file to write")->required();
    dc->add_option("--max-configs", d.options.max_configs, "Configurations kept (the build compiles each)")
        ->capture_default_str();
    dc->add_option("--min-speedup", d.options.min_speedup, "Keep the hand schedule of a shape unless beaten by this")
        ->capture_default_str();

    std::vector<std::string> check_files;
    CLI::App* cc = app.add_subcommand("check-db", "Check tuned-schedule databases (errors name the file and line)");
    cc->add_option("files", check_files, "Database files")->required();

    std::vector<std::string> report_logs;
    bool report_json = false;
    CLI::App* rc = app.add_subcommand(
        "report", "Per kernel family and shape: hand, best tuned and autoscheduler baselines, from tuning logs");
    rc->add_option("--log", report_logs, "Tuning logs (several: their measurements together)")->required();
    rc->add_flag("--json", report_json, "The rows as JSON instead of a markdown table");

    CLI11_PARSE(app, argc, argv);
    for (int i = 0; i < argc; ++i) p.command_line += (i ? " " : "") + std::string(argv[i]);
    d.command_line = p.command_line;
    try {
        if (dc->parsed()) return run_db(d);
        if (cc->parsed()) return run_check_db(check_files);
        if (mc->parsed()) return run_measure(m);
        if (rc->parsed()) return run_report(report_logs, report_json);
        if (kc->parsed()) {
            if (k.src.arch.empty() && k.src.model_path.empty()) throw std::invalid_argument("give --arch or --model");
            return run_kernels(k);
        }
        if (p.src.arch.empty() && p.src.model_path.empty()) throw std::invalid_argument("give --arch or --model");
        return run_plan(p);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "winoq-tune: %s\n", e.what());
        return 1;
    }
}
