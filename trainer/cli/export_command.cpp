// winoq-train export: an int8 checkpoint (or an untrained ResNet of the right shapes) as a
// deployable winoq::Model file (winoq/model/model.h, docs/model-format.md), re-loaded as a check.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/export/export_model.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/evaluate.h"
#include "trainer/train/model_source.h"

namespace winoq::train::cli {
namespace {

struct ExportArgs {
    std::string checkpoint, out, name;
    int image_size = 0;
    bool untrained = false, json = false, eval = false, data_given = false;
    DataOptions data;    // --data, and the validation split of --eval
    ModelOptions model;  // --untrained only
    int64_t calib_images = 16;
    RuntimeOptions runtime;
};

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string text(const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// What the checkpoint says about its training: the last epoch's validation top-1 and mode.
void add_checkpoint_info(const CheckpointInfo& ci, std::map<std::string, std::string>& info) {
    info["checkpoint_epoch"] = std::to_string(ci.epoch);
    if (ci.meta.contains("last_epoch")) {
        const nlohmann::json& e = ci.meta["last_epoch"];
        if (e.contains("val_top1")) info["val_top1"] = text(e["val_top1"]);
        if (e.contains("val_mode")) info["val_mode"] = text(e["val_mode"]);
    }
    if (ci.meta.contains("from")) info["trained_from"] = text(ci.meta["from"]);
    if (ci.meta.contains("calibration")) info["calibration"] = text(ci.meta["calibration"]);
}

// A ResNet of the requested shapes with random weights, its clipping factors calibrated on
// Gaussian images: a model for latency and MAC measurements only.
ResNet untrained_net(const ExportArgs& a, ExportOptions& eo) {
    if (a.model.variant == "float")
        throw std::invalid_argument("export --untrained needs an int8 --variant (e.g. cf43)");
    UntrainedOptions u;
    u.arch = a.model.arch;
    u.variant = a.model.variant;
    u.layer_variants = layer_variants(a.model);
    u.per_tap = a.model.per_tap;
    u.per_channel_u = a.model.per_channel_u;
    u.image_size = a.image_size;
    u.seed = a.runtime.seed;
    u.calib_images = a.calib_images;
    ResNet net = untrained_model(u);
    eo.trained = false;
    eo.dataset = u.arch == "resnet18" ? "imagenet-shapes" : "cifar10-shapes";
    eo.info["source"] = "untrained: seed " + std::to_string(u.seed) +
                        ", clipping factors calibrated (percentile 99.99) on " + std::to_string(u.calib_images) +
                        " Gaussian random images";
    return net;
}

ResNet checkpoint_net(const ExportArgs& a, ExportOptions& eo) {
    if (a.checkpoint.empty()) throw std::invalid_argument("export needs --checkpoint FILE (or --untrained)");
    if (is_safetensors_path(a.checkpoint)) throw std::invalid_argument(kExportNeedsInt8);
    CheckpointInfo ci;
    ResNet net = load_checkpoint_model(a.checkpoint, &ci);
    if (!ci.config.quantized()) throw std::invalid_argument(kExportNeedsInt8);
    std::string data = a.data_given ? a.data.dataset : "";
    if (data.empty() && ci.meta.contains("data") && ci.meta["data"].is_string()) data = ci.meta["data"];
    if (data.empty()) data = dataset_for(ci.config);  // calibrate's checkpoints record no data set
    eo.dataset = data;
    eo.info["source"] = std::filesystem::absolute(a.checkpoint).lexically_normal().string();
    add_checkpoint_info(ci, eo.info);
    return net;
}

// --eval: the integer-mode top-1 on the validation split, recorded in the model's info.
void record_top1(const ExportArgs& a, ResNet& net, ExportOptions& eo) {
    if (a.untrained) throw std::invalid_argument("--eval: an untrained model has no data set to evaluate on");
    DataOptions d = a.data;
    d.dataset = eo.dataset;
    const Data data = load_data(d, false, true);
    const EvalResult r = evaluate(net, data.val, data.norm, Mode::kInteger);
    eo.info["top1"] = std::to_string(r.top1);
    eo.info["top1_images"] = std::to_string(r.images);
    eo.info["top1_mode"] = "integer (the exported arithmetic)";
}

struct ExportSummary {
    Model model;
    winoq::ModelMacs macs;
    std::uintmax_t bytes = 0;  // of the written file
};

// Writes the model file, then loads it back: every validation of load_model must pass and
// the re-loaded model must serialize the same.
ExportSummary write_and_check(const std::string& path, ResNet& net, const ExportOptions& eo) {
    ExportSummary s;
    s.model = export_model(net, eo);
    save_model(path, s.model);
    const Model back = load_model(path);
    if (serialize_model(back) != serialize_model(s.model))
        throw std::runtime_error("export: " + path + " re-loads to a different model (serialization bug)");
    s.macs = winoq::count_macs(back);
    s.bytes = std::filesystem::file_size(path);
    return s;
}

void print_summary_json(const ExportArgs& a, const ExportSummary& s) {
    const Model& m = s.model;
    nlohmann::json j = {{"out", a.out},
                        {"name", m.name},
                        {"arch", m.arch},
                        {"dataset", m.dataset},
                        {"trained", m.trained},
                        {"image_size", m.image_size},
                        {"classes", m.num_classes()},
                        {"ops", m.ops.size()},
                        {"macs", s.macs.actual},
                        {"direct_macs", s.macs.direct},
                        {"reduction", s.macs.reduction()},
                        {"bytes", s.bytes}};
    if (a.eval) j["top1"] = std::stod(m.info.at("top1"));
    print_json(j);
}

void print_summary_text(const ExportArgs& a, const ExportSummary& s) {
    const Model& m = s.model;
    std::printf("%s: %s (%s, %s, %dx%dx%d, %d classes%s)\n", a.out.c_str(), m.name.c_str(), m.arch.c_str(),
                m.dataset.c_str(), m.in_channels, m.image_size, m.image_size, m.num_classes(),
                m.trained ? "" : ", untrained");
    std::printf("  %zu ops, %ld MACs per image (direct %ld): %.3fx fewer; %.1f KiB; re-loaded and checked\n",
                m.ops.size(), long(s.macs.actual), long(s.macs.direct), s.macs.reduction(), double(s.bytes) / 1024.0);
    if (a.eval)
        std::printf("  top-1 %s%% on %s validation images (integer mode)\n", m.info.at("top1").c_str(),
                    m.info.at("top1_images").c_str());
}

void run(ExportArgs& a) {
    apply_runtime(a.runtime);
    ExportOptions eo;
    eo.image_size = a.image_size;
    eo.name = a.name;
    eo.info["exported"] = utc_now();
    eo.info["command"] = command_line();
    ResNet net = a.untrained ? untrained_net(a, eo) : checkpoint_net(a, eo);
    net->eval();
    if (a.eval) record_top1(a, net, eo);
    const ExportSummary s = write_and_check(a.out, net, eo);
    if (a.json)
        print_summary_json(a, s);
    else
        print_summary_text(a, s);
}

}  // namespace

void add_export_command(CLI::App& app) {
    auto a = std::make_shared<ExportArgs>();
    CLI::App* cmd = app.add_subcommand("export", "Write an int8 model as a deployable winoq model file (safetensors)");
    cmd->add_option("--checkpoint", a->checkpoint,
                    "int8 winoq-train checkpoint (calibrate --out, or train with --variant)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", a->out, "Model file to write (.safetensors)")->required();
    cmd->add_option("--name", a->name, "Model name (default: arch-dataset-variant)");
    cmd->add_option("--image-size", a->image_size, "Input size the model runs at (default: the checkpoint's)");
    add_data_options(cmd, a->data, false);  // --data: the data set the model was trained on (default: the checkpoint's)
    cmd->add_flag(
        "--eval", a->eval,
        "Record the integer-mode top-1 on the validation split (--cifar-dir / --cifar, or Fashion-MNIST t10k)");
    cmd->add_flag("--untrained", a->untrained,
                  "Random weights (latency / MAC measurements): --arch, --variant, --per-tap, --seed, --image-size");
    add_model_options(cmd, a->model);
    cmd->add_option("--calib-images", a->calib_images,
                    "--untrained: Gaussian random images calibrating the clipping factors")
        ->capture_default_str();
    add_runtime_options(cmd, a->runtime);
    cmd->add_flag("--json", a->json, "Print the summary as JSON");
    cmd->callback([a, cmd] {
        a->data_given = cmd->count("--data") > 0;
        run(*a);
    });
}

}  // namespace winoq::train::cli
