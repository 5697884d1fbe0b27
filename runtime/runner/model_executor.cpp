// winoq::ModelExecutor: runs a Model's ops in order on preallocated NHWC int8 activations.
// Int8 convs run on winoq::ConvKernel (kernels engine) or the scalar reference (reference
// engine); "float" convs, shortcut_a, maxpool and the head are plain C++ shared by both
// engines except the float conv, whose kernels-engine form is a vectorisable rewrite of
// winoq::float_conv with the same per-output operation order (tests compare the two).
#include "winoq/runner/model_executor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>

#include "winoq/kernels/conv_kernels.h"
#include "HalideRuntime.h"
#include "winoq/analysis/float_conv.h"
#include "winoq/numerics/reference.h"
#include "winoq/numerics/requantize.h"

namespace winoq {
namespace {

#if defined(__x86_64__)
#define WINOQ_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WINOQ_AVX2_CLONES
#endif

// The float conv's final step (model.h): relu, then round half to even onto the int8 grid.
inline int8_t float_conv_output(double y, bool relu, double out_scale) {
    if (relu && y < 0) y = 0;
    return quantize_float(y, out_scale);
}

// One output pixel of the float conv: o[k] = bias[k], then for each tap (ky, kx) in order
// o[k] += (sum_c x[c] * w[c][k], c ascending from 0); blocks of 16 output channels stay in
// registers across the taps. The AVX2 clone only widens the vectors: ISO C++ mode
// (-std=c++17) keeps FP contraction off, so no FMA changes the rounding.
WINOQ_AVX2_CLONES void float_conv_pixel(const double* const* tap_x,
                                                                          const double* const* tap_w, int taps, int C,
                                                                          int K, const float* bias, double* o) {
    constexpr int B = 16;
    int kb = 0;
    for (; kb + B <= K; kb += B) {
        double ob[B], a[B];
        for (int j = 0; j < B; ++j) ob[j] = double(bias[kb + j]);
        for (int t = 0; t < taps; ++t) {
            const double* px = tap_x[t];
            const double* wk = tap_w[t] + kb;
            for (int j = 0; j < B; ++j) a[j] = 0.0;
            for (int c = 0; c < C; ++c)
                for (int j = 0; j < B; ++j) a[j] += px[c] * wk[size_t(c) * K + j];
            for (int j = 0; j < B; ++j) ob[j] += a[j];
        }
        for (int j = 0; j < B; ++j) o[kb + j] = ob[j];
    }
    for (; kb < K; ++kb) {
        double ok = double(bias[kb]);
        for (int t = 0; t < taps; ++t) {
            double a = 0.0;
            for (int c = 0; c < C; ++c) a += tap_x[t][c] * tap_w[t][size_t(c) * K + kb];
            ok += a;
        }
        o[kb] = ok;
    }
}

// The float conv of the kernels engine: all buffers planned once. Per output value it
// performs exactly winoq::float_conv's additions: bias, then for each tap (ky, kx) in order
// the channel sum (c ascending, from 0) added to the running value; then + residual term.
class FloatConvRunner {
public:
    FloatConvRunner(const FloatConvParams& p, int batch) : p_(p), batch_(batch) {
        const ConvShape& s = p.shape;
        const int kk = s.kernel;
        wt_.resize(size_t(kk) * kk * s.C * s.K);  // [ky][kx][c][k]: the inner loop runs over k
        for (int k = 0; k < s.K; ++k)
            for (int c = 0; c < s.C; ++c)
                for (int ky = 0; ky < kk; ++ky)
                    for (int kx = 0; kx < kk; ++kx)
                        wt_[((size_t(ky) * kk + kx) * s.C + c) * s.K + k] = p.weights[((size_t(k) * s.C + c) * kk + ky) * kk + kx];
        x_.resize(size_t(batch) * s.H * s.W * s.C);
        const size_t rows = size_t(batch) * s.out_h();
        out_.resize(rows * s.K);
        tap_x_.resize(rows * kk * kk);
        tap_w_.resize(rows * kk * kk);
    }

    void run(const int8_t* in, const int8_t* residual, double out_scale, int8_t* out) {
        for (size_t i = 0; i < x_.size(); ++i) x_[i] = double(in[i]) * p_.x_scale;
        in_res_ = residual;
        out_q_ = out;
        out_scale_ = out_scale;
        // One task per output row on Halide's thread pool (the kernels' pool): each row has
        // its own scratch, so the result does not depend on the schedule.
        const int rows = batch_ * p_.shape.out_h();
        const int rc = halide_do_par_for(nullptr, &FloatConvRunner::row_task, 0, rows, reinterpret_cast<uint8_t*>(this));
        if (rc != 0) throw std::runtime_error("winoq: float conv task failed (" + std::to_string(rc) + ")");
    }

private:
    static int row_task(void*, int row, uint8_t* closure) {
        reinterpret_cast<FloatConvRunner*>(closure)->run_row(row);
        return 0;
    }

    void run_row(int row) {
        const ConvShape& s = p_.shape;
        const int Ho = s.out_h(), Wo = s.out_w(), kk = s.kernel, K = s.K, C = s.C;
        const int n = row / Ho, oy = row % Ho;
        double* o = &out_[size_t(row) * K];
        const double** tx = &tap_x_[size_t(row) * kk * kk];
        const double** tw = &tap_w_[size_t(row) * kk * kk];
        for (int ox = 0; ox < Wo; ++ox) {
            int taps = 0;  // the taps inside the image, in (ky, kx) order
            for (int ky = 0; ky < kk; ++ky)
                for (int kx = 0; kx < kk; ++kx) {
                    const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
                    if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                    tx[taps] = &x_[((size_t(n) * s.H + iy) * s.W + ix) * C];
                    tw[taps] = &wt_[(size_t(ky) * kk + kx) * C * K];
                    ++taps;
                }
            float_conv_pixel(tx, tw, taps, C, K, p_.bias.data(), o);
            const size_t base = ((size_t(n) * Ho + oy) * Wo + ox) * K;
            for (int k = 0; k < K; ++k) {
                double y = o[k];
                if (in_res_) y += double(in_res_[base + k]) * p_.res_scale;
                out_q_[base + k] = float_conv_output(y, p_.relu, out_scale_);
            }
        }
    }

    const FloatConvParams& p_;
    int batch_;
    std::vector<double> wt_, x_, out_;               // out_: K doubles per output row
    std::vector<const double*> tap_x_, tap_w_;       // kernel*kernel pointers per output row
    const int8_t* in_res_ = nullptr;
    int8_t* out_q_ = nullptr;
    double out_scale_ = 1.0;
};

// The float conv of the reference engine: winoq::float_conv itself.
void reference_float_conv(const FloatConvParams& p, int batch, const int8_t* in, const int8_t* residual,
                          double out_scale, int8_t* out) {
    ConvShape s = p.shape;
    s.N = batch;
    std::vector<double> x(s.in_size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = double(in[i]) * p.x_scale;
    const std::vector<double> y = float_conv(s, x.data(), p.weights.data(), p.bias.data());
    for (size_t i = 0; i < y.size(); ++i) {
        double v = y[i];
        if (residual) v += double(residual[i]) * p.res_scale;
        out[i] = float_conv_output(v, p.relu, out_scale);
    }
}

// Option-A shortcut: x[::2, ::2] with (out_c - in_c) / 2 zero channels on each side.
void shortcut_a(int batch, int H, int W, int C, int out_h, int out_w, int out_c, const int8_t* in, int8_t* out) {
    const int lo = (out_c - C) / 2;
    for (int n = 0; n < batch; ++n)
        for (int y = 0; y < out_h; ++y)
            for (int x = 0; x < out_w; ++x) {
                int8_t* o = out + ((size_t(n) * out_h + y) * out_w + x) * out_c;
                const int8_t* i = in + ((size_t(n) * H + 2 * y) * W + 2 * x) * C;
                std::fill(o, o + out_c, int8_t(0));
                std::copy(i, i + C, o + lo);
            }
}

// 3x3 max pool, stride 2, padding 1: padded positions are skipped (never win).
void maxpool3s2(int batch, int H, int W, int C, int out_h, int out_w, const int8_t* in, int8_t* out) {
    for (int n = 0; n < batch; ++n)
        for (int y = 0; y < out_h; ++y)
            for (int x = 0; x < out_w; ++x) {
                int8_t* o = out + ((size_t(n) * out_h + y) * out_w + x) * C;
                std::fill(o, o + C, int8_t(-128));
                for (int dy = 0; dy < 3; ++dy)
                    for (int dx = 0; dx < 3; ++dx) {
                        const int iy = 2 * y - 1 + dy, ix = 2 * x - 1 + dx;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                        const int8_t* i = in + ((size_t(n) * H + iy) * W + ix) * C;
                        for (int c = 0; c < C; ++c) o[c] = std::max(o[c], i[c]);
                    }
            }
}

struct ActBuf {
    int c = 0, h = 0, w = 0;
    std::vector<int8_t> data;
};

}  // namespace

struct ModelExecutor::Impl {
    Model model;
    int batch = 1;
    ExecEngine engine = ExecEngine::kKernels;
    std::map<std::string, ActBuf> acts;  // "input" and every op's output
    // Per op, in op order; null where the op needs none.
    std::vector<std::unique_ptr<ConvKernel>> kernels;
    std::vector<std::unique_ptr<FloatConvRunner>> float_runners;
    std::vector<const ActBuf*> in_buf, res_buf;
    std::vector<ActBuf*> out_buf;
    // Reference engine: the op's int8 params with shape.N = batch.
    std::vector<DirectConvParams> ref_direct;
    std::vector<WinogradConvParams> ref_winograd;
    std::vector<int64_t> channel_sums;  // head scratch
    std::vector<double> seconds;

    void run_op(size_t i);
    void run_head(double* logits);
};

void ModelExecutor::Impl::run_op(size_t i) {
    const ModelOp& op = model.ops[i];
    const ActBuf& in = *in_buf[i];
    ActBuf& out = *out_buf[i];
    const int8_t* res = res_buf[i] ? res_buf[i]->data.data() : nullptr;
    switch (op.kind) {
        case OpKind::kShortcutA:
            shortcut_a(batch, in.h, in.w, in.c, out.h, out.w, out.c, in.data.data(), out.data.data());
            return;
        case OpKind::kMaxPool: maxpool3s2(batch, in.h, in.w, in.c, out.h, out.w, in.data.data(), out.data.data()); return;
        case OpKind::kConv: break;
    }
    if (op.variant == "float") {
        if (engine == ExecEngine::kKernels)
            float_runners[i]->run(in.data.data(), res, op.out_scale, out.data.data());
        else
            reference_float_conv(op.float_conv, batch, in.data.data(), res, op.out_scale, out.data.data());
    } else if (engine == ExecEngine::kKernels) {
        kernels[i]->run(in.data.data(), res, out.data.data());
    } else if (op.variant == "direct") {
        reference::direct_conv(ref_direct[i], in.data.data(), res, out.data.data());
    } else {
        reference::winograd_conv(ref_winograd[i], in.data.data(), res, out.data.data());
    }
}

void ModelExecutor::Impl::run_head(double* logits) {
    const ActBuf& last = *out_buf.back();
    const ModelHead& h = model.head;
    const size_t pixels = size_t(last.h) * last.w;
    for (int n = 0; n < batch; ++n) {
        std::fill(channel_sums.begin(), channel_sums.end(), 0);
        const int8_t* a = last.data.data() + size_t(n) * pixels * last.c;
        for (size_t p = 0; p < pixels; ++p)
            for (int c = 0; c < last.c; ++c) channel_sums[c] += a[p * last.c + c];
        for (int k = 0; k < h.classes; ++k) {
            int64_t acc = 0;
            for (int c = 0; c < h.C; ++c) acc += int64_t(h.weight[size_t(k) * h.C + c]) * channel_sums[c];
            logits[size_t(n) * h.classes + k] = double(acc + h.bias[k]) * double(h.logit_scale[k]);
        }
    }
}

ModelExecutor::ModelExecutor(const Model& m, int batch, ExecEngine engine) : impl_(std::make_unique<Impl>()) {
    if (batch < 1) throw std::invalid_argument("winoq: ModelExecutor batch must be >= 1");
    validate_model(m);
    Impl& I = *impl_;
    I.model = m;
    I.batch = batch;
    I.engine = engine;
    auto make_buf = [&](const std::string& name, int c, int h, int w) {
        ActBuf& b = I.acts[name];
        b.c = c;
        b.h = h;
        b.w = w;
        b.data.assign(size_t(batch) * c * h * w, 0);
    };
    make_buf("input", m.in_channels, m.image_size, m.image_size);
    const size_t n_ops = I.model.ops.size();
    I.kernels.resize(n_ops);
    I.float_runners.resize(n_ops);
    I.ref_direct.resize(n_ops);
    I.ref_winograd.resize(n_ops);
    for (size_t i = 0; i < n_ops; ++i) {
        const ModelOp& op = I.model.ops[i];
        make_buf(op.name, op.out_c, op.out_h, op.out_w);
        if (op.kind != OpKind::kConv) continue;
        if (op.variant == "float") {
            if (engine == ExecEngine::kKernels) I.float_runners[i] = std::make_unique<FloatConvRunner>(op.float_conv, batch);
        } else if (op.variant == "direct") {
            DirectConvParams p = op.direct;
            p.shape.N = batch;
            if (engine == ExecEngine::kKernels) I.kernels[i] = std::make_unique<ConvKernel>(p);
            else I.ref_direct[i] = std::move(p);
        } else {
            WinogradConvParams p = op.winograd;
            p.shape.N = batch;
            if (engine == ExecEngine::kKernels) I.kernels[i] = std::make_unique<ConvKernel>(p);
            else I.ref_winograd[i] = std::move(p);
        }
    }
    // Pointers into the map are stable: every buffer exists now.
    for (const ModelOp& op : I.model.ops) {
        I.in_buf.push_back(&I.acts.at(op.input));
        I.res_buf.push_back(op.residual.empty() ? nullptr : &I.acts.at(op.residual));
        I.out_buf.push_back(&I.acts.at(op.name));
    }
    I.channel_sums.assign(I.model.head.C, 0);
    I.seconds.assign(n_ops + 1, 0.0);
}

ModelExecutor::~ModelExecutor() = default;
ModelExecutor::ModelExecutor(ModelExecutor&&) noexcept = default;
ModelExecutor& ModelExecutor::operator=(ModelExecutor&&) noexcept = default;

const Model& ModelExecutor::model() const { return impl_->model; }
int ModelExecutor::batch() const { return impl_->batch; }

void ModelExecutor::run_pixels(const uint8_t* images, double* logits) {
    Impl& I = *impl_;
    const int C = I.model.in_channels;
    const int8_t* lut = I.model.input_lut.data();
    std::vector<int8_t>& q = I.acts.at("input").data;
    for (size_t i = 0; i < q.size(); ++i) q[i] = lut[(i % C) * 256 + images[i]];
    run_quantized(q.data(), logits);
}

void ModelExecutor::run_quantized(const int8_t* input, double* logits) {
    Impl& I = *impl_;
    std::vector<int8_t>& q = I.acts.at("input").data;
    if (input != q.data()) std::copy(input, input + q.size(), q.begin());
    using clock = std::chrono::steady_clock;
    for (size_t i = 0; i < I.model.ops.size(); ++i) {
        const auto t0 = clock::now();
        I.run_op(i);
        I.seconds[i] = std::chrono::duration<double>(clock::now() - t0).count();
    }
    const auto t0 = clock::now();
    I.run_head(logits);
    I.seconds.back() = std::chrono::duration<double>(clock::now() - t0).count();
}

const std::vector<double>& ModelExecutor::op_seconds() const { return impl_->seconds; }

const int8_t* ModelExecutor::activation(const std::string& op_name) const {
    auto it = impl_->acts.find(op_name);
    if (it == impl_->acts.end()) throw std::out_of_range("winoq: model has no activation '" + op_name + "'");
    return it->second.data.data();
}

std::vector<double> softmax(const double* logits, int classes) {
    std::vector<double> p(classes);
    if (classes <= 0) return p;
    const double mx = *std::max_element(logits, logits + classes);
    double sum = 0;
    for (int k = 0; k < classes; ++k) sum += (p[k] = std::exp(logits[k] - mx));
    for (double& v : p) v /= sum;
    return p;
}

}  // namespace winoq
