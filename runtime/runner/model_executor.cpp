// winoq::ModelExecutor: runs a Model's ops in order on preallocated NHWC int8 activations.
// This file plans the buffers and dispatches each op: int8 convs run on winoq::ConvKernel
// (kernels engine) or the scalar reference (reference engine); the CPU ops (float conv,
// shortcut_a, maxpool, clamp, the head) live in ops/.
#include "winoq/runner/model_executor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>

#include "ops/clamp_op.h"
#include "ops/float_conv_op.h"
#include "ops/head_op.h"
#include "ops/maxpool_op.h"
#include "ops/shortcut_op.h"
#include "winoq/kernels/conv_kernels.h"
#include "winoq/numerics/reference.h"

namespace winoq {
namespace {

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
    std::vector<std::unique_ptr<ops::FloatConvRunner>> float_runners;
    std::vector<const ActBuf*> in_buf, res_buf;
    std::vector<ActBuf*> out_buf;
    // Reference engine: the op's int8 params with shape.N = batch.
    std::vector<DirectConvParams> ref_direct;
    std::vector<WinogradConvParams> ref_winograd;
    std::vector<int64_t> channel_sums;  // head scratch
    std::vector<double> seconds;

    void plan_conv(size_t i);
    void run_op(size_t i);
    void run_conv(size_t i, const int8_t* in, const int8_t* res, int8_t* out);
    void run_head(double* logits);
};

void ModelExecutor::Impl::run_op(size_t i) {
    const ModelOp& op = model.ops[i];
    const ActBuf& in = *in_buf[i];
    ActBuf& out = *out_buf[i];
    switch (op.kind) {
        case OpKind::kShortcutA:
            ops::shortcut_a(batch, in.h, in.w, in.c, out.h, out.w, out.c, in.data.data(), out.data.data());
            return;
        case OpKind::kMaxPool:
            ops::maxpool(op.pool, batch, in.h, in.w, in.c, out.h, out.w, in.data.data(), out.data.data());
            return;
        case OpKind::kClamp:
            ops::clamp(op.clamp_lo, op.clamp_hi, in.data.size(), in.data.data(), out.data.data());
            return;
        case OpKind::kConv:
            run_conv(i, in.data.data(), res_buf[i] ? res_buf[i]->data.data() : nullptr, out.data.data());
            return;
    }
}

void ModelExecutor::Impl::run_conv(size_t i, const int8_t* in, const int8_t* res, int8_t* out) {
    const ModelOp& op = model.ops[i];
    if (op.impl == ConvImpl::kFloat) {
        if (engine == ExecEngine::kKernels)
            float_runners[i]->run(in, res, op.out_scale, out);
        else
            ops::reference_float_conv(op.float_conv, batch, in, res, op.out_scale, out);
    } else if (engine == ExecEngine::kKernels) {
        kernels[i]->run(in, res, out);
    } else if (op.impl == ConvImpl::kDirect) {
        reference::direct_conv(ref_direct[i], in, res, out);
    } else {
        reference::winograd_conv(ref_winograd[i], in, res, out);
    }
}

void ModelExecutor::Impl::run_head(double* logits) {
    const ActBuf& last = *out_buf.back();
    ops::int8_head(model.head, batch, last.data.data(), size_t(last.h) * last.w, channel_sums, logits);
}

// The conv's engine for this batch size: a kernel, a float runner or reference params.
void ModelExecutor::Impl::plan_conv(size_t i) {
    const ModelOp& op = model.ops[i];
    const bool on_kernels = engine == ExecEngine::kKernels;
    // An int8 conv (DirectConvParams or WinogradConvParams) for this batch: a kernel, or the
    // reference engine's params.
    auto plan_int8 = [&](auto p, auto& reference_params) {
        p.shape.N = batch;
        if (on_kernels)
            kernels[i] = std::make_unique<ConvKernel>(p);
        else
            reference_params[i] = std::move(p);
    };
    switch (op.impl) {
        case ConvImpl::kFloat:
            if (on_kernels) float_runners[i] = std::make_unique<ops::FloatConvRunner>(op.float_conv, batch);
            return;
        case ConvImpl::kDirect: plan_int8(op.direct, ref_direct); return;
        case ConvImpl::kWinograd: plan_int8(op.winograd, ref_winograd); return;
    }
}

PlannedMemory planned_memory(const Model& m, int batch, ExecEngine engine) {
    PlannedMemory p;
    const uint64_t n = uint64_t(batch);
    p.activations = n * m.in_channels * m.image_size * m.image_size;
    for (const ModelOp& op : m.ops) {
        p.activations += n * op.out_c * op.out_h * op.out_w;
        if (op.kind != OpKind::kConv || engine != ExecEngine::kKernels) continue;
        if (op.impl == ConvImpl::kFloat) {
            p.kernels += ops::FloatConvRunner::planned_bytes(op.float_conv, batch);
            continue;
        }
        const bool direct = op.impl == ConvImpl::kDirect;
        ConvShape s = direct ? op.direct.shape : op.winograd.shape;
        s.N = batch;
        p.kernels += ConvKernel::planned_bytes(direct ? Variant::kDirect : op.winograd.variant, s);
    }
    return p;
}

namespace {

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

void check_memory_budget(const Model& m, int batch, ExecEngine engine, uint64_t budget) {
    const PlannedMemory p = planned_memory(m, batch, engine);
    if (p.total() > budget)
        throw std::runtime_error("winoq: running this model at batch " + std::to_string(batch) + " needs " +
                                 mib(p.total()) + " (activations " + mib(p.activations) + ", kernels " +
                                 mib(p.kernels) + "), above the memory budget of " + mib(budget));
}

}  // namespace

ModelExecutor::ModelExecutor(const Model& m, int batch, ExecEngine engine, uint64_t memory_budget)
    : impl_(std::make_unique<Impl>()) {
    if (batch < 1 || batch > kMaxBatch)
        throw std::invalid_argument("winoq: ModelExecutor batch must be in [1, " + std::to_string(kMaxBatch) + "]");
    validate_model(m);
    check_memory_budget(m, batch, engine, memory_budget);
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
        if (op.kind == OpKind::kConv) I.plan_conv(i);
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
