// winoq-train calibrate: post-training int8 quantization (no training): clipping factors from
// max / percentile / MSE statistics, evaluated in integer mode.
#include <cstdio>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/train/calibrate.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/evaluate.h"
#include "trainer/train/model_source.h"

namespace winoq::train::cli {
namespace {

struct CalibrateArgs {
    DataOptions data;
    ModelOptions model;
    RuntimeOptions runtime;
    CalibOptions calib;
    std::string from, out;
    bool json = false, no_eval = false;
};

void run(CalibrateArgs& a) {
    const torch::Device dev = apply_runtime(a.runtime);
    const Data data = load_data(a.data, true, !a.no_eval);
    ModelConfig cfg = model_config(a.model, data);
    if (!cfg.quantized())
        throw std::invalid_argument("calibrate needs an int8 --variant (direct, f23, f43, cf43, cf43m4)");
    ResNet model = build_model(cfg, a.from);
    model->to(dev);
    const CalibrationOptions co = calibration_options(a.calib, cfg.per_tap);
    calibrate(model, data.train, data.norm, co, a.calib.images, 128, a.runtime.seed);
    const nlohmann::json meta = {
        {"from", a.from},
        {"calibration", {{"method", a.calib.method}, {"percentile", a.calib.percentile}, {"images", a.calib.images}}}};
    if (!a.out.empty()) save_checkpoint(a.out, model, 0, meta);
    nlohmann::json result = {{"variant", cfg.variant}, {"per_tap", cfg.per_tap}, {"method", a.calib.method}};
    if (!a.no_eval) {
        const EvalResult r = evaluate(model, data.val, data.norm, Mode::kInteger);
        result["top1"] = r.top1;
        result["images"] = r.images;
        result["mode"] = "integer";
    }
    if (a.json)
        print_json(result);
    else if (!a.no_eval)
        std::printf("%s%s, %s clipping: top-1 %.2f%% on %ld images (integer mode)\n", cfg.variant.c_str(),
                    cfg.per_tap ? " per tap" : "", a.calib.method.c_str(), result["top1"].get<double>(),
                    long(result["images"].get<int64_t>()));
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
    auto a = std::make_shared<CalibrateArgs>();
    CLI::App* cmd = app.add_subcommand("calibrate", "Post-training int8: calibrate clipping factors, no training");
    cmd->add_option("--from", a->from, "FP32 safetensors file or winoq-train checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    add_data_options(cmd, a->data, true);
    add_model_options(cmd, a->model);
    add_runtime_options(cmd, a->runtime);
    add_calibration_options(cmd, a->calib);
    cmd->add_option("--out", a->out, "Write the calibrated model as a checkpoint");
    cmd->add_flag("--no-eval", a->no_eval, "Do not evaluate on the validation data");
    cmd->add_flag("--json", a->json, "Print the result as JSON");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
