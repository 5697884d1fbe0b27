// winoq-tune: schedule search for the kernels of a model on this CPU (docs/tuning.md).
//   winoq-tune kernels --arch resnet18 --log tune.jsonl [--budget MIN] [--resume]
//   winoq-tune plan --log tune.jsonl --arch resnet18 --allow direct,f23,cf43 --out plan.txt
#include <cstdio>
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
    bool json = false;
};

int run_kernels(const KernelsArgs& a) {
    TuneOptions o = a.tune;
    o.variants = split_list(a.variants);
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
            std::printf("%-14s %-28s %10.4f %10.4f %7.3fx  %s\n", r.variant.c_str(), r.shape.c_str(), r.median_ms,
                        r.hand_median_ms, speedup, r.knobs.c_str());
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
    kc->add_flag("--json", k.json, "The best knobs per shape as JSON");

    PlanArgs p;
    CLI::App* pc =
        app.add_subcommand("plan", "The fastest allowed variant per layer from a tuning log, as a plan file");
    add_model_source(pc, p.src);
    pc->add_option("--log", p.log, "The tuning log")->required();
    pc->add_option("--allow", p.allow, "Variants a layer may run")->capture_default_str();
    pc->add_option("--out", p.out, "Write the plan file here (winoq-train train / export --plan)");
    pc->add_flag("--json", p.json, "The plan and its totals as JSON");

    CLI11_PARSE(app, argc, argv);
    for (int i = 0; i < argc; ++i) p.command_line += (i ? " " : "") + std::string(argv[i]);
    try {
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
