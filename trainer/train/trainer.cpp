#include "trainer/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "trainer/train/checkpoint.h"
#include "trainer/train/evaluate.h"

namespace winoq::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string duration_text(double s) {
    const int64_t t = static_cast<int64_t>(s + 0.5);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", long(t / 3600), long(t / 60 % 60));
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", long(t / 60), long(t % 60));
    return buf;
}

void write_atomically(const fs::path& p, const std::string& text) {
    const fs::path tmp = p.string() + ".tmp";
    {
        std::ofstream f(tmp);
        f << text;
        if (!f) throw std::runtime_error("winoq-train: cannot write " + tmp.string());
    }
    fs::rename(tmp, p);
}

// OUT/log.csv gets one row per epoch; OUT/log.json the whole run (kept across resumes).
void append_logs(const fs::path& dir, const EpochRecord& r, const nlohmann::json& run) {
    const fs::path csv = dir / "log.csv";
    const bool fresh = !fs::exists(csv);
    std::ofstream f(csv, std::ios::app);
    if (fresh) f << "epoch,lr,train_loss,train_acc,val_top1,val_loss,val_mode,seconds\n";
    f << r.epoch << ',' << r.lr << ',' << r.train_loss << ',' << r.train_acc << ',' << r.val_top1 << ',' << r.val_loss
      << ',' << r.val_mode << ',' << r.seconds << '\n';
    nlohmann::json log = run;
    const fs::path json = dir / "log.json";
    if (fs::exists(json)) {
        std::ifstream in(json);
        const nlohmann::json old = nlohmann::json::parse(in, nullptr, false);
        if (!old.is_discarded() && old.contains("epochs")) log["epochs"] = old["epochs"];
    }
    // Drop records of epochs redone after a resume, then add this one.
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : log.value("epochs", nlohmann::json::array()))
        if (e.value("epoch", 0) < r.epoch) epochs.push_back(e);
    epochs.push_back(r.to_json());
    log["epochs"] = epochs;
    write_atomically(json, log.dump(2) + "\n");
}

// The best validation top-1 of epochs up to start_epoch in OUT/log.json (-1 if none): after
// a resume best.pt is replaced only by a better epoch.
double logged_best_top1(const fs::path& out, int start_epoch) {
    double best = -1;
    if (!fs::exists(out / "log.json")) return best;
    std::ifstream in(out / "log.json");
    const nlohmann::json old = nlohmann::json::parse(in, nullptr, false);
    if (!old.is_discarded())
        for (const auto& e : old.value("epochs", nlohmann::json::array()))
            if (e.value("epoch", 0) <= start_epoch) best = std::max(best, e.value("val_top1", -1.0));
    return best;
}

// What the progress line needs across epochs: its ETA is the mean step time of this run.
struct Progress {
    bool tty = false;
    Clock::time_point run_start, last_print;
    int64_t steps_done = 0;  // in this run, over every epoch
};

struct EpochTotals {
    double loss_sum = 0, lr = 0;  // lr: the last step's
    int64_t correct = 0, seen = 0;
};

// At most every 0.5 s on a terminal, 30 s in a log file, and after the epoch's last step.
void print_progress(Progress& p, const TrainOptions& o, int epoch, int64_t s, int64_t steps, const EpochTotals& t) {
    const auto now = Clock::now();
    const double since = std::chrono::duration<double>(now - p.last_print).count();
    if (!o.progress || !(since > (p.tty ? 0.5 : 30.0) || s + 1 == steps)) return;
    p.last_print = now;
    const double per_step = std::chrono::duration<double>(now - p.run_start).count() / double(p.steps_done);
    const double eta = per_step * double((steps - s - 1) + steps * (o.epochs - epoch));
    std::fprintf(stderr, "%sepoch %d/%d [%5ld/%ld] loss %.4f acc %.2f%% lr %.2e %.2fs/step ETA %s%s", p.tty ? "\r" : "",
                 epoch, o.epochs, long(s + 1), long(steps), t.loss_sum / double(t.seen),
                 100.0 * double(t.correct) / double(t.seen), t.lr, per_step, duration_text(eta).c_str(),
                 p.tty ? "   " : "\n");
    std::fflush(stderr);
}

// The `steps` optimizer steps of one epoch, on a seeded shuffle of the training set.
EpochTotals train_epoch(ResNet& model, Optimizer& opt, const ImageDataset& train, const Normalization& norm,
                        const TrainOptions& o, int epoch, int64_t steps, Progress& p) {
    const torch::Device dev = model->classifier->weight.device();
    const std::vector<int64_t> order = epoch_order(train.size(), o.seed, epoch, true);
    std::mt19937_64 rng(o.seed * 7919u + static_cast<uint64_t>(epoch));
    EpochTotals t;
    for (int64_t s = 0; s < steps; ++s) {
        t.lr = scheduled_lr(o.optim, (epoch - 1) + double(s) / double(steps), o.epochs);
        set_lr(opt, t.lr);
        const size_t first = static_cast<size_t>(s * o.batch_size);
        const std::vector<int64_t> idx(order.begin() + first,
                                       order.begin() + std::min(order.size(), first + size_t(o.batch_size)));
        torch::Tensor labels;
        const torch::Tensor x = make_batch(train, idx, norm, o.augmentation, rng, &labels).to(dev);
        labels = labels.to(dev);
        opt.opt->zero_grad();
        const torch::Tensor logits = model->forward(x);
        const torch::Tensor loss = o.distill.enabled()
                                       ? distillation_loss(logits, labels, teacher_logits(o.distill.teacher, x),
                                                           o.distill.weight, o.distill.temperature)
                                       : torch::cross_entropy_loss(logits, labels);
        loss.backward();
        opt.opt->step();
        const double l = loss.item<double>();
        if (!std::isfinite(l)) throw std::runtime_error("winoq-train: the loss diverged (" + std::to_string(l) + ")");
        t.loss_sum += l * double(idx.size());
        t.correct += (logits.argmax(1) == labels).sum().item<int64_t>();
        t.seen += static_cast<int64_t>(idx.size());
        ++p.steps_done;
        print_progress(p, o, epoch, s, steps, t);
    }
    return t;
}

// OUT/checkpoint.pt every epoch, OUT/best.pt when the validation top-1 improves, the logs.
void save_epoch(const fs::path& out, ResNet& model, Optimizer& opt, const EpochRecord& r, const nlohmann::json& run,
                bool validated, double& best) {
    nlohmann::json meta = run;
    meta["last_epoch"] = r.to_json();
    save_checkpoint((out / "checkpoint.pt").string(), model, r.epoch, meta, opt.opt.get());
    if (validated && r.val_top1 > best) {
        best = r.val_top1;
        save_checkpoint((out / "best.pt").string(), model, r.epoch, meta, nullptr);
    }
    append_logs(out, r, run);
}

}  // namespace

nlohmann::json TrainOptions::to_json() const {
    return {{"epochs", epochs},
            {"batch_size", batch_size},
            {"optimizer", optim.optimizer},
            {"lr", optim.lr},
            {"momentum", optim.momentum},
            {"nesterov", optim.nesterov},
            {"weight_decay", optim.weight_decay},
            {"alpha_lr_mult", optim.alpha_lr_mult},
            {"schedule", optim.schedule},
            {"milestones", optim.milestones},
            {"gamma", optim.gamma},
            {"warmup_epochs", optim.warmup_epochs},
            {"crop_pad", augmentation.pad},
            {"flip", augmentation.flip},
            {"seed", seed},
            {"max_steps", max_steps},
            {"val_integer", val_integer},
            {"distillation", distill.to_json()}};
}

nlohmann::json EpochRecord::to_json() const {
    return {{"epoch", epoch},           {"lr", lr},
            {"train_loss", train_loss}, {"train_acc", train_acc},
            {"val_top1", val_top1},     {"val_loss", val_loss},
            {"val_mode", val_mode},     {"seconds", seconds}};
}

std::vector<EpochRecord> train_model(ResNet& model, const ImageDataset& train, const ImageDataset* val,
                                     const Normalization& norm, const TrainOptions& o, int start_epoch,
                                     const std::string& resume_from, const nlohmann::json& run_meta) {
    Optimizer opt = make_optimizer(model, o.optim);
    if (!resume_from.empty() && !load_optimizer_state(resume_from, *opt.opt))
        std::fprintf(stderr, "winoq-train: %s has no optimizer state; starting it afresh\n", resume_from.c_str());
    const fs::path out = o.out_dir;
    if (!o.out_dir.empty()) fs::create_directories(out);
    nlohmann::json run = run_meta;
    run["model"] = model->config().to_json();
    run["train"] = o.to_json();
    const int64_t steps_full = (train.size() + o.batch_size - 1) / o.batch_size;
    const int64_t steps = o.max_steps > 0 ? std::min(o.max_steps, steps_full) : steps_full;
    const Mode train_mode = model->config().quantized() ? Mode::kFakeQuant : Mode::kFloat;
    const Mode val_mode = o.val_integer ? report_mode(model->config()) : train_mode;
    double best = o.out_dir.empty() ? -1 : logged_best_top1(out, start_epoch);
    std::vector<EpochRecord> records;
    Progress p;
    p.tty = isatty(fileno(stderr));
    p.run_start = Clock::now();

    for (int epoch = start_epoch + 1; epoch <= o.epochs; ++epoch) {
        model->set_mode(train_mode);
        model->train();
        const auto t0 = Clock::now();
        p.last_print = t0;
        const EpochTotals t = train_epoch(model, opt, train, norm, o, epoch, steps, p);
        EpochRecord r;
        r.epoch = epoch;
        r.lr = t.lr;
        r.train_loss = t.seen ? t.loss_sum / double(t.seen) : 0;
        r.train_acc = t.seen ? 100.0 * double(t.correct) / double(t.seen) : 0;
        if (val) {
            const EvalResult v = evaluate(model, *val, norm, val_mode, 256, o.val_limit);
            r.val_top1 = v.top1;
            r.val_loss = v.loss;
            r.val_mode = val_mode == Mode::kInteger ? "integer" : val_mode == Mode::kFakeQuant ? "fake-quant" : "float";
        }
        r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        std::fprintf(stderr, "%sepoch %d/%d done: train loss %.4f acc %.2f%%, val top-1 %.2f%% (%s), %s\n",
                     p.tty && o.progress ? "\n" : "", epoch, o.epochs, r.train_loss, r.train_acc, r.val_top1,
                     r.val_mode.c_str(), duration_text(r.seconds).c_str());
        records.push_back(r);
        if (!o.out_dir.empty()) save_epoch(out, model, opt, r, run, val != nullptr, best);
    }
    return records;
}

}  // namespace winoq::train
