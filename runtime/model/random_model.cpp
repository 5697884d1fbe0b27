#include "winoq/model/random_model.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"

namespace winoq {
namespace {

// Activations are modelled as roughly unit-variance reals; every int8 activation clips at
// kClipStd of them. Winograd planes use the RMS growth of the core's matrices.
constexpr double kClipStd = 4.0;
constexpr double kActScale = kClipStd / kQMax;

class Builder {
public:
    Builder(Model& m, Variant wino, uint64_t seed) : m_(m), wino_(wino), rng_(seed) {}

    std::vector<float> gaussian(size_t n, double std) {
        std::normal_distribution<double> d(0.0, std);
        std::vector<float> v(n);
        for (float& x : v) x = static_cast<float>(d(rng_));
        return v;
    }

    const ModelOp& last() const { return m_.ops.back(); }
    double scale_of(const std::string& act) const { return act == "input" ? m_.input_scale : m_.op(act).out_scale; }
    void shape_of(const std::string& act, int* c, int* h, int* w) const {
        if (act == "input") {
            *c = m_.in_channels;
            *h = *w = m_.image_size;
        } else {
            const ModelOp& o = m_.op(act);
            *c = o.out_c, *h = o.out_h, *w = o.out_w;
        }
    }

    // A conv: Winograd (the model's variant) for 3x3 stride 1, otherwise direct.
    // gain scales the He-initialised weights (< 1 on a residual branch keeps sums bounded).
    void conv(const std::string& name, const std::string& input, int K, int kernel, int stride, bool relu,
              const std::string& residual = "", double gain = 1.0) {
        ModelOp op;
        op.kind = OpKind::kConv;
        op.name = name;
        op.input = input;
        op.residual = residual;
        ConvShape s;
        shape_of(input, &s.C, &s.H, &s.W);
        s.K = K;
        s.kernel = kernel;
        s.stride = stride;
        s.pad = kernel / 2;
        const double w_std = gain * std::sqrt(2.0 / (s.C * kernel * kernel));
        const std::vector<float> w = gaussian(size_t(K) * s.C * kernel * kernel, w_std);
        const std::vector<float> b = gaussian(K, 0.1);
        const double x_scale = scale_of(input);
        OutputScales out;
        out.y = kActScale;
        out.res = residual.empty() ? 0.0 : scale_of(residual);
        out.relu = relu;
        op.out_c = K;
        op.out_h = s.out_h();
        op.out_w = s.out_w();
        op.out_scale = out.y;
        op.clipping["x"] = {float(x_scale * kQMax)};
        op.clipping["y"] = {float(out.y * kQMax)};
        if (kernel == 3 && stride == 1 && is_winograd(wino_)) {
            op.impl = ConvImpl::kWinograd;
            op.winograd =
                quantize_winograd_conv(wino_, s, w.data(), b.data(), winograd_scales(s, w, w_std, x_scale, out));
            const PlaneLayout& L = plane_layout(wino_);
            for (size_t a = 0; a < L.act.size(); ++a) op.clipping["v"].push_back(float(last_scales_.act[a] * kQMax));
            for (size_t q = 0; q < L.prod.size(); ++q) op.clipping["u"].push_back(float(last_scales_.w[q] * kQMax));
            op.clipping["m"] = {float(last_scales_.m * kQMax)};
        } else {
            op.impl = ConvImpl::kDirect;
            std::vector<double> w_scale(K);
            const size_t per_k = size_t(s.C) * kernel * kernel;
            for (int k = 0; k < K; ++k) {
                double mx = 1e-8;
                for (size_t i = 0; i < per_k; ++i) mx = std::max(mx, std::fabs(double(w[k * per_k + i])));
                w_scale[k] = mx / kQMax;
            }
            op.direct = quantize_direct_conv(s, w.data(), b.data(), x_scale, w_scale, out);
            op.clipping["w"].resize(K);
            for (int k = 0; k < K; ++k) op.clipping["w"][k] = float(w_scale[k] * kQMax);
        }
        m_.ops.push_back(std::move(op));
    }

    // ResNet-18's 7x7 stride-2 stem, computed in float between int8 tensors.
    void float_stem(const std::string& name, int K) {
        ModelOp op;
        op.name = name;
        op.input = "input";
        op.impl = ConvImpl::kFloat;
        FloatConvParams& f = op.float_conv;
        f.shape = {1, m_.in_channels, m_.image_size, m_.image_size, K, 7, 2, 3};
        f.weights = gaussian(size_t(K) * m_.in_channels * 49, std::sqrt(2.0 / (m_.in_channels * 49)));
        f.bias = gaussian(K, 0.1);
        f.x_scale = m_.input_scale;
        f.relu = true;
        op.out_c = K;
        op.out_h = f.shape.out_h();
        op.out_w = f.shape.out_w();
        op.out_scale = kActScale;
        m_.ops.push_back(std::move(op));
    }

    // Exact ops that keep their input's scale: shortcut_a, or maxpool with the default window.
    void exact(OpKind kind, const std::string& name, const std::string& input, int out_c) {
        if (kind == OpKind::kMaxPool) {
            maxpool(name, input, PoolWindow{});
            return;
        }
        ModelOp op = exact_op(kind, name, input);
        op.out_c = out_c;
        op.out_h = (op.out_h + 1) / 2;
        op.out_w = (op.out_w + 1) / 2;
        m_.ops.push_back(std::move(op));
    }
    void maxpool(const std::string& name, const std::string& input, const PoolWindow& window) {
        ModelOp op = exact_op(OpKind::kMaxPool, name, input);
        op.pool = window;
        op.out_h = window.out_h(op.out_h);
        op.out_w = window.out_w(op.out_w);
        m_.ops.push_back(std::move(op));
    }
    // clamp(q, lo, hi) with the bounds given as reals at the input's scale.
    void clamp(const std::string& name, const std::string& input, double lo, double hi) {
        ModelOp op = exact_op(OpKind::kClamp, name, input);
        op.clamp_lo = int(std::lround(std::max(-double(kQMax), lo / op.out_scale)));
        op.clamp_hi = int(std::lround(std::min(double(kQMax), hi / op.out_scale)));
        m_.ops.push_back(std::move(op));
    }

    // An exact op with its input's shape and scale.
    ModelOp exact_op(OpKind kind, const std::string& name, const std::string& input) const {
        ModelOp op;
        op.kind = kind;
        op.name = name;
        op.input = input;
        shape_of(input, &op.out_c, &op.out_h, &op.out_w);
        op.out_scale = scale_of(input);
        return op;
    }

    void head(int classes) {
        const ModelOp& l = last();
        ModelHead& h = m_.head;
        h.C = l.out_c;
        h.classes = classes;
        const std::vector<float> w = gaussian(size_t(classes) * h.C, 1.0 / std::sqrt(h.C));
        const std::vector<float> b = gaussian(classes, 0.1);
        // logit = sum_c w * mean(x) + b with mean(x) = S * out_scale / pixels.
        const double pool = l.out_scale / (double(l.out_h) * l.out_w);
        for (int k = 0; k < classes; ++k) {
            double mx = 1e-8;
            for (int c = 0; c < h.C; ++c) mx = std::max(mx, std::fabs(double(w[k * h.C + c])));
            const double w_scale = mx / kQMax;
            for (int c = 0; c < h.C; ++c) h.weight.push_back(quantize_float(w[k * h.C + c], w_scale));
            h.logit_scale.push_back(float(w_scale * pool));
            h.bias.push_back(quantize_bias(b[k], double(h.logit_scale.back())));
        }
    }

private:
    // RMS gain of row i of a Gaussian-integer matrix (numerators), divided by den.
    static double row_norm(const std::vector<GaussInt>& M, int row, int cols, double den) {
        double s = 0;
        for (int j = 0; j < cols; ++j) {
            const GaussInt g = M[row * cols + j];
            s += double(g.re * g.re + g.im * g.im);
        }
        return std::sqrt(s) / den;
    }

    WinogradScales winograd_scales(const ConvShape& s, const std::vector<float>& w, double w_std, double x_scale,
                                   const OutputScales& out) {
        const WinogradMatrices& W = winograd_matrices(wino_);
        const PlaneLayout& L = plane_layout(wino_);
        const int n = W.n;
        auto b_gain = [&](int tap) { return row_norm(W.BT, tap / n, n, 1) * row_norm(W.BT, tap % n, n, 1); };
        auto g_gain = [&](int tap) {
            return row_norm(W.G, tap / n, 3, double(W.g_den)) * row_norm(W.G, tap % n, 3, double(W.g_den));
        };
        WinogradScales sc;
        sc.x = x_scale;
        for (const ActPlane& a : L.act) sc.act.push_back(kActScale * b_gain(a.tap));
        // Weight planes: max-based over the real transformed filters.
        sc.w.assign(L.prod.size(), 1e-8);
        for (int k = 0; k < s.K; ++k)
            for (int c = 0; c < s.C; ++c) {
                const std::vector<ComplexD> U = filter_transform(wino_, w.data() + (size_t(k) * s.C + c) * 9);
                for (size_t q = 0; q < L.prod.size(); ++q)
                    sc.w[q] = std::max(sc.w[q], std::fabs(filter_part_value(wino_, int(q), U)) / kQMax);
            }
        // M = sum_c U V: RMS sqrt(C) * |U| * |V|, clipped at kClipStd of it.
        double m_max = 0;
        for (const OutPlane& o : L.out) {
            const double rms = std::sqrt(double(s.C)) * w_std * g_gain(o.tap) * b_gain(o.tap);
            sc.m_plane.push_back(kClipStd * rms / kQMax);
            m_max = std::max(m_max, sc.m_plane.back());
        }
        sc.m = m_max;
        // One M scale per tensor for the real variants and cf43m4; per plane (m_lshift) for cf43.
        if (wino_ != Variant::kCF43) sc.m_plane.clear();
        sc.out = out;
        last_scales_ = sc;
        return sc;
    }

    Model& m_;
    Variant wino_;
    std::mt19937_64 rng_;
    WinogradScales last_scales_;
};

void resnet20(Builder& b) {
    b.conv("conv1", "input", 16, 3, 1, true);
    std::string x = "conv1";
    const int widths[3] = {16, 32, 64};
    for (int stage = 0; stage < 3; ++stage)
        for (int block = 0; block < 3; ++block) {
            const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
            const int stride = (stage > 0 && block == 0) ? 2 : 1;
            b.conv(p + ".conv1", x, widths[stage], 3, stride, true);
            std::string shortcut = x;
            if (stride == 2) {
                b.exact(OpKind::kShortcutA, p + ".shortcut", x, widths[stage]);
                shortcut = p + ".shortcut";
            }
            b.conv(p + ".conv2", p + ".conv1", widths[stage], 3, 1, true, shortcut, 0.5);
            x = p + ".conv2";
        }
}

void resnet18(Builder& b) {
    b.float_stem("conv1", 64);
    b.exact(OpKind::kMaxPool, "maxpool", "conv1", 64);
    std::string x = "maxpool";
    const int widths[4] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage)
        for (int block = 0; block < 2; ++block) {
            const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
            const int stride = (stage > 0 && block == 0) ? 2 : 1;
            b.conv(p + ".conv1", x, widths[stage], 3, stride, true);
            std::string shortcut = x;
            if (stride == 2) {
                b.conv(p + ".downsample", x, widths[stage], 1, 2, false);
                shortcut = p + ".downsample";
            }
            b.conv(p + ".conv2", p + ".conv1", widths[stage], 3, 1, true, shortcut, 0.5);
            x = p + ".conv2";
        }
}

// A stack of 1x1 convs at the input's resolution: a small file whose activations are huge at
// a large image size (the executor's memory budget refuses it before allocating).
void wide1x1(Builder& b) {
    std::string x = "input";
    for (int i = 0; i < 8; ++i) {
        const std::string name = "conv" + std::to_string(i + 1);
        b.conv(name, x, 4, 1, 1, true);
        x = name;
    }
}

// Small graphs with every op kind of format version 1 (fuzz seeds): a 3x3 conv, a conv with a
// residual, an option-A shortcut, a max pool, a 1x1 stride-2 conv; and ResNet-18's float stem,
// max pool, conv.
void block(Builder& b) {
    b.conv("conv1", "input", 4, 3, 1, true);
    b.conv("block.conv", "conv1", 4, 3, 1, true, "conv1", 0.5);
    b.exact(OpKind::kShortcutA, "block.shortcut", "block.conv", 6);
    b.exact(OpKind::kMaxPool, "pool", "block.shortcut", 6);
    b.conv("proj", "pool", 3, 1, 2, false);
}

void stem(Builder& b) {
    b.float_stem("conv1", 4);
    b.exact(OpKind::kMaxPool, "maxpool", "conv1", 4);
    b.conv("layer1.conv", "maxpool", 4, 3, 1, true);
}

// A general CNN as imported from ONNX (format version 2): convs without a fused ReLU, standalone
// clamps (a ReLU, a ReLU6-like clip), max pools with non-default windows (2x2 stride 2; 3x3
// stride 1 padding 1 with ceil_mode; an asymmetric 3x2 window, stride 2x1, pads 1,0,1,1, ceil_mode).
void graph(Builder& b) {
    b.conv("conv1", "input", 4, 3, 1, false);
    b.clamp("relu1", "conv1", 0.0, 1e9);
    PoolWindow p2;
    p2.kernel_h = p2.kernel_w = p2.stride_h = p2.stride_w = 2;
    p2.pad_top = p2.pad_left = p2.pad_bottom = p2.pad_right = 0;
    b.maxpool("pool1", "relu1", p2);
    b.conv("conv2", "pool1", 6, 3, 1, false);
    b.clamp("clip2", "conv2", -1.0, 2.0);
    PoolWindow p3;
    p3.stride_h = p3.stride_w = 1;
    p3.ceil_mode = true;
    b.maxpool("pool2", "clip2", p3);
    PoolWindow pa;
    pa.kernel_h = 3;
    pa.kernel_w = 2;
    pa.stride_h = 2;
    pa.stride_w = 1;
    pa.pad_top = 1;
    pa.pad_left = 0;
    pa.pad_bottom = 1;
    pa.pad_right = 1;
    pa.ceil_mode = true;
    b.maxpool("pool3", "pool2", pa);
    b.conv("conv3", "pool3", 4, 1, 1, false);
}

}  // namespace

Model make_random_model(const std::string& arch, const std::string& variant, int image_size, int in_channels,
                        uint64_t seed) {
    const auto v = parse_variant(variant);
    if (!v) throw std::invalid_argument("make_random_model: unknown variant '" + variant + "'");
    if (arch != "resnet20" && arch != "resnet18" && arch != "wide1x1" && arch != "block" && arch != "stem" &&
        arch != "graph")
        throw std::invalid_argument("make_random_model: unknown arch '" + arch + "'");
    if (image_size < 1 || in_channels < 1) throw std::invalid_argument("make_random_model: bad image size or channels");
    Model m;
    m.name = arch + "-untrained-" + variant;
    m.arch = arch;
    m.dataset = arch == "resnet18" ? "imagenet-shapes" : in_channels == 1 ? "fashion-mnist" : "cifar10";
    m.trained = false;
    m.in_channels = in_channels;
    m.image_size = image_size;
    for (int c = 0; c < in_channels; ++c) {
        m.mean.push_back(0.45f + 0.01f * c);
        m.std.push_back(0.25f - 0.01f * c);
    }
    m.input_scale = 2.5 / kQMax;  // normalised pixels lie within about +-2.2
    m.input_lut = make_input_lut(m.mean, m.std, m.input_scale);
    for (int k = 0; k < 10; ++k) m.class_names.push_back("class" + std::to_string(k));
    m.info = {{"generator", "make_random_model"}, {"seed", std::to_string(seed)}};
    Builder b(m, *v, seed);
    if (arch == "resnet20")
        resnet20(b);
    else if (arch == "resnet18")
        resnet18(b);
    else if (arch == "wide1x1")
        wide1x1(b);
    else if (arch == "block")
        block(b);
    else if (arch == "graph")
        graph(b);
    else
        stem(b);
    b.head(10);
    validate_model(m);
    return m;
}

}  // namespace winoq
