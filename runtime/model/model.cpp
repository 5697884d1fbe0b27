// winoq::Model: op lookup, input quantization, MAC counting (docs/method.md section 3) and the
// consistency checks every loaded or built model must pass.
#include "winoq/model/model.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"

namespace winoq {

const ConvShape& ModelOp::conv_shape() const {
    if (kind != OpKind::kConv) throw std::logic_error("winoq: op '" + name + "' is not a conv");
    switch (impl) {
        case ConvImpl::kFloat: return float_conv.shape;
        case ConvImpl::kDirect: return direct.shape;
        case ConvImpl::kWinograd: break;
    }
    return winograd.shape;
}

std::optional<Variant> ModelOp::int8_variant() const {
    switch (impl) {
        case ConvImpl::kFloat: return std::nullopt;
        case ConvImpl::kDirect: return Variant::kDirect;
        case ConvImpl::kWinograd: break;
    }
    return winograd.variant;
}

std::string ModelOp::variant_label() const {
    if (kind != OpKind::kConv) return "";
    const std::optional<Variant> v = int8_variant();
    return v ? variant_name(*v) : kFloatConvName;
}

bool ModelOp::set_variant_label(const std::string& label) {
    if (label == kFloatConvName) {
        impl = ConvImpl::kFloat;
        return true;
    }
    const std::optional<Variant> v = parse_variant(label);
    if (!v) return false;
    impl = is_winograd(*v) ? ConvImpl::kWinograd : ConvImpl::kDirect;
    if (is_winograd(*v)) winograd.variant = *v;
    return true;
}

// --- Max-pool output size: PyTorch's pooling_output_shape_pad (dilation 1) ---

namespace {

int pool_out(int64_t in, int64_t kernel, int64_t stride, int64_t pad_lo, int64_t pad_hi, bool ceil_mode) {
    if (stride < 1) return 0;
    const int64_t span = in + pad_lo + pad_hi - kernel + (ceil_mode ? stride - 1 : 0);
    const int64_t q = span >= 0 ? span / stride : -((-span + stride - 1) / stride);  // floor division
    int64_t out = q + 1;
    // ceil_mode: the last window must start inside the input or its leading padding.
    if (ceil_mode && out > 0 && (out - 1) * stride >= in + pad_lo) --out;
    return int(std::max<int64_t>(out, 0));
}

}  // namespace

int PoolWindow::out_h(int h) const { return pool_out(h, kernel_h, stride_h, pad_top, pad_bottom, ceil_mode); }
int PoolWindow::out_w(int w) const { return pool_out(w, kernel_w, stride_w, pad_left, pad_right, ceil_mode); }

const ModelOp& Model::op(const std::string& op_name) const {
    for (const ModelOp& o : ops)
        if (o.name == op_name) return o;
    throw std::out_of_range("winoq: model has no op '" + op_name + "'");
}

// --- Input quantization ---

int8_t quantize_pixel(uint8_t pixel, float mean, float std, double input_scale) {
    // Each step rounded to float, in the trainer's order.
    const float x = (static_cast<float>(pixel) / 255.0f - mean) / std;
    return quantize_float(static_cast<double>(x), input_scale);
}

std::vector<int8_t> make_input_lut(const std::vector<float>& mean, const std::vector<float>& std, double input_scale) {
    if (mean.size() != std.size()) throw std::invalid_argument("winoq: mean and std differ in length");
    std::vector<int8_t> lut(mean.size() * 256);
    for (size_t c = 0; c < mean.size(); ++c)
        for (int p = 0; p < 256; ++p) lut[c * 256 + p] = quantize_pixel(uint8_t(p), mean[c], std[c], input_scale);
    return lut;
}

// --- MACs (docs/method.md section 3): Winograd-domain products of whole tiles; everything else direct ---

int64_t conv_macs(Variant v, const ConvShape& s) {
    if (is_winograd(v)) {
        const int64_t m = tile_size(v);
        const int64_t tiles_h = (s.H + m - 1) / m, tiles_w = (s.W + m - 1) / m;  // padded up to whole tiles
        return tiles_h * tiles_w * int64_t(s.K) * s.C * mults_per_tile(v);
    }
    return int64_t(s.K) * s.C * s.kernel * s.kernel * s.out_h() * s.out_w();
}

ModelMacs count_macs(const Model& m) {
    ModelMacs r;
    for (const ModelOp& op : m.ops) {
        if (op.kind != OpKind::kConv) continue;  // shortcut_a / maxpool / clamp: no multiplications
        const ConvShape& s = op.conv_shape();
        OpMacs o;
        o.name = op.name;
        o.variant = op.variant_label();
        o.direct = conv_macs(Variant::kDirect, s);
        const std::optional<Variant> v = op.int8_variant();  // a float conv counts as direct
        o.actual = v ? conv_macs(*v, s) : o.direct;
        r.ops.push_back(o);
    }
    OpMacs head;
    head.name = "head";
    head.variant = "linear";
    head.direct = head.actual = int64_t(m.head.classes) * m.head.C;
    r.ops.push_back(head);
    for (const OpMacs& o : r.ops) {
        r.direct += o.direct;
        r.actual += o.actual;
    }
    return r;
}

// --- Validation ---

namespace {

// Largest activation (per image) and image side a model may declare: keeps a hostile file
// from asking for absurd allocations.
constexpr int64_t kMaxActivationElems = int64_t(1) << 28;
constexpr int kMaxImageSize = 8192;

struct ActShape {
    int c = 0, h = 0, w = 0;
    double scale = 1.0;
};

[[noreturn]] void fail_op(const ModelOp& op, const std::string& why) {
    throw std::runtime_error("winoq model: op '" + op.name + "' (" + op_kind_name(op.kind) +
                             (op.kind == OpKind::kConv ? " " + op.variant_label() : "") + "): " + why);
}
[[noreturn]] void fail_model(const std::string& why) { throw std::runtime_error("winoq model: " + why); }

bool positive_finite(double x) { return std::isfinite(x) && x > 0; }

std::string sz(size_t got, size_t want) {
    return "has " + std::to_string(got) + " values, expected " + std::to_string(want);
}

void check_size(const ModelOp& op, const char* what, size_t got, size_t want) {
    if (got != want) fail_op(op, std::string(what) + " " + sz(got, want));
}

// The kernels' parameter rules (conv_params.h), reported against the op.
template <typename Params>
void check_kernel_params(const ModelOp& op, const Params& p) {
    try {
        validate(p);
    } catch (const std::invalid_argument& e) {
        fail_op(op, e.what());
    }
}

// What the file adds to the kernels' output-stage rules: res_mult is always stored (K values,
// all 0 without a residual) and the stage's residual flag agrees with the graph.
void check_output_stage_in_graph(const ModelOp& op, const OutputStage& st, int K, bool has_residual) {
    check_size(op, "out.res_mult", st.res_mult.size(), K);
    if (st.residual != has_residual)
        fail_op(op, has_residual ? "has a residual input but its output stage takes none"
                                 : "output stage expects a residual but the op names none");
    if (!has_residual)
        for (int32_t m : st.res_mult)
            if (m != 0) fail_op(op, "out.res_mult must be 0 without a residual");
}

void check_conv_shape(const ModelOp& op, const ConvShape& s, const ActShape& in) {
    if (s.N != 1) fail_op(op, "parameters must have shape.N = 1, not " + std::to_string(s.N));
    if (s.C != in.c || s.H != in.h || s.W != in.w)
        fail_op(op, "parameter shape C,H,W = " + std::to_string(s.C) + "," + std::to_string(s.H) + "," +
                        std::to_string(s.W) + " does not match its input '" + op.input + "' (" + std::to_string(in.c) +
                        "," + std::to_string(in.h) + "," + std::to_string(in.w) + ")");
    if (s.kernel < 1 || s.kernel > 15 || s.stride < 1 || s.stride > 4 || s.pad < 0 || s.pad > s.kernel / 2)
        fail_op(op, "unsupported kernel / stride / padding");
    if (s.C > kMaxChannels || s.K < 1 || s.K > kMaxChannels) fail_op(op, "channel count out of range");
    if (s.out_h() < 1 || s.out_w() < 1) fail_op(op, "empty output");
    if (op.out_c != s.K || op.out_h != s.out_h() || op.out_w != s.out_w())
        fail_op(op, "declared output " + std::to_string(op.out_c) + "x" + std::to_string(op.out_h) + "x" +
                        std::to_string(op.out_w) + " does not match its parameters (" + std::to_string(s.K) + "x" +
                        std::to_string(s.out_h()) + "x" + std::to_string(s.out_w()) + ")");
}

void check_float_conv(const ModelOp& op, const ActShape& in, bool has_residual) {
    const FloatConvParams& f = op.float_conv;
    const ConvShape& s = f.shape;
    check_conv_shape(op, s, in);
    check_size(op, "weights", f.weights.size(), size_t(s.K) * s.C * s.kernel * s.kernel);
    check_size(op, "bias", f.bias.size(), size_t(s.K));
    for (float w : f.weights)
        if (!std::isfinite(w)) fail_op(op, "non-finite weight");
    for (float b : f.bias)
        if (!std::isfinite(b)) fail_op(op, "non-finite bias");
    if (!positive_finite(f.x_scale)) fail_op(op, "x_scale must be finite and > 0");
    if (f.x_scale != in.scale) fail_op(op, "x_scale differs from the scale of its input '" + op.input + "'");
    if (has_residual ? !positive_finite(f.res_scale) : f.res_scale != 0.0)
        fail_op(op, has_residual ? "res_scale must be finite and > 0 with a residual"
                                 : "res_scale must be 0 without a residual");
}

void check_conv_params(const ModelOp& op, const ActShape& in, bool has_residual) {
    switch (op.impl) {
        case ConvImpl::kFloat: check_float_conv(op, in, has_residual); return;
        case ConvImpl::kDirect:
            check_conv_shape(op, op.direct.shape, in);
            check_kernel_params(op, op.direct);
            check_output_stage_in_graph(op, op.direct.out, op.direct.shape.K, has_residual);
            return;
        case ConvImpl::kWinograd:
            check_conv_shape(op, op.winograd.shape, in);
            check_kernel_params(op, op.winograd);
            check_output_stage_in_graph(op, op.winograd.out, op.winograd.shape.K, has_residual);
            return;
    }
    fail_op(op, "unknown conv implementation");
}

void check_model_facts(const Model& m) {
    if (m.version != kModelFormatVersion)
        fail_model("version " + std::to_string(m.version) + " is not " + std::to_string(kModelFormatVersion));
    if (m.in_channels < 1 || m.in_channels > kMaxChannels) fail_model("in_channels out of range");
    if (m.image_size < 1 || m.image_size > kMaxImageSize) fail_model("image_size out of range");
    if (int64_t(m.image_size) * m.image_size * m.in_channels > kMaxActivationElems) fail_model("image too large");
    if (m.mean.size() != size_t(m.in_channels) || m.std.size() != size_t(m.in_channels))
        fail_model("mean and std need one value per input channel");
    for (int c = 0; c < m.in_channels; ++c)
        if (!std::isfinite(m.mean[c]) || !std::isfinite(m.std[c]) || m.std[c] == 0.0f)
            fail_model("mean / std of channel " + std::to_string(c) + " not finite or std = 0");
    if (!positive_finite(m.input_scale)) fail_model("input_scale must be finite and > 0");
    if (m.input_lut.size() != size_t(m.in_channels) * 256)
        fail_model("input_lut " + sz(m.input_lut.size(), size_t(m.in_channels) * 256));
    for (int8_t q : m.input_lut)
        if (q < -kQMax) fail_model("input_lut holds -128 (int8 tensors are symmetric)");
    if (m.class_names.empty()) fail_model("no classes");
    if (m.ops.empty()) fail_model("no ops");
}

std::string dims(int c, int h, int w) { return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w); }

std::string window_text(const PoolWindow& p) {
    return "kernel " + std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + ", stride " +
           std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w) + ", pads " + std::to_string(p.pad_top) + "," +
           std::to_string(p.pad_left) + "," + std::to_string(p.pad_bottom) + "," + std::to_string(p.pad_right) +
           (p.ceil_mode ? ", ceil_mode" : "");
}

void check_pool_window(const ModelOp& op, const ActShape& in) {
    const PoolWindow& p = op.pool;
    auto in_range = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
    if (!in_range(p.kernel_h, 1, kMaxPoolWindow) || !in_range(p.kernel_w, 1, kMaxPoolWindow))
        fail_op(op, "pool kernel " + std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + " outside [1, " +
                        std::to_string(kMaxPoolWindow) + "]");
    if (!in_range(p.stride_h, 1, kMaxPoolWindow) || !in_range(p.stride_w, 1, kMaxPoolWindow))
        fail_op(op, "pool stride " + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w) + " outside [1, " +
                        std::to_string(kMaxPoolWindow) + "]");
    if (!in_range(p.pad_top, 0, p.kernel_h / 2) || !in_range(p.pad_bottom, 0, p.kernel_h / 2) ||
        !in_range(p.pad_left, 0, p.kernel_w / 2) || !in_range(p.pad_right, 0, p.kernel_w / 2))
        fail_op(op, "pool padding must be in [0, kernel / 2] of its axis (" + window_text(p) + ")");
    const int oh = p.out_h(in.h), ow = p.out_w(in.w);
    if (oh < 1 || ow < 1)
        fail_op(op, "pool window (" + window_text(p) + ") leaves no output of its " + std::to_string(in.h) + "x" +
                        std::to_string(in.w) + " input");
    if (op.out_c != in.c || op.out_h != oh || op.out_w != ow)
        fail_op(op, "declared output " + dims(op.out_c, op.out_h, op.out_w) + " is not the pool (" + window_text(p) +
                        ") of its input: " + dims(in.c, oh, ow));
}

// shortcut_a, maxpool and clamp: exact int8 ops whose output shape follows from the input.
void check_exact_op(const ModelOp& op, const ActShape& in) {
    if (!op.residual.empty()) fail_op(op, "takes no residual");
    if (op.out_scale != in.scale) fail_op(op, "out_scale must equal the scale of its input (exact op)");
    switch (op.kind) {
        case OpKind::kShortcutA:
            if (op.out_c < in.c || (op.out_c - in.c) % 2 != 0)
                fail_op(op, "out_c must be in_c plus an even number of zero channels");
            if (op.out_h != (in.h + 1) / 2 || op.out_w != (in.w + 1) / 2) fail_op(op, "output must be x[::2, ::2]");
            return;
        case OpKind::kMaxPool: check_pool_window(op, in); return;
        case OpKind::kClamp:
            if (op.clamp_lo < -kQMax || op.clamp_lo > op.clamp_hi || op.clamp_hi > kQMax)
                fail_op(op, "clamp bounds lo = " + std::to_string(op.clamp_lo) +
                                ", hi = " + std::to_string(op.clamp_hi) + " must satisfy -127 <= lo <= hi <= 127");
            if (op.out_c != in.c || op.out_h != in.h || op.out_w != in.w)
                fail_op(op, "declared output " + dims(op.out_c, op.out_h, op.out_w) +
                                " differs from its input's shape " + dims(in.c, in.h, in.w));
            return;
        case OpKind::kConv: break;
    }
    fail_op(op, "not an exact op");
}

// One op against the activations written before it (acts).
void check_op(const ModelOp& op, const std::map<std::string, ActShape>& acts) {
    if (op.name.empty()) fail_model("an op has an empty name");
    if (op.name == "input" || op.name == "head") fail_op(op, "reserved name");
    if (acts.count(op.name)) fail_op(op, "duplicate name");
    const auto in_it = acts.find(op.input);
    if (in_it == acts.end()) fail_op(op, "input '" + op.input + "' is not 'input' or an earlier op");
    const ActShape in = in_it->second;
    if (op.out_c < 1 || op.out_h < 1 || op.out_w < 1 || op.out_c > kMaxChannels)
        fail_op(op, "output shape out of range");
    if (int64_t(op.out_c) * op.out_h * op.out_w > kMaxActivationElems) fail_op(op, "output too large");
    if (!positive_finite(op.out_scale)) fail_op(op, "out_scale must be finite and > 0");
    for (const auto& [stage, values] : op.clipping)
        for (float a : values)
            if (!std::isfinite(a)) fail_op(op, "non-finite clipping factor of stage '" + stage + "'");
    switch (op.kind) {
        case OpKind::kConv: {
            const bool has_res = !op.residual.empty();
            if (has_res) {
                const auto r = acts.find(op.residual);
                if (r == acts.end()) fail_op(op, "residual '" + op.residual + "' is not an earlier op");
                if (r->second.c != op.out_c || r->second.h != op.out_h || r->second.w != op.out_w)
                    fail_op(op, "residual '" + op.residual + "' has another shape than the output");
            }
            check_conv_params(op, in, has_res);
            return;
        }
        case OpKind::kShortcutA:
        case OpKind::kMaxPool:
        case OpKind::kClamp: check_exact_op(op, in); return;
    }
    fail_op(op, "unknown op kind");
}

void check_head(const Model& m) {
    const ModelHead& h = m.head;
    if (h.C != m.ops.back().out_c)
        fail_model("head: C = " + std::to_string(h.C) + " but the last op has " + std::to_string(m.ops.back().out_c) +
                   " channels");
    if (h.classes != m.num_classes())
        fail_model("head: " + std::to_string(h.classes) + " classes but " + std::to_string(m.num_classes()) +
                   " class names");
    if (h.weight.size() != size_t(h.classes) * h.C)
        fail_model("head: weight " + sz(h.weight.size(), size_t(h.classes) * h.C));
    if (h.bias.size() != size_t(h.classes)) fail_model("head: bias " + sz(h.bias.size(), h.classes));
    if (h.logit_scale.size() != size_t(h.classes))
        fail_model("head: logit_scale " + sz(h.logit_scale.size(), h.classes));
    for (float s : h.logit_scale)
        if (!std::isfinite(s) || !(s > 0)) fail_model("head: logit_scale must be finite and > 0");
}

}  // namespace

void validate_model(const Model& m) {
    check_model_facts(m);
    std::map<std::string, ActShape> acts;  // every activation written so far
    acts["input"] = {m.in_channels, m.image_size, m.image_size, m.input_scale};
    for (const ModelOp& op : m.ops) {
        check_op(op, acts);
        acts[op.name] = {op.out_c, op.out_h, op.out_w, op.out_scale};
    }
    check_head(m);
}

}  // namespace winoq
