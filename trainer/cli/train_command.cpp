// winoq-train train: FP32 fine-tuning or quantization-aware training.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/train/calibrate.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/evaluate.h"
#include "trainer/train/model_source.h"
#include "trainer/train/trainer.h"

namespace winoq::train::cli {
namespace {

struct TrainArgs {
    DataOptions data;
    ModelOptions model;
    RuntimeOptions runtime;
    CalibOptions calib;
    TrainOptions train;
    std::string from, teacher;
    bool resume = false, no_flip = false, no_nesterov = false, no_progress = false;
    int crop_pad = -1;
};

namespace fs = std::filesystem;

TrainOptions train_options(const TrainArgs& a, const Data& data) {
    TrainOptions o = a.train;
    o.seed = a.runtime.seed;
    o.augmentation = data.augmentation;
    if (a.crop_pad >= 0) o.augmentation.pad = a.crop_pad;
    if (a.no_flip) o.augmentation.flip = false;
    o.optim.nesterov = !a.no_nesterov;
    o.progress = !a.no_progress;
    o.val_limit = 0;  // data.val is already cut to --val-limit
    return o;
}

// The FP32 teacher of --teacher (a checkpoint or safetensors file, BatchNorm folded) on `dev`.
ResNet load_teacher(const TrainArgs& a, const Data& data, const torch::Device& dev) {
    ModelConfig cfg = model_config(a.model, data);
    cfg.variant = "float";
    cfg.layer_variants.clear();
    cfg.per_tap = cfg.per_channel_u = cfg.batchnorm = false;
    std::string summary;
    ResNet teacher = build_model(cfg, a.teacher, &summary);
    teacher->to(dev);
    teacher->set_mode(Mode::kFloat);
    std::fprintf(stderr, "winoq-train: distilling from teacher %s (%s)\n", a.teacher.c_str(), summary.c_str());
    return teacher;
}

// Where training starts: OUT/checkpoint.pt with --resume when it exists, else a new model.
struct Start {
    ResNet model{nullptr};
    int epoch = 0;
    std::string resume_from;  // the checkpoint resumed, or ""
};

Start resume_or_build(const TrainArgs& a, const Data& data, const std::string& ckpt) {
    Start st;
    if (a.resume && fs::exists(ckpt)) {
        CheckpointInfo info;
        st.model = load_checkpoint_model(ckpt, &info);
        st.epoch = info.epoch;
        st.resume_from = ckpt;
        std::fprintf(stderr, "winoq-train: resuming %s after epoch %d\n", ckpt.c_str(), st.epoch);
    } else {
        if (a.resume) std::fprintf(stderr, "winoq-train: --resume: no %s yet, starting afresh\n", ckpt.c_str());
        std::string summary;
        st.model = build_model(model_config(a.model, data), a.from, &summary);
        std::fprintf(stderr, "winoq-train: model %s, %s\n", st.model->config().to_json().dump().c_str(),
                     summary.c_str());
    }
    return st;
}

// Int8 models train in fake-quant mode, from calibrated clipping factors.
void set_training_mode(ResNet& model, const TrainArgs& a, const Data& data) {
    if (!model->config().quantized()) {
        model->set_mode(Mode::kFloat);
        return;
    }
    if (model->config().batchnorm) throw std::invalid_argument("quantized models have no BatchNorm: drop --batchnorm");
    if (!all_calibrated(model)) {
        const CalibrationOptions co = calibration_options(a.calib, model->config().per_tap);
        calibrate(model, data.train, data.norm, co, a.calib.images, 128, a.runtime.seed);
        const EvalResult v = evaluate(model, data.val, data.norm, Mode::kFakeQuant, 256, 2000);
        std::fprintf(
            stderr,
            "winoq-train: calibrated clipping factors (%s); fake-quant top-1 on %ld validation images: %.2f%%\n",
            a.calib.method.c_str(), long(v.images), v.top1);
    }
    model->set_mode(Mode::kFakeQuant);
}

struct TrainResult {
    EvalResult eval;
    Mode mode = Mode::kFloat;  // the mode results are reported in (report_mode)
};

TrainResult final_validation(ResNet& model, const Data& data) {
    const Mode mode = report_mode(model->config());
    return {evaluate(model, data.val, data.norm, mode), mode};
}

nlohmann::json result_json(const TrainResult& r, const ResNet& model, const std::string& ckpt) {
    return {{"top1", r.eval.top1},
            {"images", r.eval.images},
            {"mode", r.mode == Mode::kInteger ? "integer" : "float"},
            {"model", model->config().to_json()},
            {"checkpoint", ckpt}};
}

void run(TrainArgs& a) {
    const torch::Device dev = apply_runtime(a.runtime);
    Data data = load_data(a.data, true, true);
    TrainOptions o = train_options(a, data);
    validate(o.distill);
    if (!a.teacher.empty()) o.distill.teacher = load_teacher(a, data, dev);
    const std::string ckpt = (fs::path(o.out_dir) / "checkpoint.pt").string();
    Start st = resume_or_build(a, data, ckpt);
    ResNet& model = st.model;
    model->to(dev);
    set_training_mode(model, a, data);
    const nlohmann::json meta = {{"from", a.from},
                                 {"teacher", a.teacher},
                                 {"data", a.data.dataset},
                                 {"train_images", data.train.size()},
                                 {"val_images", data.val.size()}};
    train_model(model, data.train, &data.val, data.norm, o, st.epoch, st.resume_from, meta);

    const nlohmann::json result = result_json(final_validation(model, data), model, ckpt);
    if (!o.out_dir.empty()) {
        std::ofstream f(fs::path(o.out_dir) / "result.json");
        f << result.dump(2) << "\n";
    }
    print_json(result);
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    CLI::App* cmd = app.add_subcommand("train", "Fine-tune (FP32) or quantization-aware train (int8) a ResNet");
    add_data_options(cmd, a->data, true);
    add_model_options(cmd, a->model);
    add_runtime_options(cmd, a->runtime);
    add_calibration_options(cmd, a->calib);
    cmd->add_option("--from", a->from, "Start from a PyTorch safetensors file or a winoq-train checkpoint");
    cmd->add_option("--out", a->train.out_dir, "Run folder: checkpoint.pt, best.pt, log.csv, log.json, result.json")
        ->required();
    cmd->add_option("--teacher", a->teacher,
                    "Knowledge distillation from this FP32 model (checkpoint or safetensors, same --arch): "
                    "the loss becomes (1-w) CE + w T^2 KL(teacher || student) at temperature T")
        ->check(CLI::ExistingFile);
    cmd->add_option("--distill-weight", a->train.distill.weight, "w: weight of the teacher term, in [0, 1]")
        ->capture_default_str();
    cmd->add_option("--distill-temperature", a->train.distill.temperature, "T: softmax temperature of both logits")
        ->capture_default_str();
    cmd->add_flag("--resume", a->resume, "Continue from OUT/checkpoint.pt (model, optimizer, epoch)");
    cmd->add_option("--epochs", a->train.epochs, "Epochs in total")->capture_default_str();
    cmd->add_option("--batch-size", a->train.batch_size, "Images per step")->capture_default_str();
    cmd->add_option("--optimizer", a->train.optim.optimizer, "sgd or adam")
        ->check(CLI::IsMember({"sgd", "adam"}))
        ->capture_default_str();
    cmd->add_option("--lr", a->train.optim.lr, "Base learning rate")->capture_default_str();
    cmd->add_option("--momentum", a->train.optim.momentum, "SGD momentum")->capture_default_str();
    cmd->add_flag("--no-nesterov", a->no_nesterov, "Plain instead of Nesterov momentum");
    cmd->add_option("--wd,--weight-decay", a->train.optim.weight_decay, "Weight decay of the conv / linear weights")
        ->capture_default_str();
    cmd->add_option("--alpha-lr-mult", a->train.optim.alpha_lr_mult, "Learning-rate factor of the clipping factors")
        ->capture_default_str();
    cmd->add_option("--schedule", a->train.optim.schedule, "cosine, step or constant")
        ->check(CLI::IsMember({"cosine", "step", "constant"}))
        ->capture_default_str();
    cmd->add_option("--milestones", a->train.optim.milestones,
                    "Step schedule: epochs (or fractions of the run, all < 1) where lr *= gamma")
        ->delimiter(',');
    cmd->add_option("--gamma", a->train.optim.gamma, "Step schedule factor")->capture_default_str();
    cmd->add_option("--warmup", a->train.optim.warmup_epochs, "Linear warm-up epochs")->capture_default_str();
    cmd->add_option("--crop-pad", a->crop_pad, "Random-crop padding (default: 4 CIFAR-10, 2 Fashion-MNIST; 0 off)");
    cmd->add_flag("--no-flip", a->no_flip, "No random horizontal flips");
    cmd->add_option("--max-steps", a->train.max_steps, "At most N steps per epoch (smoke tests, timing)");
    cmd->add_flag("--val-integer", a->train.val_integer, "Validate int8 models in integer mode every epoch (slower)");
    cmd->add_flag("--no-progress", a->no_progress, "No progress line");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
