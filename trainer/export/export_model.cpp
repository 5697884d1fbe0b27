#include "trainer/export/export_model.h"

#include <algorithm>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>

#include "trainer/data/cifar10.h"
#include "trainer/data/fashion_mnist.h"
#include "trainer/models/integer_head.h"
#include "trainer/train/calibrate.h"
#include "winoq/numerics/requantize.h"

namespace winoq::train {

const char* const kExportNeedsInt8 =
    "export needs an int8 model; run `winoq-train calibrate --out` or train with --variant";

namespace {

// An activation written so far: its op name, shape and int8 scale.
struct Cursor {
    std::string name;
    int c = 0, h = 0, w = 0;
    double scale = 1.0;
};

std::vector<float> floats(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

std::vector<float> as_floats(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

// One conv of the trainer model as an op, with the parameters integer mode builds for it.
ModelOp conv_op(const QConvImpl& c, const Cursor& in, const Cursor* res) {
    const QConvOptions& o = c.options();
    ModelOp op;
    op.kind = OpKind::kConv;
    op.name = o.name;
    op.input = in.name;
    op.residual = res ? res->name : "";
    const double res_scale = res ? res->scale : 0.0;
    ConvShape s = c.shape(in.h, in.w);
    op.clipping["x"] = {float(in.scale * kQMax)};
    if (!c.variant()) {
        op.impl = ConvImpl::kFloat;
        FloatConvParams& f = op.float_conv;
        f.shape = s;
        f.weights = floats(c.weight);
        f.bias = floats(c.bias);
        f.x_scale = in.scale;
        f.res_scale = res_scale;
        f.relu = o.relu;
    } else if (c.is_winograd()) {
        op.impl = ConvImpl::kWinograd;
        op.winograd = c.winograd_params(in.scale, res_scale, in.h, in.w);
        s = op.winograd.shape;
        op.clipping["v"] = as_floats(c.v_quant->plane_alphas());
        op.clipping["u"] = as_floats(c.w_quant->plane_alphas());
        op.clipping["m"] = as_floats(c.m_quant->plane_alphas());
    } else {
        op.impl = ConvImpl::kDirect;
        op.direct = c.direct_params(in.scale, res_scale, in.h, in.w);
        s = op.direct.shape;
        op.clipping["w"] = as_floats(c.w_quant->plane_alphas());
    }
    op.clipping["y"] = as_floats(c.y_quant->plane_alphas());
    op.out_c = s.K;
    op.out_h = s.out_h();
    op.out_w = s.out_w();
    op.out_scale = c.y_quant->scale();
    return op;
}

Cursor output_of(const ModelOp& op) { return {op.name, op.out_c, op.out_h, op.out_w, op.out_scale}; }

// "layer2.0.conv1" -> "layer2.0."
std::string block_prefix(const QConvImpl& conv1) {
    const std::string& n = conv1.options().name;
    const std::string tail = "conv1";
    if (n.size() < tail.size() || n.compare(n.size() - tail.size(), tail.size(), tail) != 0)
        throw std::logic_error("winoq-train: unexpected block conv name " + n);
    return n.substr(0, n.size() - tail.size());
}

}  // namespace

std::vector<std::string> class_names_for(const std::string& dataset, int classes) {
    std::vector<std::string> names;
    if (dataset == "cifar10" && classes == 10)
        names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    else if (dataset == "fashion-mnist" && classes == 10)
        names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    else
        for (int k = 0; k < classes; ++k) names.push_back("class_" + std::to_string(k));
    return names;
}

Normalization normalization_for(const std::string& dataset) {
    return dataset == "fashion-mnist" ? fashion_mnist_normalization() : cifar10_normalization();
}

std::string dataset_for(const ModelConfig& c) {
    if (c.in_channels == 1 && c.image_size == 28) return "fashion-mnist";
    if (c.in_channels == 3 && c.image_size == 32) return "cifar10";
    return "imagenet-shapes";
}

std::string default_model_name(const ModelConfig& c, const std::string& dataset, bool trained) {
    return c.arch + "-" + dataset + "-" + c.variant + (c.per_tap ? "-pertap" : "") +
           (c.per_channel_u ? "-perchannelu" : "") + (trained ? "" : "-untrained");
}

Model export_model(ResNet& net, const ExportOptions& o) {
    const ModelConfig& cfg = net->config();
    if (!cfg.quantized()) throw std::invalid_argument(kExportNeedsInt8);
    if (!all_calibrated(net))
        throw std::invalid_argument(
            "export: the model's clipping factors were never calibrated (run `winoq-train calibrate --out`)");
    if (cfg.batchnorm) net->fold_batchnorm();
    Model m;
    m.arch = cfg.arch;
    m.dataset = o.dataset.empty() ? dataset_for(cfg) : o.dataset;
    m.trained = o.trained;
    m.name = o.name.empty() ? default_model_name(cfg, m.dataset, o.trained) : o.name;
    m.in_channels = cfg.in_channels;
    m.image_size = o.image_size > 0 ? o.image_size : cfg.image_size;
    const Normalization norm = o.norm.mean.empty() ? normalization_for(m.dataset) : o.norm;
    if (int(norm.mean.size()) != m.in_channels || int(norm.std.size()) != m.in_channels)
        throw std::invalid_argument("export: the normalisation has " + std::to_string(norm.mean.size()) +
                                    " channels, the model " + std::to_string(m.in_channels));
    m.mean = norm.mean;
    m.std = norm.std;
    m.input_scale = net->input_quant->scale();
    m.input_lut = make_input_lut(m.mean, m.std, m.input_scale);
    m.class_names = o.class_names.empty() ? class_names_for(m.dataset, cfg.num_classes) : o.class_names;
    if (m.num_classes() != cfg.num_classes)
        throw std::invalid_argument("export: " + std::to_string(m.num_classes()) + " class names for " +
                                    std::to_string(cfg.num_classes) + " classes");
    m.info = o.info;

    // The graph, in ResNetImpl::forward's order.
    Cursor cur{"input", m.in_channels, m.image_size, m.image_size, m.input_scale};
    m.ops.push_back(conv_op(*net->stem, cur, nullptr));
    cur = output_of(m.ops.back());
    if (cfg.arch == "resnet18") {
        ModelOp pool;
        pool.kind = OpKind::kMaxPool;
        pool.name = "maxpool";
        pool.input = cur.name;
        pool.out_c = cur.c;
        pool.out_h = (cur.h - 1) / 2 + 1;  // 3x3, stride 2, padding 1
        pool.out_w = (cur.w - 1) / 2 + 1;
        pool.out_scale = cur.scale;
        m.ops.push_back(pool);
        cur = output_of(pool);
    }
    for (const BasicBlock& b : net->blocks) {
        const std::string prefix = block_prefix(*b->conv1);
        m.ops.push_back(conv_op(*b->conv1, cur, nullptr));
        const Cursor h = output_of(m.ops.back());
        Cursor res = cur;
        if (b->shortcut == "option_a") {
            ModelOp sc;
            sc.kind = OpKind::kShortcutA;
            sc.name = prefix + "shortcut";
            sc.input = cur.name;
            sc.out_c = b->conv2->options().out;
            sc.out_h = (cur.h + 1) / 2;  // x[::2, ::2]
            sc.out_w = (cur.w + 1) / 2;
            sc.out_scale = cur.scale;
            m.ops.push_back(sc);
            res = output_of(sc);
        } else if (b->shortcut == "projection") {
            m.ops.push_back(conv_op(*b->downsample, cur, nullptr));
            res = output_of(m.ops.back());
        }
        m.ops.push_back(conv_op(*b->conv2, h, &res));
        cur = output_of(m.ops.back());
    }
    m.head = integer_head(net->classifier->weight, net->classifier->bias, cur.scale, cur.h, cur.w);
    validate_model(m);
    return m;
}

ImageDataset gaussian_images(int64_t n, int channels, int size, uint64_t seed) {
    torch::Generator gen = at::detail::createCPUGenerator(seed);
    ImageDataset d;
    d.name = "gaussian";
    d.images = (torch::randn({n, channels, size, size}, gen) * 64.0 + 127.5).round().clamp(0, 255).to(torch::kUInt8);
    d.labels = torch::zeros({n}, torch::kLong);
    return d;
}

ResNet untrained_model(const UntrainedOptions& o) {
    ModelConfig c;
    c.arch = o.arch;
    c.variant = o.variant;
    c.layer_variants = o.layer_variants;
    c.per_tap = o.per_tap;
    c.per_channel_u = o.per_channel_u;
    c.in_channels = 3;
    const bool r18 = o.arch == "resnet18";
    c.image_size = o.image_size > 0 ? o.image_size : (r18 ? 224 : 32);
    c.num_classes = o.classes > 0 ? o.classes : (r18 ? 1000 : 10);
    if (!c.quantized()) throw std::invalid_argument(kExportNeedsInt8);
    torch::manual_seed(o.seed);
    ResNet net(c);
    CalibrationOptions co = o.calib;
    co.granularity = o.per_tap ? ScaleGranularity::kPerTap : ScaleGranularity::kPerTensor;
    const ImageDataset images = gaussian_images(o.calib_images, c.in_channels, c.image_size, o.seed);
    calibrate(net, images, cifar10_normalization(), co, o.calib_images, 8, o.seed);
    return net;
}

}  // namespace winoq::train
