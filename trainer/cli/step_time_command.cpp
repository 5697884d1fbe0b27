// winoq-train step-time: the cost of one training step of a variant against FP32 on the same
// random batch, in one process (medians; the machine is shared and noisy).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/train/calibrate.h"
#include "trainer/train/optim.h"

namespace winoq::train::cli {
namespace {

struct StepArgs {
    ModelOptions model;
    RuntimeOptions runtime;
    int batch_size = 128, steps = 5, image_size = 32;
    bool json = false;
};

// Median seconds of `steps` SGD steps (after one warm-up step).
double median_step(ResNet& model, const torch::Tensor& x, const torch::Tensor& y, int steps) {
    OptimOptions oo;
    Optimizer opt = make_optimizer(model, oo);
    model->train();
    std::vector<double> t;
    for (int s = 0; s <= steps; ++s) {
        const auto t0 = std::chrono::steady_clock::now();
        opt.opt->zero_grad();
        torch::cross_entropy_loss(model->forward(x), y).backward();
        opt.opt->step();
        if (s > 0) t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void run(StepArgs& a) {
    const torch::Device dev = apply_runtime(a.runtime);
    ModelConfig qc = model_config(a.model, Data{});
    qc.image_size = a.image_size;
    ModelConfig fc = qc;
    fc.variant = "float";
    fc.layer_variants.clear();
    const torch::Tensor x = torch::randn({a.batch_size, qc.in_channels, qc.image_size, qc.image_size}).to(dev);
    const torch::Tensor y = torch::randint(0, qc.num_classes, {a.batch_size}, torch::kLong).to(dev);
    ResNet fmodel(fc);
    fmodel->to(dev);
    fmodel->set_mode(Mode::kFloat);
    ResNet qmodel(qc);
    qmodel->to(dev);
    if (qc.quantized()) {
        ImageDataset d;  // calibrate on random images so the quantizers hold sensible values
        d.images =
            torch::randint(0, 256, {256, qc.in_channels, qc.image_size, qc.image_size}, torch::kLong).to(torch::kUInt8);
        d.labels = torch::zeros({256}, torch::kLong);
        Normalization n{std::vector<float>(qc.in_channels, 0.5f), std::vector<float>(qc.in_channels, 0.25f)};
        calibrate(qmodel, d, n, CalibrationOptions{}, 256, 128, a.runtime.seed);
    }
    const double tf = median_step(fmodel, x, y, a.steps);
    const double tq = median_step(qmodel, x, y, a.steps);
    const nlohmann::json j = {{"batch_size", a.batch_size},
                              {"threads", torch::get_num_threads()},
                              {"float_step_s", tf},
                              {"variant", qc.variant},
                              {"per_tap", qc.per_tap},
                              {"variant_step_s", tq},
                              {"ratio", tq / tf}};
    if (a.json)
        print_json(j);
    else
        std::printf("batch %d, %d threads: FP32 step %.3f s, %s%s step %.3f s, ratio %.2fx\n", a.batch_size,
                    torch::get_num_threads(), tf, qc.variant.c_str(), qc.per_tap ? " per tap" : "", tq, tq / tf);
}

}  // namespace

void add_step_time_command(CLI::App& app) {
    auto a = std::make_shared<StepArgs>();
    CLI::App* cmd = app.add_subcommand("step-time", "Median training-step time of a variant against FP32");
    add_model_options(cmd, a->model);
    add_runtime_options(cmd, a->runtime);
    cmd->add_option("--batch-size", a->batch_size, "Images per step")->capture_default_str();
    cmd->add_option("--steps", a->steps, "Timed steps per model")->capture_default_str();
    cmd->add_option("--image-size", a->image_size, "Input size")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
