// `winoq-train export`: the deployable model (winoq/model/model.h) of an int8 trainer model.
//  - the file round-trips and every conv op holds the parameters integer mode builds;
//  - winoq::ModelExecutor (Halide kernels and scalar reference) computes the trainer's
//    integer-mode logits bit for bit on real images: Fashion-MNIST t10k (random init,
//    calibrated) and CIFAR-10 data_batch_5 (the pretrained ResNet-20 when ../shared has it).
//    The executor gets raw 8-bit pixels, the trainer its own normalised float batch: the
//    input look-up table is part of the check;
//  - the untrained ResNet-18 runs on the executor, matches integer mode and counts docs/method.md's
//    MACs;
//  - float checkpoints are refused (library and CLI).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "trainer/data/batches.h"
#include "trainer/data/cifar10.h"
#include "trainer/data/fashion_mnist.h"
#include "trainer/export/export_model.h"
#include "trainer/models/import.h"
#include "trainer/models/integer_head.h"
#include "trainer/train/calibrate.h"
#include "trainer/train/checkpoint.h"
#include "winoq/model/model.h"
#include "winoq/numerics/transforms.h"
#if WINOQ_HAVE_RUNNER
#include "winoq/runner/model_executor.h"
#endif

namespace winoq::train {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
[[maybe_unused]] std::string pretrained_path() {
    return env_or("WINOQ_SHARED_DIR", WINOQ_DEFAULT_SHARED_DIR) + "/models/resnet20_cifar10_fp32.safetensors";
}
// data_batch_5.bin: $WINOQ_CIFAR_DIR, this build's cifar/, or the main build's build/cifar/.
[[maybe_unused]] std::string cifar_batch5() {
    for (const std::string& dir : {env_or("WINOQ_CIFAR_DIR", ""), std::string(WINOQ_DEFAULT_CIFAR_DIR),
                                   std::string(WINOQ_SOURCE_DIR) + "/build/cifar"})
        if (!dir.empty() && fs::exists(dir + "/data_batch_5.bin")) return dir + "/data_batch_5.bin";
    return "";
}

fs::path temp_path(const std::string& tag) {
    return fs::temp_directory_path() / ("winoq_export_test_" + tag + "_" + std::to_string(::getpid()));
}

ModelConfig config(const std::string& variant, bool per_tap, int in_channels, int size) {
    ModelConfig c;
    c.variant = variant;
    c.per_tap = per_tap;
    c.in_channels = in_channels;
    c.image_size = size;
    return c;
}

// A calibrated int8 model: random init (seeded), or the pretrained weights when given.
ResNet calibrated(const ModelConfig& c, const ImageDataset& calib, const Normalization& norm, int64_t images,
                  const std::string& pretrained = "") {
    torch::manual_seed(21);
    ResNet net(c);
    if (!pretrained.empty()) import_safetensors(net, SafetensorsFile::load(pretrained));
    CalibrationOptions co;
    co.method = ClipMethod::kPercentile;
    co.granularity = c.per_tap ? ScaleGranularity::kPerTap : ScaleGranularity::kPerTensor;
    calibrate(net, calib, norm, co, images, 64, 3);
    net->eval();
    return net;
}

Model round_trip(const Model& m) { return parse_model(serialize_model(m), "round trip"); }

// The trainer's integer-mode logits of raw images [N, C, H, W] (its own float normalisation),
// and every conv's int8 output by conv name.
torch::Tensor trainer_logits(ResNet& net, const ImageDataset& d, int64_t first, int64_t n, const Normalization& norm,
                             std::map<std::string, torch::Tensor>* acts = nullptr) {
    torch::NoGradGuard ng;
    if (acts)
        net->set_conv_observer(
            [&](const QConvImpl& c, const Act&, const Act*, const Act& y) { (*acts)[c.options().name] = y.v; });
    net->set_mode(Mode::kInteger);
    const torch::Tensor logits = net->forward(normalized_range(d, first, n, norm, nullptr));
    net->set_conv_observer(nullptr);
    return logits;
}

[[maybe_unused]] std::vector<uint8_t> nhwc_pixels(const ImageDataset& d, int64_t first, int64_t n) {
    const torch::Tensor t = d.images.narrow(0, first, n).permute({0, 2, 3, 1}).contiguous();
    return std::vector<uint8_t>(t.data_ptr<uint8_t>(), t.data_ptr<uint8_t>() + t.numel());
}

// The logits are a real test: finite, and they differ from image to image.
void expect_informative(const torch::Tensor& logits, const std::string& what) {
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>()) << what;
    EXPECT_GT(logits.std(0).max().item<double>(), 0.0) << what << ": every image gets the same logits";
}

void expect_same_stage(const OutputStage& a, const OutputStage& b, const std::string& what) {
    EXPECT_EQ(a.bias, b.bias) << what;
    EXPECT_EQ(a.mult, b.mult) << what;
    EXPECT_EQ(a.res_mult, b.res_mult) << what;
    EXPECT_EQ(a.shift, b.shift) << what;
    EXPECT_EQ(a.relu, b.relu) << what;
    EXPECT_EQ(a.residual, b.residual) << what;
}

void expect_same_shape(const ConvShape& a, const ConvShape& b, const std::string& what) {
    EXPECT_EQ(std::vector<int>({a.N, a.C, a.H, a.W, a.K, a.kernel, a.stride, a.pad}),
              std::vector<int>({b.N, b.C, b.H, b.W, b.K, b.kernel, b.stride, b.pad}))
        << what;
}

// Every conv op of the loaded model against the parameters the layer builds in integer mode,
// from the int8 input / residual scales and sizes the forward pass really has.
void expect_ops_equal_integer_mode(ResNet& net, const Model& loaded, const torch::Tensor& images) {
    int convs = 0;
    net->set_conv_observer([&](const QConvImpl& c, const Act& x, const Act* res, const Act& y) {
        const std::string& name = c.options().name;
        const ModelOp& op = loaded.op(name);
        const int H = int(x.v.size(2)), W = int(x.v.size(3));
        const double rs = res ? res->scale : 0.0;
        EXPECT_EQ(op.variant_label(), c.options().variant) << name;
        EXPECT_EQ(op.out_scale, y.scale) << name;
        EXPECT_EQ(op.residual.empty(), res == nullptr) << name;
        EXPECT_EQ(std::vector<int>({op.out_c, op.out_h, op.out_w}),
                  std::vector<int>({int(y.v.size(1)), int(y.v.size(2)), int(y.v.size(3))}))
            << name;
        if (!c.variant()) {
            const FloatConvParams& f = op.float_conv;
            EXPECT_EQ(f.x_scale, x.scale) << name;
            EXPECT_EQ(f.res_scale, rs) << name;
            const torch::Tensor w = c.weight.detach().contiguous();
            EXPECT_EQ(f.weights, std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel())) << name;
        } else if (c.is_winograd()) {
            const WinogradConvParams p = c.winograd_params(x.scale, rs, H, W), &q = op.winograd;
            expect_same_shape(p.shape, q.shape, name);
            EXPECT_EQ(p.variant, q.variant) << name;
            EXPECT_EQ(p.weights, q.weights) << name;
            EXPECT_EQ(p.in_mult, q.in_mult) << name;
            EXPECT_EQ(p.in_shift, q.in_shift) << name;
            EXPECT_EQ(p.m_mult, q.m_mult) << name;
            EXPECT_EQ(p.m_shift, q.m_shift) << name;
            EXPECT_EQ(p.m_lshift, q.m_lshift) << name;
            expect_same_stage(p.out, q.out, name);
        } else {
            const DirectConvParams p = c.direct_params(x.scale, rs, H, W), &q = op.direct;
            expect_same_shape(p.shape, q.shape, name);
            EXPECT_EQ(p.weights, q.weights) << name;
            expect_same_stage(p.out, q.out, name);
        }
        ++convs;
    });
    net->set_mode(Mode::kInteger);
    torch::NoGradGuard ng;
    net->forward(images);
    net->set_conv_observer(nullptr);
    int model_convs = 0;
    for (const ModelOp& op : loaded.ops) model_convs += op.kind == OpKind::kConv;
    EXPECT_EQ(convs, model_convs);
}

#if WINOQ_HAVE_RUNNER
// The executor's logits of the same raw images; on a mismatch, names the first conv whose
// int8 output differs from the trainer's.
void expect_runner_equals_trainer(ResNet& net, const Model& m, const ImageDataset& d, int64_t n,
                                  const Normalization& norm, ExecEngine engine, const std::string& what) {
    std::map<std::string, torch::Tensor> acts;
    const torch::Tensor expect = trainer_logits(net, d, 0, n, norm, &acts);
    ASSERT_EQ(expect.scalar_type(), torch::kDouble);
    expect_informative(expect, what);
    ModelExecutor ex(m, int(n), engine);
    const std::vector<uint8_t> pixels = nhwc_pixels(d, 0, n);
    std::vector<double> got(size_t(n) * m.num_classes());
    ex.run_pixels(pixels.data(), got.data());
    const torch::Tensor e = expect.contiguous();
    const std::vector<double> want(e.data_ptr<double>(), e.data_ptr<double>() + e.numel());
    size_t differ = 0;
    for (size_t i = 0; i < want.size(); ++i) differ += want[i] != got[i];
    EXPECT_EQ(differ, 0u) << what << ": " << differ << " of " << want.size() << " logits differ";
    if (differ == 0) return;
    for (const ModelOp& op : m.ops) {
        const auto it = acts.find(op.name);
        if (it == acts.end()) continue;
        const torch::Tensor t = it->second.permute({0, 2, 3, 1}).to(torch::kInt8).contiguous();
        if (std::memcmp(t.data_ptr<int8_t>(), ex.activation(op.name), size_t(t.numel())) != 0) {
            ADD_FAILURE() << what << ": first differing activation: op " << op.name;
            return;
        }
    }
}
#endif

[[maybe_unused]] const Normalization kFashionNorm = fashion_mnist_normalization();

[[maybe_unused]] bool have_fashion_mnist() {
    return fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz");
}

TEST(Export, RoundTripHoldsTheIntegerModeParameters) {
    // Gaussian random images: no data set needed. Every variant, per tensor and per tap.
    const ImageDataset images = gaussian_images(24, 3, 16, 5);
    const Normalization norm = cifar10_normalization();
    for (const std::string v : {"direct", "f23", "f43", "cf43", "cf43m4"})
        for (bool per_tap : {false, true}) {
            ResNet net = calibrated(config(v, per_tap, 3, 16), images, norm, 24);
            ExportOptions eo;
            eo.info["source"] = "test";
            const Model m = export_model(net, eo);
            const Model back = round_trip(m);
            const std::string what = v + (per_tap ? " per tap" : "");
            EXPECT_EQ(back.ops.size(), 1u + 9 * 2 + 2) << what;  // stem, 9 blocks, 2 option-A shortcuts
            EXPECT_EQ(back.op("layer2.0.shortcut").kind, OpKind::kShortcutA) << what;
            EXPECT_EQ(back.op("layer2.0.conv2").residual, "layer2.0.shortcut") << what;
            EXPECT_EQ(back.op("layer1.1.conv2").residual, "layer1.0.conv2") << what;
            EXPECT_EQ(back.input_scale, net->input_quant->scale()) << what;
            EXPECT_EQ(back.info.at("source"), "test");
            EXPECT_EQ(back.class_names.size(), 10u);
            const ModelHead h = integer_head(net->classifier->weight, net->classifier->bias,
                                             net->blocks.back()->conv2->y_quant->scale(), 4, 4);
            EXPECT_EQ(back.head.weight, h.weight) << what;
            EXPECT_EQ(back.head.bias, h.bias) << what;
            EXPECT_EQ(back.head.logit_scale, h.logit_scale) << what;
            expect_ops_equal_integer_mode(net, back, normalized_range(images, 0, 2, norm, nullptr));
        }
}

TEST(Export, PerChannelUScalesRoundTripAndRunBitExact) {
    // U with one clipping factor per (product plane group, output channel): the model file
    // holds them all, and the runner (kernels and reference) equals the trainer's integer mode.
    const ImageDataset images = gaussian_images(8, 3, 16, 6);
    const Normalization norm = cifar10_normalization();
    for (const std::string v : {"f43", "cf43"}) {
        ModelConfig c = config(v, true, 3, 16);
        c.per_channel_u = true;
        ResNet net = calibrated(c, images, norm, 8);
        const Model m = round_trip(export_model(net, ExportOptions{}));
        const ModelOp& op = m.op("layer2.1.conv1");  // 32 output channels
        ASSERT_EQ(op.impl, ConvImpl::kWinograd) << v;
        const size_t Q = plane_layout(*parse_variant(v)).prod.size();
        ASSERT_EQ(op.clipping.at("u").size(), Q * 32) << v;
        // Trained per channel: channels of one plane do not share one clipping factor.
        const std::vector<float>& u = op.clipping.at("u");
        EXPECT_NE(*std::min_element(u.begin(), u.begin() + 32), *std::max_element(u.begin(), u.begin() + 32)) << v;
        expect_ops_equal_integer_mode(net, m, normalized_range(images, 0, 2, norm, nullptr));
#if WINOQ_HAVE_RUNNER
        expect_runner_equals_trainer(net, m, images, 4, norm, ExecEngine::kKernels, v + " per-channel U kernels");
        expect_runner_equals_trainer(net, m, images, 2, norm, ExecEngine::kReference, v + " per-channel U reference");
#endif
    }
}

TEST(Export, IntegerHeadIsTheDocumentedFormula) {
    // By hand: one class, two channels, a 2x1 map.
    const torch::Tensor w = torch::tensor({{0.5f, -0.25f}}), b = torch::tensor({0.3f});
    const ModelHead h = integer_head(w, b, /*feature_scale=*/0.1, 2, 1);
    const double s_w = 0.5 / 127;  // max |w| / 127
    const int w1 = int(std::nearbyint(-0.25 / s_w));
    EXPECT_TRUE(w1 == -63 || w1 == -64);
    EXPECT_EQ(h.weight, std::vector<int8_t>({127, int8_t(w1)}));
    const float ls = float(s_w * 0.1 / 2);
    EXPECT_EQ(h.logit_scale[0], ls);
    EXPECT_EQ(h.bias[0], int32_t(std::nearbyint(0.3 / double(ls))));
    const torch::Tensor q = torch::tensor({3, 5, 7, -2}, torch::kLong).view({1, 2, 2, 1});  // S = (8, 5)
    const torch::Tensor logit = apply_integer_head(h, q);
    EXPECT_EQ(logit.item<double>(), double(127 * 8 + w1 * 5 + h.bias[0]) * double(ls));
    // It approximates the float head on the dequantized mean features.
    EXPECT_NEAR(logit.item<double>(), 0.5 * 0.8 / 2 - 0.25 * 0.5 / 2 + 0.3, 0.01);
}

#if WINOQ_HAVE_RUNNER
TEST(Export, RunnerEqualsIntegerModeOnFashionMnist) {
    if (!have_fashion_mnist()) GTEST_SKIP() << kFashionMnistDir << " absent (apt-get install dataset-fashion-mnist)";
    const ImageDataset train = load_fashion_mnist(kFashionMnistDir, true);
    const ImageDataset test = load_fashion_mnist(kFashionMnistDir, false);
    const int64_t n =
        env_or("WINOQ_EXPORT_TEST_IMAGES", "").empty() ? 100 : std::atoi(std::getenv("WINOQ_EXPORT_TEST_IMAGES"));
    for (const auto& [v, per_tap] :
         std::vector<std::pair<std::string, bool>>{{"cf43", true}, {"f43", true}, {"direct", false}}) {
        ResNet net = calibrated(config(v, per_tap, 1, 28), train, kFashionNorm, 256);
        ExportOptions eo;
        eo.dataset = "fashion-mnist";
        const Model m = round_trip(export_model(net, eo));
        EXPECT_EQ(m.class_names.at(9), "Ankle boot");
        const std::string what = "fashion-mnist " + v + (per_tap ? " per tap" : "");
        expect_runner_equals_trainer(net, m, test, n, kFashionNorm, ExecEngine::kKernels, what + " kernels");
        expect_runner_equals_trainer(net, m, test, n, kFashionNorm, ExecEngine::kReference, what + " reference");
    }
}

TEST(Export, RunnerEqualsIntegerModeOnCifar10) {
    const std::string batch5 = cifar_batch5();
    if (batch5.empty())
        GTEST_SKIP() << "no data_batch_5.bin (WINOQ_CIFAR_DIR, build/cifar: ../shared/data/cifar10-jpeg/expand.py)";
    const ImageDataset val = load_cifar10({batch5});
    const ImageDataset calib = head(val, 1256);  // images 0..99 are tested: calibrate on others
    ImageDataset calib_part = calib;
    calib_part.images = calib.images.narrow(0, 1000, 256);
    calib_part.labels = calib.labels.narrow(0, 1000, 256);
    const std::string pretrained = fs::exists(pretrained_path()) ? pretrained_path() : "";
    const Normalization norm = cifar10_normalization();
    for (const std::string v : {"cf43", "cf43m4", "f23"}) {
        ResNet net = calibrated(config(v, false, 3, 32), calib_part, norm, 256, pretrained);
        ExportOptions eo;
        eo.dataset = "cifar10";
        const Model m = round_trip(export_model(net, eo));
        EXPECT_EQ(m.class_names.at(0), "airplane");
        const std::string what = "cifar10 " + v + (pretrained.empty() ? " (random init)" : " (pretrained)");
        expect_runner_equals_trainer(net, m, val, 100, norm, ExecEngine::kKernels, what + " kernels");
        if (v == "cf43")
            expect_runner_equals_trainer(net, m, val, 100, norm, ExecEngine::kReference, what + " reference");
        if (!pretrained.empty()) {
            // A pretrained model calibrated post-training still classifies (integer mode).
            const torch::Tensor logits = trainer_logits(net, val, 0, 100, norm);
            EXPECT_GT((logits.argmax(1) == val.labels.narrow(0, 0, 100)).sum().item<int64_t>(), 30) << what;
        }
    }
}

TEST(Export, UntrainedResNet18RunsAndMatchesIntegerMode) {
    UntrainedOptions u;
    u.arch = "resnet18";
    u.variant = "cf43";
    u.image_size = 64;
    u.seed = 7;
    u.calib_images = 4;
    ResNet net = untrained_model(u);
    ExportOptions eo;
    eo.dataset = "imagenet-shapes";
    eo.trained = false;
    const Model m = round_trip(export_model(net, eo));
    EXPECT_FALSE(m.trained);
    EXPECT_NE(m.name.find("untrained"), std::string::npos);
    EXPECT_EQ(m.num_classes(), 1000);
    EXPECT_EQ(m.class_names[999], "class_999");
    EXPECT_EQ(m.op("conv1").impl, ConvImpl::kDirect);  // the 7x7 stem is int8 like every other conv
    EXPECT_EQ(m.op("maxpool").input, "conv1");
    EXPECT_EQ(m.op("layer2.0.conv2").residual, "layer2.0.downsample");
    const ImageDataset images = gaussian_images(4, 3, 64, 99);  // not the calibration images
    expect_runner_equals_trainer(net, m, images, 4, cifar10_normalization(), ExecEngine::kKernels, "resnet18 kernels");
    expect_runner_equals_trainer(net, m, images, 2, cifar10_normalization(), ExecEngine::kReference,
                                 "resnet18 reference");
    // No stage saturates wholesale or dies: every conv output has nonzero and unsaturated values.
    std::map<std::string, torch::Tensor> acts;
    trainer_logits(net, images, 0, 2, cifar10_normalization(), &acts);
    for (const auto& [name, t] : acts) {
        const double nonzero = (t != 0).to(torch::kDouble).mean().item<double>();
        const double saturated = (t.abs() == 127).to(torch::kDouble).mean().item<double>();
        EXPECT_GT(nonzero, 0.05) << name;
        EXPECT_LT(saturated, 0.05) << name;
    }
}

// The float stem stays available as an explicit per-layer choice, and stays bit-exact.
TEST(Export, UntrainedResNet18WithFloatStemMatchesIntegerMode) {
    UntrainedOptions u;
    u.arch = "resnet18";
    u.variant = "f23";
    u.layer_variants = {{"conv1", "float"}, {"layer4.1.conv2", "direct"}};
    u.image_size = 32;
    u.seed = 8;
    u.calib_images = 2;
    ResNet net = untrained_model(u);
    ExportOptions eo;
    eo.dataset = "imagenet-shapes";
    eo.trained = false;
    const Model m = round_trip(export_model(net, eo));
    EXPECT_EQ(m.op("conv1").impl, ConvImpl::kFloat);
    EXPECT_EQ(m.op("layer4.1.conv2").impl, ConvImpl::kDirect);
    EXPECT_EQ(m.op("layer4.1.conv1").int8_variant(), Variant::kF23);
    const ImageDataset images = gaussian_images(2, 3, 32, 98);
    expect_runner_equals_trainer(net, m, images, 2, cifar10_normalization(), ExecEngine::kKernels, "float stem");
}
#endif

TEST(Export, UntrainedResNet18At224CountsMethodMacs) {
    // The clipping factors of a model calibrated at 32 pixels give valid parameters at 224.
    UntrainedOptions u;
    u.image_size = 32;
    u.calib_images = 2;
    ResNet net = untrained_model(u);
    ExportOptions eo;
    eo.dataset = "imagenet-shapes";
    eo.trained = false;
    eo.image_size = 224;
    const Model m = round_trip(export_model(net, eo));
    EXPECT_EQ(m.image_size, 224);
    const winoq::ModelMacs macs = winoq::count_macs(m);
    EXPECT_EQ(macs.direct, 1814073344);  // docs/method.md section 3
    EXPECT_NEAR(macs.reduction(), 2.112, 0.0005);
}

TEST(Export, RefusesFloatModels) {
    ModelConfig c;
    ResNet net(c);
    try {
        export_model(net, ExportOptions{});
        ADD_FAILURE() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("export needs an int8 model"), std::string::npos) << e.what();
    }
    // An int8 model whose clipping factors were never calibrated is refused too.
    ResNet raw(config("cf43", false, 3, 32));
    EXPECT_THROW(export_model(raw, ExportOptions{}), std::invalid_argument);
}

int run_cli(const std::string& args, std::string* output) {
    const fs::path log = temp_path("cli.log");
    const int rc = std::system((std::string(WINOQ_TRAIN_EXE) + " " + args + " > " + log.string() + " 2>&1").c_str());
    std::ifstream f(log);
    std::stringstream ss;
    ss << f.rdbuf();
    *output = ss.str();
    fs::remove(log);
    return rc;
}

TEST(ExportCli, RefusesAFloatCheckpointAndExportsAnInt8One) {
    const fs::path dir = temp_path("cli");
    fs::create_directories(dir);
    ResNet float_net(ModelConfig{});
    save_checkpoint((dir / "float.pt").string(), float_net, 0, {{"from", "test"}});
    std::string out;
    EXPECT_NE(
        run_cli("export --checkpoint " + (dir / "float.pt").string() + " --out " + (dir / "f.safetensors").string(),
                &out),
        0);
    EXPECT_NE(out.find("export needs an int8 model; run `winoq-train calibrate --out` or train with --variant"),
              std::string::npos)
        << out;
    EXPECT_FALSE(fs::exists(dir / "f.safetensors"));

    ResNet net = calibrated(config("cf43", true, 3, 32), gaussian_images(16, 3, 32, 1), cifar10_normalization(), 16);
    save_checkpoint((dir / "int8.pt").string(), net, 3,
                    {{"from", "x"}, {"last_epoch", {{"val_top1", 12.5}, {"val_mode", "integer"}}}});
    const fs::path file = dir / "m.safetensors";
    ASSERT_EQ(
        run_cli("export --checkpoint " + (dir / "int8.pt").string() + " --out " + file.string() + " --json", &out), 0)
        << out;
    EXPECT_NE(out.find("\"reduction\""), std::string::npos) << out;
    const Model m = load_model(file.string());
    EXPECT_EQ(m.name, "resnet20-cifar10-cf43-pertap");
    EXPECT_EQ(m.info.at("val_top1"), "12.5");
    EXPECT_EQ(m.info.at("checkpoint_epoch"), "3");
    EXPECT_NE(m.info.at("command").find("export --checkpoint"), std::string::npos);
    ExportOptions eo;
    eo.info = m.info;
    const Model direct = export_model(net, eo);
    EXPECT_EQ(serialize_model(m), serialize_model(direct));  // the CLI writes what the library builds

    if (have_fashion_mnist()) {
        // --eval records the integer-mode top-1 of the exported arithmetic; --data names the set.
        ResNet fm = calibrated(config("direct", false, 1, 28), gaussian_images(8, 1, 28, 2), kFashionNorm, 8);
        save_checkpoint((dir / "fm.pt").string(), fm, 0, {{"from", "y"}});
        ASSERT_EQ(run_cli("export --checkpoint " + (dir / "fm.pt").string() + " --eval --limit 50 --out " +
                              (dir / "fm.safetensors").string(),
                          &out),
                  0)
            << out;
        const Model f = load_model((dir / "fm.safetensors").string());
        EXPECT_EQ(f.dataset, "fashion-mnist");
        EXPECT_EQ(f.info.at("top1_images"), "50");
        const double top1 = std::stod(f.info.at("top1"));
        const torch::Tensor logits =
            trainer_logits(fm, load_fashion_mnist(kFashionMnistDir, false), 0, 50, kFashionNorm);
        const ImageDataset t = load_fashion_mnist(kFashionMnistDir, false);
        EXPECT_DOUBLE_EQ(top1, 2.0 * (logits.argmax(1) == t.labels.narrow(0, 0, 50)).sum().item<int64_t>());
    }
    ASSERT_EQ(run_cli("export --untrained --arch resnet20 --variant f43 --seed 3 --calib-images 4 --out " +
                          (dir / "u.safetensors").string(),
                      &out),
              0)
        << out;
    const Model u = load_model((dir / "u.safetensors").string());
    EXPECT_FALSE(u.trained);
    EXPECT_NE(u.name.find("untrained"), std::string::npos);
    fs::remove_all(dir);
}

// A plan file (winoq-tune plan) sets each listed layer's variant, a --layer-variant given too
// overrides it, and a bad line is an error naming the file and line.
TEST(ExportCli, PlanFilesChooseLayerVariants) {
    const fs::path dir = temp_path("plan");
    fs::create_directories(dir);
    const fs::path plan = dir / "r20.plan", bad = dir / "bad.plan", file = dir / "p.safetensors";
    std::ofstream(plan) << "# winoq plan\nconv1 = direct\nlayer1.0.conv1 = f23\nlayer2.1.conv2 = f23\n";
    std::ofstream(bad) << "conv1 = direct\nlayer1.0.conv1 f23\n";
    std::string out;
    ASSERT_EQ(run_cli("export --untrained --arch resnet20 --variant cf43 --seed 3 --calib-images 4 --plan " +
                          plan.string() + " --layer-variant layer2.1.conv2=direct --out " + file.string(),
                      &out),
              0)
        << out;
    const Model m = load_model(file.string());
    EXPECT_EQ(m.op("conv1").int8_variant(), Variant::kDirect);
    EXPECT_EQ(m.op("layer1.0.conv1").int8_variant(), Variant::kF23);
    EXPECT_EQ(m.op("layer2.1.conv2").int8_variant(), Variant::kDirect);  // the flag beats the plan
    EXPECT_EQ(m.op("layer1.0.conv2").int8_variant(), Variant::kCF43);    // not in the plan: --variant
    EXPECT_NE(run_cli("export --untrained --arch resnet20 --variant cf43 --calib-images 4 --plan " + bad.string() +
                          " --out " + (dir / "b.safetensors").string(),
                      &out),
              0);
    EXPECT_NE(out.find(bad.string() + ":2:"), std::string::npos) << out;
    EXPECT_FALSE(fs::exists(dir / "b.safetensors"));
    fs::remove_all(dir);
}

}  // namespace
}  // namespace winoq::train
