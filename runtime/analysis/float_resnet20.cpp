#include "winoq/analysis/float_resnet20.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "winoq/io/datasets.h"
#include "winoq/io/file_read.h"

namespace winoq {
namespace {

constexpr int kImage = 32, kClasses = 10, kRecord = 1 + 3 * kImage * kImage;

FloatConvLayer load_conv(const SafetensorsFile& f, const std::string& conv, const std::string& bn, int stride,
                         double eps) {
    const TensorInfo& wi = f.info(conv + ".weight");
    if (wi.shape.size() != 4 || wi.shape[2] != 3 || wi.shape[3] != 3)
        throw std::runtime_error("winoq: ResNet-20 tensor " + conv + ".weight is not [K, C, 3, 3]");
    FloatConvLayer L;
    L.name = conv;
    L.K = static_cast<int>(wi.shape[0]);
    L.C = static_cast<int>(wi.shape[1]);
    L.stride = stride;
    L.weights = f.f32(conv + ".weight");
    const std::vector<float> g = f.f32(bn + ".weight"), beta = f.f32(bn + ".bias"), mean = f.f32(bn + ".running_mean"),
                             var = f.f32(bn + ".running_var");
    for (const auto* v : {&g, &beta, &mean, &var})
        if (static_cast<int>(v->size()) != L.K)
            throw std::runtime_error("winoq: ResNet-20 " + bn + " has the wrong size");
    L.bias.resize(L.K);
    const size_t per_k = size_t(L.C) * 9;
    for (int k = 0; k < L.K; ++k) {
        const double s = g[k] / std::sqrt(double(var[k]) + eps);
        for (size_t i = 0; i < per_k; ++i) L.weights[k * per_k + i] = static_cast<float>(L.weights[k * per_k + i] * s);
        L.bias[k] = static_cast<float>(beta[k] - mean[k] * s);
    }
    return L;
}

void relu(std::vector<double>& x) {
    for (double& v : x) v = std::max(v, 0.0);
}

// Option A: x[:, ::2, ::2, :] with (K - C) / 2 zero channels on each side (NHWC).
std::vector<double> option_a_shortcut(const std::vector<double>& x, int N, int H, int W, int C, int K) {
    const int Ho = H / 2, Wo = W / 2, pad = (K - C) / 2;
    std::vector<double> y(size_t(N) * Ho * Wo * K, 0.0);
    for (int n = 0; n < N; ++n)
        for (int yy = 0; yy < Ho; ++yy)
            for (int xx = 0; xx < Wo; ++xx)
                for (int c = 0; c < C; ++c)
                    y[((size_t(n) * Ho + yy) * Wo + xx) * K + pad + c] =
                        x[((size_t(n) * H + 2 * yy) * W + 2 * xx) * C + c];
    return y;
}

}  // namespace

FloatResNet20 load_float_resnet20(const SafetensorsFile& f, double eps) {
    FloatResNet20 net;
    net.convs.push_back(load_conv(f, "conv1", "bn1", 1, eps));
    for (int s = 1; s <= 3; ++s)
        for (int b = 0; b < 3; ++b) {
            const std::string p = "layer" + std::to_string(s) + "." + std::to_string(b) + ".";
            net.convs.push_back(load_conv(f, p + "conv1", p + "bn1", (s > 1 && b == 0) ? 2 : 1, eps));
            net.convs.push_back(load_conv(f, p + "conv2", p + "bn2", 1, eps));
        }
    net.linear_w = f.f32("linear.weight");
    net.linear_b = f.f32("linear.bias");
    const int last = net.convs.back().K;
    if (net.linear_w.size() != size_t(kClasses) * last || net.linear_b.size() != size_t(kClasses))
        throw std::runtime_error("winoq: ResNet-20 linear layer has the wrong shape");
    for (size_t i = 1; i < net.convs.size(); ++i)
        if (net.convs[i].C != net.convs[i - 1].K)
            throw std::runtime_error("winoq: ResNet-20 channel counts do not chain at " + net.convs[i].name);
    return net;
}

int resnet20_conv_input_size(const FloatResNet20& net, size_t conv_index) {
    int size = kImage;
    for (size_t i = 0; i < conv_index; ++i) size /= net.convs.at(i).stride;
    return size;
}

std::vector<double> resnet20_forward(const FloatResNet20& net, const std::vector<double>& images, int N,
                                     std::vector<std::vector<double>>* conv_inputs) {
    if (images.size() != size_t(N) * kImage * kImage * 3) throw std::invalid_argument("winoq: need N 32x32x3 images");
    if (conv_inputs) conv_inputs->clear();
    int H = kImage;
    size_t next = 0;
    // Applies the next convolution to x (H x H spatial), recording its input.
    auto conv = [&](const std::vector<double>& x) {
        const FloatConvLayer& L = net.convs.at(next++);
        if (conv_inputs) conv_inputs->push_back(x);
        std::vector<double> y = float_conv(L.shape(N, H, H), x.data(), L.weights.data(), L.bias_or_null());
        H = L.shape(N, H, H).out_h();
        return y;
    };
    std::vector<double> h = conv(images);
    relu(h);
    for (int blk = 0; blk < 9; ++blk) {
        const int Hin = H, Cin = net.convs[next].C, Cout = net.convs[next].K;
        const bool down = net.convs[next].stride != 1 || Cin != Cout;
        std::vector<double> t = conv(h);
        relu(t);
        t = conv(t);
        const std::vector<double> sc = down ? option_a_shortcut(h, N, Hin, Hin, Cin, Cout) : h;
        for (size_t i = 0; i < t.size(); ++i) t[i] += sc[i];
        relu(t);
        h = std::move(t);
    }
    const int C = net.convs.back().K;
    std::vector<double> logits(size_t(N) * kClasses);
    for (int n = 0; n < N; ++n) {
        std::vector<double> pooled(C, 0.0);
        for (int p = 0; p < H * H; ++p)
            for (int c = 0; c < C; ++c) pooled[c] += h[(size_t(n) * H * H + p) * C + c] / double(H * H);
        for (int j = 0; j < kClasses; ++j) {
            double z = net.linear_b[j];
            for (int c = 0; c < C; ++c) z += net.linear_w[size_t(j) * C + c] * pooled[c];
            logits[size_t(n) * kClasses + j] = z;
        }
    }
    return logits;
}

std::vector<double> load_cifar10_images(const std::string& path, int first, int count, std::vector<int>* labels) {
    static const double kMean[3] = {0.485, 0.456, 0.406}, kStd[3] = {0.229, 0.224, 0.225};
    if (first < 0 || count < 0) throw std::invalid_argument("winoq: negative image range");
    const RegularFile f = RegularFile::open(path, kMaxCifarFileBytes, "CIFAR-10 batch");
    std::vector<unsigned char> rec(kRecord);
    std::vector<double> out(size_t(count) * kImage * kImage * 3);
    if (labels) labels->clear();
    for (int i = 0; i < count; ++i) {
        if (f.read_at((uint64_t(first) + i) * kRecord, rec.data(), kRecord) != size_t(kRecord))
            throw std::runtime_error("winoq: CIFAR-10 batch " + path + " has fewer than " +
                                     std::to_string(first + count) + " records");
        if (labels) labels->push_back(rec[0]);
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < kImage * kImage; ++p)
                out[(size_t(i) * kImage * kImage + p) * 3 + c] =
                    (rec[1 + c * kImage * kImage + p] / 255.0 - kMean[c]) / kStd[c];
    }
    return out;
}

}  // namespace winoq
