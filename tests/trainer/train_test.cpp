// The training loop on tiny generated data: QAT lowers the loss; checkpoints round-trip and a
// resumed run ends exactly where an uninterrupted one does; a float checkpoint with BatchNorm
// converts into an int8 model (folded weights, clipping factors left to calibration).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "trainer/train/calibrate.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/distill.h"
#include "trainer/train/model_source.h"
#include "trainer/train/state.h"
#include "trainer/train/trainer.h"

namespace winoq::train {
namespace {

namespace fs = std::filesystem;

// Class 0: the top half brighter, class 1: the bottom half; plus noise.
ImageDataset tiny_data(int n, int size = 16) {
    torch::manual_seed(9);
    ImageDataset d;
    d.labels = torch::arange(n) % 2;
    torch::Tensor img = torch::rand({n, 3, size, size}) * 120;
    for (int i = 0; i < n; ++i) img[i].narrow(1, (i % 2) * size / 2, size / 2).add_(100);
    d.images = img.to(torch::kUInt8);
    d.num_classes = 10;
    return d;
}

const Normalization kNorm{{0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}};

ModelConfig tiny_config(const std::string& variant) {
    ModelConfig c;
    c.variant = variant;
    c.image_size = 16;
    return c;
}

TrainOptions tiny_options(const std::string& out, int epochs) {
    TrainOptions o;
    o.epochs = epochs;
    o.batch_size = 16;
    o.optim.optimizer = "adam";
    o.optim.lr = 2e-3;
    o.optim.weight_decay = 0;
    o.optim.schedule = "constant";
    o.augmentation = {0, false};
    o.out_dir = out;
    o.progress = false;
    return o;
}

fs::path temp_dir(const std::string& tag) {
    const fs::path d = fs::temp_directory_path() / ("winoq_train_test_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

TEST(Training, QuantizationAwareTrainingLowersTheLoss) {
    torch::set_num_threads(1);
    const ImageDataset data = tiny_data(64);
    torch::manual_seed(1);
    ResNet model(tiny_config("cf43"));
    calibrate(model, data, kNorm, CalibrationOptions{}, 64, 32, 1);
    const fs::path out = temp_dir("qat");
    const auto log = train_model(model, data, &data, kNorm, tiny_options(out.string(), 5));
    ASSERT_EQ(log.size(), 5u);
    EXPECT_LT(log.back().train_loss, 0.7 * log.front().train_loss);
    EXPECT_GT(log.back().val_top1, 90.0);
    EXPECT_TRUE(fs::exists(out / "checkpoint.pt") && fs::exists(out / "best.pt"));
    EXPECT_TRUE(fs::exists(out / "log.csv") && fs::exists(out / "log.json"));
    EXPECT_FALSE(fs::exists(out / "checkpoint.pt.tmp"));
    fs::remove_all(out);
}

TEST(Distillation, LossIsTheDocumentedMixture) {
    // By hand, one image of two classes: student logits (0, 0), teacher (ln 3, 0), T = 1:
    // teacher p = (3/4, 1/4), student q = (1/2, 1/2); KL(p || q) = 3/4 ln(3/2) + 1/4 ln(1/2).
    const torch::Tensor s = torch::zeros({1, 2}, torch::kDouble),
                        t = torch::tensor({{std::log(3.0), 0.0}}, torch::kDouble);
    const torch::Tensor label = torch::tensor({1}, torch::kLong);
    const double ce = std::log(2.0), kl = 0.75 * std::log(1.5) + 0.25 * std::log(0.5);
    EXPECT_NEAR(distillation_loss(s, label, t, 0.0, 1.0).item<double>(), ce, 1e-12);
    EXPECT_NEAR(distillation_loss(s, label, t, 1.0, 1.0).item<double>(), kl, 1e-12);
    EXPECT_NEAR(distillation_loss(s, label, t, 0.25, 1.0).item<double>(), 0.75 * ce + 0.25 * kl, 1e-12);
    // At T = 2 the logits halve (teacher p = (sqrt3, 1) / (sqrt3 + 1)) and the term gains T^2 = 4.
    const double p0 = std::sqrt(3.0) / (std::sqrt(3.0) + 1), p1 = 1 - p0;
    const double kl2 = p0 * std::log(p0 / 0.5) + p1 * std::log(p1 / 0.5);
    EXPECT_NEAR(distillation_loss(s, label, t, 1.0, 2.0).item<double>(), 4 * kl2, 1e-12);
    // A student equal to its teacher has no soft loss, and the gradient reaches only the student.
    const torch::Tensor x = torch::randn({4, 10}, torch::kDouble).requires_grad_(true);
    const torch::Tensor teacher = x.detach().clone().requires_grad_(true);
    const torch::Tensor l = distillation_loss(x, torch::zeros({4}, torch::kLong), teacher, 1.0, 4.0);
    EXPECT_NEAR(l.item<double>(), 0.0, 1e-12);
    l.backward();
    EXPECT_FALSE(teacher.grad().defined());
    Distillation d;
    d.weight = 1.5;
    EXPECT_THROW(validate(d), std::invalid_argument);
    d.weight = 0.5;
    d.temperature = 0;
    EXPECT_THROW(validate(d), std::invalid_argument);
}

TEST(Distillation, QatWithAFloatTeacherLearnsAndLogsTheRecipe) {
    torch::set_num_threads(1);
    const ImageDataset data = tiny_data(64);
    torch::manual_seed(3);
    ResNet teacher(tiny_config("float"));
    const fs::path tdir = temp_dir("teacher");
    const auto tlog = train_model(teacher, data, &data, kNorm, tiny_options(tdir.string(), 8));
    ASSERT_GT(tlog.back().val_top1, 90.0) << "the test needs a teacher that knows the task";
    ResNet student(tiny_config("cf43"));
    calibrate(student, data, kNorm, CalibrationOptions{}, 64, 32, 1);
    const fs::path out = temp_dir("distill");
    TrainOptions o = tiny_options(out.string(), 5);
    o.distill.teacher = teacher;
    o.distill.weight = 0.7;
    o.distill.temperature = 3.0;
    const StateDict before = state_dict(*teacher);
    const auto log = train_model(student, data, &data, kNorm, o);
    EXPECT_LT(log.back().train_loss, 0.7 * log.front().train_loss);
    EXPECT_GT(log.back().val_top1, 90.0);
    for (const auto& [name, t] : state_dict(*teacher)) EXPECT_TRUE(torch::equal(t, before.at(name))) << name;
    std::ifstream f(out / "log.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    EXPECT_EQ(j.at("train").at("distillation").at("temperature"), 3.0);
    fs::remove_all(out);
    fs::remove_all(tdir);
}

TEST(Training, ResumedRunEqualsAnUninterruptedOne) {
    torch::set_num_threads(1);
    const ImageDataset data = tiny_data(32);
    const fs::path a = temp_dir("a"), b = temp_dir("b");
    torch::manual_seed(2);
    ResNet straight(tiny_config("f23"));
    calibrate(straight, data, kNorm, CalibrationOptions{}, 32, 32, 1);
    const StateDict init = state_dict(*straight);
    train_model(straight, data, nullptr, kNorm, tiny_options(a.string(), 2));

    ResNet first(tiny_config("f23"));
    load_state_dict(*first, init);
    train_model(first, data, nullptr, kNorm, tiny_options(b.string(), 1));
    CheckpointInfo info;
    ResNet resumed = load_checkpoint_model((b / "checkpoint.pt").string(), &info);
    EXPECT_EQ(info.epoch, 1);
    train_model(resumed, data, nullptr, kNorm, tiny_options(b.string(), 2), info.epoch, (b / "checkpoint.pt").string());

    const StateDict s1 = state_dict(*straight), s2 = state_dict(*resumed);
    ASSERT_EQ(s1.size(), s2.size());
    for (const auto& [name, t] : s1) EXPECT_TRUE(torch::equal(t, s2.at(name))) << name;
    fs::remove_all(a);
    fs::remove_all(b);
}

TEST(Checkpoint, RoundTripsConfigTensorsAndMetadata) {
    ModelConfig c = tiny_config("cf43m4");
    c.per_tap = true;
    c.layer_variants["conv1"] = "direct";
    ResNet model(c);
    {
        torch::NoGradGuard ng;
        for (auto& p : model->parameters()) p.uniform_(-1, 1);
    }
    const fs::path d = temp_dir("ckpt");
    fs::create_directories(d);
    const std::string path = (d / "m.pt").string();
    save_checkpoint(path, model, 7, {{"note", "hello"}});
    CheckpointInfo info;
    ResNet back = load_checkpoint_model(path, &info);
    EXPECT_EQ(info.epoch, 7);
    EXPECT_EQ(info.meta["note"], "hello");
    EXPECT_EQ(info.config.to_json(), c.to_json());
    EXPECT_EQ(back->stem->options().variant, "direct");
    const StateDict s1 = state_dict(*model), s2 = state_dict(*back);
    for (const auto& [name, t] : s1) EXPECT_TRUE(torch::equal(t, s2.at(name))) << name;
    EXPECT_THROW(load_checkpoint_model((d / "absent.pt").string()), std::runtime_error);
    // Not regular files (docs/security.md): refused at once, never read (a FIFO would block,
    // /dev/zero never ends).
    const std::string fifo = (d / "pipe.pt").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
    for (const std::string& bad : {fifo, std::string("/dev/zero")}) {
        try {
            read_checkpoint_info(bad);
            ADD_FAILURE() << bad << " read as a checkpoint";
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("winoq-train: checkpoint " + bad + ": is a"), std::string::npos) << msg;
            EXPECT_NE(msg.find("not a regular file"), std::string::npos) << msg;
        }
    }
    fs::remove_all(d);
}

TEST(Checkpoint, FloatModelWithBatchNormConvertsToInt8) {
    ModelConfig fc = tiny_config("float");
    fc.batchnorm = true;
    ResNet fmodel(fc);
    {
        torch::NoGradGuard ng;
        for (QConv& q : fmodel->convs()) q->bn->running_var.uniform_(0.5, 2.0);
    }
    const fs::path d = temp_dir("convert");
    fs::create_directories(d);
    save_checkpoint((d / "f.pt").string(), fmodel, 3, {});
    ResNet q = build_model(tiny_config("cf43"), (d / "f.pt").string());
    fmodel->fold_batchnorm();
    for (size_t i = 0; i < q->convs().size(); ++i) {
        EXPECT_TRUE(torch::equal(q->convs()[i]->weight, fmodel->convs()[i]->weight));
        EXPECT_TRUE(torch::equal(q->convs()[i]->bias, fmodel->convs()[i]->bias));
    }
    EXPECT_FALSE(all_calibrated(q));
    fs::remove_all(d);
}

}  // namespace
}  // namespace winoq::train
