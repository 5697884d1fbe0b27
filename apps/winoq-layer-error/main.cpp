// winoq-layer-error: relative RMS error of each int8 variant against a float convolution,
// with clipping factors from max / percentile / MSE calibration, per tensor or per tap (V, U and
// M; M on a power-of-two grid), on seeded random layers and on the 3x3 stride-1 layers of a
// real ResNet-20 (docs/errors.md).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "report.h"
#include "winoq/analysis/float_resnet20.h"
#include "winoq/analysis/layer_error.h"
#include "winoq/io/safetensors.h"
#include "winoq/analysis/stage_error.h"

namespace {

using namespace winoq;
using winoq::app::Config;
using winoq::app::LayerReport;

struct Options {
    std::vector<std::string> variants{"direct", "f23", "f43", "cf43", "cf43m4"};
    std::vector<std::string> methods{"max", "percentile", "mse"};
    std::vector<std::string> granularities{"tensor", "tap"};
    double percentile = 99.99;
    int mse_grid = 64;
    // random layers
    bool random = true;
    int channels = 32, out_channels = 32, size = 16, batch = 2, calib_batch = 2, trials = 3;
    uint64_t seed = 1;
    // real layers
    std::string model, cifar;
    int images = 4, calib_images = 4;
    std::vector<std::string> per_layer;  // configs "method/granularity", or "all"
    bool breakdown = false;
    int threads = 1;
    bool json = false;
};

template <typename T, typename Parse>
std::vector<T> parse_list(const std::vector<std::string>& names, Parse parse, const char* what) {
    std::vector<T> out;
    for (const std::string& n : names) {
        const auto v = parse(n);
        if (!v) throw std::invalid_argument(std::string("unknown ") + what + ": " + n);
        out.push_back(*v);
    }
    return out;
}

// The configs named by --per-layer ("all", or "method/granularity" items).
std::vector<Config> per_layer_configs(const Options& o, const std::vector<Config>& configs) {
    std::vector<Config> out;
    for (const std::string& item : o.per_layer) {
        if (item == "all") return configs;
        const size_t slash = item.find('/');
        const auto m = parse_clip_method(item.substr(0, slash));
        const auto g = slash == std::string::npos ? std::nullopt : parse_granularity(item.substr(slash + 1));
        if (!m || !g)
            throw std::invalid_argument("--per-layer: expected method/granularity (e.g. max/tensor), got " + item);
        bool selected = false;
        for (const Config& c : configs) selected |= c.method == *m && c.granularity == *g;
        if (!selected) throw std::invalid_argument("--per-layer: " + item + " is not among --methods / --granularity");
        out.push_back({*m, *g});
    }
    return out;
}

// Runs fn(0 .. n-1) on `threads` threads; rethrows the first failure.
void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn) {
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex m;
    auto work = [&] {
        for (size_t i; (i = next++) < n;) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(m);
                if (!failure) failure = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

std::vector<LayerData> random_layers(const Options& o) {
    std::vector<LayerData> out;
    for (int t = 0; t < o.trials; ++t)
        out.push_back(make_random_layer(o.channels, o.out_channels, o.size, o.size, o.calib_batch, o.batch,
                                        o.seed + uint64_t(t)));
    return out;
}

// Why the real-layer part cannot run, or "" if it can.
std::string real_layers_unavailable(const Options& o) {
    if (o.model.empty()) return "no --model given";
    if (!std::ifstream(o.model)) return "model " + o.model + " not found (../shared absent?)";
    if (o.cifar.empty()) return "no --cifar batch given (expand it with ../shared/data/cifar10-jpeg/expand.py)";
    if (!std::ifstream(o.cifar)) return "CIFAR-10 batch " + o.cifar + " not found (../shared absent or not expanded?)";
    return "";
}

// The 3x3 stride-1 convolutions of the ResNet-20 (the ones Winograd covers) with their real
// inputs from a float forward pass: the first calib_images images of the batch calibrate,
// the next `images` images are measured.
std::vector<LayerData> real_layers(const Options& o) {
    const FloatResNet20 net = load_float_resnet20(SafetensorsFile::load(o.model));
    std::vector<std::vector<double>> calib_in, eval_in;
    resnet20_forward(net, load_cifar10_images(o.cifar, 0, o.calib_images), o.calib_images, &calib_in);
    resnet20_forward(net, load_cifar10_images(o.cifar, o.calib_images, o.images), o.images, &eval_in);
    std::vector<LayerData> out;
    for (size_t i = 0; i < net.convs.size(); ++i) {
        if (net.convs[i].stride != 1) continue;
        LayerData d;
        d.layer = net.convs[i];
        d.H = d.W = resnet20_conv_input_size(net, i);
        d.n_calib = o.calib_images;
        d.n_eval = o.images;
        d.calib_x = std::move(calib_in[i]);
        d.eval_x = std::move(eval_in[i]);
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<LayerReport> measure(const std::vector<LayerData>& set, const std::vector<Variant>& variants,
                                 const std::vector<ClipMethod>& methods, const std::vector<ScaleGranularity>& grans,
                                 const CalibrationOptions& base, int threads) {
    std::vector<LayerReport> out(set.size());
    parallel_for(set.size(), threads, [&](size_t i) {
        const LayerData& d = set[i];
        out[i] = {d.layer.name, d.layer.C, d.layer.K,
                  d.H,          d.W,       measure_layer_errors(d, variants, methods, grans, base)};
    });
    return out;
}

// Mean over layers of each (variant, method, granularity) error.
std::vector<LayerError> mean_errors(const std::vector<LayerReport>& layers) {
    std::vector<LayerError> mean = layers.at(0).errors;
    for (size_t i = 0; i < mean.size(); ++i) {
        double s = 0;
        for (const LayerReport& l : layers) s += l.errors.at(i).rel_rms;
        mean[i].rel_rms = s / double(layers.size());
    }
    return mean;
}

// Rows of stage_error_breakdown with each variant's error the mean over the layers.
struct BreakdownTable {
    std::vector<std::string> stages;        // which stages are rounded, one per row
    std::vector<std::vector<double>> mean;  // [row][variant]
};

BreakdownTable mean_stage_errors(const std::vector<LayerData>& set, const std::vector<Variant>& wino,
                                 const CalibrationOptions& co, int threads) {
    std::vector<std::vector<std::vector<StageErrorRow>>> rows(wino.size(),
                                                              std::vector<std::vector<StageErrorRow>>(set.size()));
    parallel_for(wino.size() * set.size(), threads, [&](size_t i) {
        rows[i / set.size()][i % set.size()] = stage_error_breakdown(set[i % set.size()], wino[i / set.size()], co);
    });
    BreakdownTable t;
    for (size_t r = 0; r < rows[0][0].size(); ++r) {
        t.stages.push_back(rows[0][0][r].label);
        std::vector<double> means;
        for (size_t j = 0; j < wino.size(); ++j) {
            double mean = 0;
            for (const auto& layer_rows : rows[j]) mean += layer_rows[r].rel_rms / double(set.size());
            means.push_back(mean);
        }
        t.mean.push_back(means);
    }
    return t;
}

void write_breakdown(const BreakdownTable& t, const std::vector<Variant>& wino, const std::string& what,
                     const Config& c, std::ostream& md, nlohmann::json& js) {
    md << "#### Where the error comes from (" << what << ", float model, " << c.label()
       << ")\n\n| stages rounded to int8 |";
    std::string rule = "|---|";
    for (Variant v : wino) {
        md << " " << variant_name(v) << " |";
        rule += "---|";
    }
    md << "\n" << rule << "\n";
    nlohmann::json jc = nlohmann::json::array();
    for (size_t r = 0; r < t.stages.size(); ++r) {
        md << "| " << t.stages[r] << " |";
        nlohmann::json row = {{"stages", t.stages[r]}};
        for (size_t j = 0; j < wino.size(); ++j) {
            const double mean = t.mean[r][j];
            char buf[32];
            std::snprintf(buf, sizeof buf, mean >= 0.1 ? "%.3f" : "%.4f", mean);
            md << " " << buf << " |";
            row[variant_name(wino[j])] = mean;
        }
        md << "\n";
        jc.push_back(row);
    }
    md << "\n";
    js[c.label()] = jc;
}

// Error of the float model of each Winograd variant with only some stages rounded, mean
// over the layers of `set`: where the error comes from.
void breakdown(const std::vector<LayerData>& set, const std::string& what, const std::vector<Variant>& variants,
               const std::vector<Config>& configs, const CalibrationOptions& base, int threads, std::ostream& md,
               nlohmann::json& js) {
    std::vector<Variant> wino;
    for (Variant v : variants)
        if (is_winograd(v)) wino.push_back(v);
    if (wino.empty()) return;
    for (const Config& c : configs) {
        CalibrationOptions co = base;
        co.method = c.method;
        co.granularity = c.granularity;
        write_breakdown(mean_stage_errors(set, wino, co, threads), wino, what, c, md, js);
    }
}

void add_calibration_options(CLI::App& cli, Options& o) {
    cli.add_option("--variants", o.variants, "variants: direct f23 f43 cf43 cf43m4")
        ->delimiter(',')
        ->capture_default_str();
    cli.add_option("--methods", o.methods, "calibration methods: max percentile mse")
        ->delimiter(',')
        ->capture_default_str();
    cli.add_option("--granularity", o.granularities,
                   "scale granularity of the Winograd domain: tensor (one scale each for V, U and M) or tap (one per "
                   "tap for V, U and M; M's on a power-of-two grid, exact in the integer output transform)")
        ->delimiter(',')
        ->capture_default_str();
    cli.add_option("--percentile", o.percentile, "percentile of |value| for the percentile method")
        ->check(CLI::Range(0.001, 100.0))
        ->capture_default_str();
    cli.add_option("--mse-grid", o.mse_grid,
                   "MSE method: log-spaced candidates in [max/4096, max], then as many around the best")
        ->check(CLI::Range(2, 10000))
        ->capture_default_str();
}

void add_random_layer_options(CLI::App& cli, Options& o) {
    cli.add_flag("!--no-random", o.random, "skip the random layers");
    cli.add_option("--channels", o.channels, "random layers: input channels")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    cli.add_option("--out-channels", o.out_channels, "random layers: output channels")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    cli.add_option("--size", o.size, "random layers: height = width")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cli.add_option("--batch", o.batch, "random layers: evaluation images")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cli.add_option("--calib-batch", o.calib_batch, "random layers: calibration images")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cli.add_option("--trials", o.trials, "random layers: seeds averaged (seed, seed+1, ...)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cli.add_option("--seed", o.seed, "random layers: first seed")->capture_default_str();
}

void add_real_layer_options(CLI::App& cli, Options& o) {
    cli.add_option("--model", o.model, "ResNet-20 FP32 safetensors: measure its 3x3 stride-1 layers");
    cli.add_option("--cifar", o.cifar, "CIFAR-10 binary batch giving the real inputs (e.g. data_batch_5.bin)");
    cli.add_option("--images", o.images, "real layers: evaluation images (after the calibration images)")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cli.add_option("--calib-images", o.calib_images, "real layers: calibration images (the first of the batch)")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cli.add_option(
           "--per-layer", o.per_layer,
           "real layers: also a table with a row per layer for these configurations (method/granularity, or all)")
        ->delimiter(',');
}

void add_output_options(CLI::App& cli, Options& o) {
    cli.add_flag("--breakdown", o.breakdown,
                 "also the error of a float model with only some stages rounded to int8 (where the error comes from), "
                 "and with all stages rounded and M per tensor / per tap / per tap on the power-of-two grid; "
                 "mean over the random trials and over the real layers");
    cli.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 64))->capture_default_str();
    cli.add_flag("--json", o.json, "print JSON instead of markdown");
}

// What the options select, parsed from their names.
struct Selection {
    std::vector<Variant> variants;
    std::vector<ClipMethod> methods;
    std::vector<ScaleGranularity> grans;
    std::vector<Config> configs;       // every method x granularity
    std::vector<Config> layer_tables;  // the --per-layer ones
};

Selection parse_selection(const Options& o) {
    Selection s;
    s.variants = parse_list<Variant>(o.variants, parse_variant, "variant");
    s.methods = parse_list<ClipMethod>(o.methods, parse_clip_method, "method");
    s.grans = parse_list<ScaleGranularity>(o.granularities, parse_granularity, "granularity");
    for (ClipMethod m : s.methods)
        for (ScaleGranularity g : s.grans) s.configs.push_back({m, g});
    s.layer_tables = per_layer_configs(o, s.configs);
    return s;
}

// The markdown and the JSON document are built side by side and printed at the end.
struct Report {
    std::ostringstream md;
    nlohmann::json js;
};

void report_random_layers(const Options& o, const Selection& s, const CalibrationOptions& base, Report& rep) {
    const std::vector<LayerData> set = random_layers(o);
    const std::vector<LayerError> mean = mean_errors(measure(set, s.variants, s.methods, s.grans, base, o.threads));
    rep.js["random"] = {{"C", o.channels},
                        {"K", o.out_channels},
                        {"H", o.size},
                        {"W", o.size},
                        {"calib_images", o.calib_batch},
                        {"eval_images", o.batch},
                        {"trials", o.trials},
                        {"seed", o.seed},
                        {"mean_errors", app::to_json(mean)}};
    rep.md << "### Random layer: " << o.channels << " -> " << o.out_channels << " channels, " << o.size << "x" << o.size
           << ", He-normal weights, half-normal inputs; " << o.calib_batch << " calibration + " << o.batch
           << " evaluation images; mean of " << o.trials << " seeds from " << o.seed << "\n\n"
           << app::variant_table(mean, s.variants, s.configs) << "\n";
    if (o.breakdown)
        breakdown(set, "random layer", s.variants, s.configs, base, o.threads, rep.md, rep.js["random"]["breakdown"]);
}

void report_real_layers(const Options& o, const Selection& s, const CalibrationOptions& base, Report& rep) {
    const std::vector<LayerData> set = real_layers(o);
    const std::vector<LayerReport> layers = measure(set, s.variants, s.methods, s.grans, base, o.threads);
    nlohmann::json jl = nlohmann::json::array();
    for (const LayerReport& l : layers) jl.push_back(app::to_json(l));
    rep.js["resnet20"] = {{"model", o.model},
                          {"cifar", o.cifar},
                          {"calib_images", o.calib_images},
                          {"eval_images", o.images},
                          {"layers", jl}};
    rep.md << "### ResNet-20: the " << layers.size() << " 3x3 stride-1 layers, BatchNorm folded; " << o.calib_images
           << " calibration + " << o.images << " evaluation images of " << o.cifar << "\n\n"
           << app::summary_table(layers, s.variants, s.configs) << "\n";
    for (const Config& c : s.layer_tables)
        rep.md << "#### Per layer: " << c.label() << "\n\n" << app::per_layer_table(layers, s.variants, c) << "\n";
    if (o.breakdown)
        breakdown(set, "mean over the ResNet-20 layers", s.variants, s.configs, base, o.threads, rep.md,
                  rep.js["resnet20"]["breakdown"]);
}

void report(const Options& o, const Selection& s, const CalibrationOptions& base, Report& rep) {
    if (o.random) report_random_layers(o, s, base, rep);
    const std::string why = real_layers_unavailable(o);
    if (why.empty()) {
        report_real_layers(o, s, base, rep);
    } else if (!o.model.empty() || !o.cifar.empty()) {
        std::cerr << "winoq-layer-error: skipping the real ResNet-20 layers: " << why << "\n";
        rep.js["resnet20_skipped"] = why;
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App cli{
        "winoq-layer-error: relative RMS error ||y_q - y_float|| / ||y_float|| of the int8 convolution "
        "variants (scalar reference) with calibrated clipping factors, on random and ResNet-20 layers"};
    add_calibration_options(cli, o);
    add_random_layer_options(cli, o);
    add_real_layer_options(cli, o);
    add_output_options(cli, o);
    CLI11_PARSE(cli, argc, argv);

    Selection s;
    try {
        s = parse_selection(o);
    } catch (const std::exception& e) {
        std::cerr << "winoq-layer-error: " << e.what() << "\n";
        return 2;
    }
    CalibrationOptions base;
    base.percentile = o.percentile;
    base.mse_grid = o.mse_grid;

    const auto start = std::chrono::steady_clock::now();
    Report rep;
    try {
        report(o, s, base, rep);
    } catch (const std::exception& e) {
        std::cerr << "winoq-layer-error: " << e.what() << "\n";
        return 1;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rep.js["seconds"] = secs;
    if (o.json) {
        std::cout << rep.js.dump(2) << "\n";
    } else {
        std::cout << rep.md.str();
        std::fprintf(stderr, "winoq-layer-error: %.1f s\n", secs);
    }
    return 0;
}
