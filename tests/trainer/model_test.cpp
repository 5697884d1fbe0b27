// Models: MAC counts against docs/method.md section 3, the import of the pretrained ResNet-20
// (BatchNorm folding, option A shortcuts) against the runtime's independent float ResNet-20,
// BatchNorm folding, and integer mode on every layer of a real model against the scalar
// reference, bit for bit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "trainer/data/cifar10.h"
#include "trainer/models/import.h"
#include "trainer/models/macs.h"
#include "trainer/models/resnet.h"
#include "trainer/train/calibrate.h"
#include "trainer/train/evaluate.h"
#include "winoq/analysis/float_resnet20.h"
#include "winoq/numerics/reference.h"

namespace winoq::train {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
std::string checkpoint_path() {
    return env_or("WINOQ_SHARED_DIR", WINOQ_DEFAULT_SHARED_DIR) + "/models/resnet20_cifar10_fp32.safetensors";
}
std::string cifar_batch5() { return env_or("WINOQ_CIFAR_DIR", WINOQ_DEFAULT_CIFAR_DIR) + "/data_batch_5.bin"; }

ModelConfig config(const std::string& variant, bool per_tap = false, const std::string& arch = "resnet20") {
    ModelConfig c;
    c.arch = arch;
    c.variant = variant;
    c.per_tap = per_tap;
    c.image_size = arch == "resnet18" ? 224 : 32;
    c.num_classes = arch == "resnet18" ? 1000 : 10;  // the ImageNet classifier counts in docs/method.md
    return c;
}

TEST(Macs, ResNet20MatchesMethodSection3) {
    ResNet direct(config("direct"));
    EXPECT_EQ(count_macs(direct).direct, 40551040);
    EXPECT_DOUBLE_EQ(count_macs(direct).reduction(), 1.0);
    const std::vector<std::pair<std::string, double>> expect = {
        {"cf43", 2.785}, {"cf43m4", 2.356}, {"f23", 2.097}, {"f43", 3.405}};
    for (const auto& [v, r] : expect) {
        ResNet m(config(v));
        EXPECT_NEAR(count_macs(m).reduction(), r, 0.0005) << v;
    }
}

TEST(Macs, ResNet18MatchesMethodSection3) {
    ResNet m(config("cf43", false, "resnet18"));
    const ModelMacs macs = count_macs(m);
    EXPECT_EQ(macs.direct, 1814073344);
    EXPECT_NEAR(macs.reduction(), 2.112, 0.0005);
    // The 7x7 stem is an int8 direct convolution like every other conv (float only on request).
    EXPECT_EQ(m->stem->options().variant, "direct");
    EXPECT_EQ(m->blocks[2]->downsample->options().variant, "direct");
}

TEST(Import, PretrainedResNet20EqualsTheFloatReference) {
    if (!std::filesystem::exists(checkpoint_path())) GTEST_SKIP() << checkpoint_path() << " absent";
    const SafetensorsFile f = SafetensorsFile::load(checkpoint_path());
    ResNet model(config("float"));
    import_safetensors(model, f);
    model->set_mode(Mode::kFloat);
    model->eval();
    torch::manual_seed(3);
    const torch::Tensor x = torch::randn({3, 3, 32, 32});
    torch::NoGradGuard ng;
    const torch::Tensor logits = model->forward(x);
    // winoq::resnet20_forward: NHWC double, its own BatchNorm folding and shortcuts.
    const FloatResNet20 ref = load_float_resnet20(f);
    const torch::Tensor nhwc = x.permute({0, 2, 3, 1}).to(torch::kDouble).contiguous();
    const std::vector<double> xs(nhwc.data_ptr<double>(), nhwc.data_ptr<double>() + nhwc.numel());
    const std::vector<double> ref_logits = resnet20_forward(ref, xs, 3);
    const torch::Tensor r = torch::tensor(ref_logits).view({3, 10}).to(torch::kFloat);
    EXPECT_LT((logits - r).abs().max().item<float>(), 1e-3 * r.abs().max().item<float>());
}

TEST(Import, PretrainedResNet20ClassifiesTheValidationSplit) {
    if (!std::filesystem::exists(checkpoint_path()) || !std::filesystem::exists(cifar_batch5()))
        GTEST_SKIP() << "needs " << checkpoint_path() << " and " << cifar_batch5()
                     << " (expand.py; WINOQ_CIFAR_DIR=DIR)";
    ResNet model(config("float"));
    import_safetensors(model, SafetensorsFile::load(checkpoint_path()));
    const EvalResult r =
        evaluate(model, load_cifar10({cifar_batch5()}), cifar10_normalization(), Mode::kFloat, 250, 1000);
    EXPECT_GT(r.top1, 80.0);  // 85.9% on the whole split according to ../shared/data/cifar10-jpeg
}

TEST(Import, MissingTensorsAreReportedByName) {
    std::map<std::string, TensorToWrite> t;
    t["conv1.weight"] = tensor_f32({16, 3, 3, 3}, std::vector<float>(16 * 27, 0.f));
    const auto bytes = serialize_safetensors(t);
    ResNet model(config("float"));
    try {
        import_safetensors(model, SafetensorsFile::parse(bytes));
        ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("bn1.weight"), std::string::npos) << e.what();
    }
}

TEST(BatchNorm, FoldingKeepsTheFunction) {
    ModelConfig c = config("float");
    c.batchnorm = true;
    ResNet model(c);
    torch::manual_seed(4);
    {
        torch::NoGradGuard ng;
        for (QConv& q : model->convs()) {
            q->bn->weight.uniform_(0.5, 1.5);
            q->bn->bias.uniform_(-0.3, 0.3);
            q->bn->running_mean.uniform_(-0.5, 0.5);
            q->bn->running_var.uniform_(0.5, 2.0);
            q->bias.uniform_(-0.1, 0.1);
        }
    }
    model->eval();
    const torch::Tensor x = torch::randn({2, 3, 32, 32});
    torch::NoGradGuard ng;
    const torch::Tensor before = model->forward(x);
    model->fold_batchnorm();
    EXPECT_FALSE(model->config().batchnorm);
    for (QConv& q : model->convs()) EXPECT_FALSE(q->has_batchnorm());
    EXPECT_TRUE(torch::allclose(model->forward(x), before, 1e-4, 1e-4));
}

// Every conv of the model, run in integer mode, against winoq::reference on the very same
// int8 input (and residual), with the parameters the layer derives from its clipping factors.
void check_every_layer(ResNet& model, const torch::Tensor& images, const std::string& what) {
    int layers = 0;
    model->set_conv_observer([&](const QConvImpl& c, const Act& x, const Act* res, const Act& y) {
        ASSERT_TRUE(x.integer() && y.integer());
        const auto nhwc = [](const torch::Tensor& t) {
            const torch::Tensor n = t.permute({0, 2, 3, 1}).to(torch::kInt8).contiguous();
            return std::vector<int8_t>(n.data_ptr<int8_t>(), n.data_ptr<int8_t>() + n.numel());
        };
        const int N = int(x.v.size(0)), H = int(x.v.size(2)), W = int(x.v.size(3));
        const std::vector<int8_t> in = nhwc(x.v), r = res ? nhwc(res->v) : std::vector<int8_t>();
        std::vector<int8_t> out(size_t(y.v.numel()));
        if (!c.variant()) return;  // float layers are not int8 kernels
        if (c.is_winograd()) {
            WinogradConvParams p = c.winograd_params(x.scale, res ? res->scale : 0, H, W);
            p.shape.N = N;
            reference::winograd_conv(p, in.data(), res ? r.data() : nullptr, out.data());
        } else {
            DirectConvParams p = c.direct_params(x.scale, res ? res->scale : 0, H, W);
            p.shape.N = N;
            reference::direct_conv(p, in.data(), res ? r.data() : nullptr, out.data());
        }
        EXPECT_EQ(nhwc(y.v), out) << what << " layer " << c.options().name;
        ++layers;
    });
    model->set_mode(Mode::kInteger);
    torch::NoGradGuard ng;
    model->forward(images);
    model->set_conv_observer(nullptr);
    EXPECT_EQ(layers, 19) << what;
}

TEST(IntegerModel, EveryLayerOfARealModelEqualsTheReference) {
    const bool real = std::filesystem::exists(checkpoint_path());
    ImageDataset calib;
    torch::manual_seed(6);
    calib.images = torch::randint(0, 256, {16, 3, 32, 32}, torch::kLong).to(torch::kUInt8);
    calib.labels = torch::zeros({16}, torch::kLong);
    if (std::filesystem::exists(cifar_batch5())) calib = load_cifar10({cifar_batch5()});
    const Normalization norm = cifar10_normalization();
    const torch::Tensor images =
        (calib.images.narrow(0, 0, 2).to(torch::kFloat) / 255.0 - torch::tensor(norm.mean).view({1, 3, 1, 1})) /
        torch::tensor(norm.std).view({1, 3, 1, 1});
    for (const std::string& v : {"direct", "f23", "f43", "cf43", "cf43m4"})
        for (bool per_tap : {false, true}) {
            ResNet model(config(v, per_tap));
            if (real) import_safetensors(model, SafetensorsFile::load(checkpoint_path()));
            CalibrationOptions co;
            co.method = ClipMethod::kPercentile;
            co.granularity = per_tap ? ScaleGranularity::kPerTap : ScaleGranularity::kPerTensor;
            calibrate(model, calib, norm, co, 16, 16, 1);
            check_every_layer(model, images, v + (per_tap ? " per tap" : ""));
        }
}

}  // namespace
}  // namespace winoq::train
