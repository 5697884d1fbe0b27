// The "winoq-int8-model" file (docs/model-format.md): a safetensors container whose metadata
// holds the model facts and the graph as JSON and whose tensors hold every parameter array.
// Loading checks everything against the graph before any value is used.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "winoq/model/model.h"
#include "winoq/io/file_read.h"
#include "winoq/io/json_limits.h"
#include "winoq/io/safetensors.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transforms.h"

namespace winoq {
namespace {

using nlohmann::json;

// Bounds on the graph's integers, checked before any tensor size is computed from them so
// that no product overflows and no hostile file makes us allocate.
constexpr int kMaxSide = 8192;
constexpr int kMaxKernel = 15;
// The oldest file version this reader takes: version 1 has no clamp op and no maxpool window.
constexpr int kOldestModelFormatVersion = 1;

const std::set<std::string> kClipStages = {"x", "w", "v", "u", "m", "y"};

// --- Writing ---

json shape_json(const ConvShape& s) {
    return {{"C", s.C}, {"H", s.H}, {"W", s.W}, {"K", s.K}, {"kernel", s.kernel}, {"stride", s.stride}, {"pad", s.pad}};
}

void add_output_stage(std::map<std::string, TensorToWrite>& t, const std::string& p, const OutputStage& st) {
    const int64_t K = static_cast<int64_t>(st.mult.size());
    t[p + ".bias"] = tensor_i32({K}, st.bias);
    t[p + ".out.mult"] = tensor_i32({K}, st.mult);
    t[p + ".out.res_mult"] = tensor_i32({K}, st.res_mult);
    t[p + ".out.shift"] = tensor_i32({K}, st.shift);
}

void add_float_conv(json& j, std::map<std::string, TensorToWrite>& t, const std::string& p, const FloatConvParams& f) {
    const ConvShape& s = f.shape;
    j["relu"] = f.relu;
    j["x_scale"] = f.x_scale;
    j["res_scale"] = f.res_scale;
    t[p + ".weight"] = tensor_f32({s.K, s.C, s.kernel, s.kernel}, f.weights);
    t[p + ".bias"] = tensor_f32({s.K}, f.bias);
}

void add_direct_conv(json& j, std::map<std::string, TensorToWrite>& t, const std::string& p,
                     const DirectConvParams& d) {
    const ConvShape& s = d.shape;
    j["relu"] = d.out.relu;
    t[p + ".weight"] = tensor_i8({s.K, s.kernel, s.kernel, s.C}, d.weights);
    add_output_stage(t, p, d.out);
}

void add_winograd_conv(json& j, std::map<std::string, TensorToWrite>& t, const std::string& p,
                       const WinogradConvParams& w) {
    const ConvShape& s = w.shape;
    const PlaneLayout& L = plane_layout(w.variant);
    const int64_t P = L.prod.size(), A = L.act.size(), O = L.out.size();
    j["relu"] = w.out.relu;
    j["per_plane_m"] = !w.m_lshift.empty();
    t[p + ".weight"] = tensor_i8({P, s.K, s.C}, w.weights);
    add_output_stage(t, p, w.out);
    t[p + ".in_mult"] = tensor_i32({A}, w.in_mult);
    t[p + ".in_shift"] = tensor_i32({A}, w.in_shift);
    t[p + ".m_mult"] = tensor_i32({O, s.K, 2}, w.m_mult);
    t[p + ".m_shift"] = tensor_i32({O, s.K}, w.m_shift);
    if (!w.m_lshift.empty()) t[p + ".m_lshift"] = tensor_i32({O}, w.m_lshift);
}

json pool_json(const PoolWindow& p) {
    return {{"kernel", {p.kernel_h, p.kernel_w}},
            {"stride", {p.stride_h, p.stride_w}},
            {"pads", {p.pad_top, p.pad_left, p.pad_bottom, p.pad_right}},
            {"ceil_mode", p.ceil_mode}};
}

json op_json(const ModelOp& op, std::map<std::string, TensorToWrite>& t) {
    json j = {{"name", op.name},          {"kind", op_kind_name(op.kind)},
              {"input", op.input},        {"out_c", op.out_c},
              {"out_h", op.out_h},        {"out_w", op.out_w},
              {"out_scale", op.out_scale}};
    json clip = json::object();
    for (const auto& [stage, values] : op.clipping) {
        clip[stage] = values.size();
        t[op.name + ".clip." + stage] = tensor_f32({int64_t(values.size())}, values);
    }
    j["clipping"] = clip;
    if (op.kind == OpKind::kMaxPool) j["pool"] = pool_json(op.pool);
    if (op.kind == OpKind::kClamp) {
        j["lo"] = op.clamp_lo;
        j["hi"] = op.clamp_hi;
    }
    if (op.kind != OpKind::kConv) return j;
    j["residual"] = op.residual;
    j["variant"] = op.variant_label();
    j["shape"] = shape_json(op.conv_shape());
    switch (op.impl) {
        case ConvImpl::kFloat: add_float_conv(j, t, op.name, op.float_conv); break;
        case ConvImpl::kDirect: add_direct_conv(j, t, op.name, op.direct); break;
        case ConvImpl::kWinograd: add_winograd_conv(j, t, op.name, op.winograd); break;
    }
    return j;
}

// --- Reading: typed JSON access with errors naming the field ---

[[noreturn]] void bad(const std::string& why) { throw std::runtime_error(why); }

const json& field(const json& j, const std::string& where, const char* key) {
    if (!j.is_object()) bad(where + " is not a JSON object");
    auto it = j.find(key);
    if (it == j.end()) bad(where + " has no \"" + key + "\"");
    return *it;
}
std::string get_string(const json& j, const std::string& where, const char* key) {
    const json& v = field(j, where, key);
    if (!v.is_string()) bad(where + "." + key + " is not a string");
    return v.get<std::string>();
}
bool get_bool(const json& j, const std::string& where, const char* key) {
    const json& v = field(j, where, key);
    if (!v.is_boolean()) bad(where + "." + key + " is not a boolean");
    return v.get<bool>();
}
// An integer JSON value in [lo, hi]; `what` names it in the error.
int int_in_range(const json& v, const std::string& what, int lo, int hi) {
    if (!v.is_number_integer()) bad(what + " is not an integer");
    const int64_t x =
        v.is_number_unsigned() ? int64_t(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX)) : v.get<int64_t>();
    if (x < lo || x > hi)
        bad(what + " = " + std::to_string(x) + " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(x);
}
int get_int(const json& j, const std::string& where, const char* key, int lo, int hi) {
    return int_in_range(field(j, where, key), where + "." + key, lo, hi);
}
double get_double(const json& j, const std::string& where, const char* key) {
    const json& v = field(j, where, key);
    if (!v.is_number()) bad(where + "." + key + " is not a number");
    return v.get<double>();
}
// A JSON array of exactly n integers, each in [lo, hi].
std::vector<int> get_ints(const json& j, const std::string& where, const char* key, size_t n, int lo, int hi) {
    const json& v = field(j, where, key);
    if (!v.is_array() || v.size() != n)
        bad(where + "." + key + " is not an array of " + std::to_string(n) + " integers");
    std::vector<int> r;
    for (size_t i = 0; i < n; ++i)
        r.push_back(int_in_range(v[i], where + "." + key + "[" + std::to_string(i) + "]", lo, hi));
    return r;
}
std::vector<float> get_floats(const json& j, const std::string& where, const char* key) {
    const json& v = field(j, where, key);
    if (!v.is_array()) bad(where + "." + key + " is not an array");
    std::vector<float> r;
    for (const json& x : v) {
        if (!x.is_number()) bad(where + "." + key + " holds a non-number");
        r.push_back(static_cast<float>(x.get<double>()));
    }
    return r;
}

json parse_json(const std::string& text, const char* key) {
    // Counted before parsing, as the safetensors header is: a parsed value costs far more
    // memory than its text (docs/security.md).
    const std::string problem = json_limit_problem(text, kMaxSafetensorsJsonValues, kMaxSafetensorsJsonDepth);
    if (!problem.empty()) bad(std::string("metadata \"") + key + "\" " + problem);
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        bad(std::string("metadata \"") + key + "\" is not valid JSON: " + e.what());
    }
}

ConvShape read_shape(const json& j, const std::string& where) {
    const json& s = field(j, where, "shape");
    const std::string w = where + ".shape";
    ConvShape r;
    r.N = 1;
    r.C = get_int(s, w, "C", 1, kMaxChannels);
    r.H = get_int(s, w, "H", 1, kMaxSide);
    r.W = get_int(s, w, "W", 1, kMaxSide);
    r.K = get_int(s, w, "K", 1, kMaxChannels);
    r.kernel = get_int(s, w, "kernel", 1, kMaxKernel);
    r.stride = get_int(s, w, "stride", 1, kMaxKernel);
    r.pad = get_int(s, w, "pad", 0, kMaxKernel);
    return r;
}

OpKind read_kind(const std::string& s, const std::string& where, int version) {
    const std::optional<OpKind> k = parse_name(kOpKindNames, s);
    if (!k) bad(where + ": unknown op kind '" + s + "'");
    if (*k == OpKind::kClamp && version < 2)
        bad(where + ": op kind 'clamp' needs format version 2 (the file says " + std::to_string(version) + ")");
    return *k;
}

// A maxpool's "pool" window (written since version 2; without it, as in every version-1 file, the
// default window). Ranges here keep the numbers small; validate_model checks it against its input.
PoolWindow read_pool(const json& j, const std::string& where) {
    const json& p = field(j, where, "pool");
    const std::string w = where + ".pool";
    PoolWindow r;
    const std::vector<int> k = get_ints(p, w, "kernel", 2, 1, kMaxPoolWindow);
    const std::vector<int> s = get_ints(p, w, "stride", 2, 1, kMaxPoolWindow);
    const std::vector<int> pads = get_ints(p, w, "pads", 4, 0, kMaxPoolWindow);
    r.kernel_h = k[0];
    r.kernel_w = k[1];
    r.stride_h = s[0];
    r.stride_w = s[1];
    r.pad_top = pads[0];
    r.pad_left = pads[1];
    r.pad_bottom = pads[2];
    r.pad_right = pads[3];
    r.ceil_mode = get_bool(p, w, "ceil_mode");
    return r;
}

// What the file must hold: tensor name -> (dtype, shape).
struct Expected {
    TensorDType dtype;
    std::vector<int64_t> shape;
};
using ExpectedTensors = std::map<std::string, Expected>;

void expect_output_stage(ExpectedTensors& e, const std::string& p, int64_t K) {
    e[p + ".bias"] = {TensorDType::kI32, {K}};
    for (const char* t : {".out.mult", ".out.res_mult", ".out.shift"}) e[p + t] = {TensorDType::kI32, {K}};
}

// A conv's graph fields past the common ones, and the tensors its implementation needs.
void read_conv(const json& j, const std::string& w, ModelOp& op, ExpectedTensors& e) {
    const ConvShape s = read_shape(j, w);
    const bool relu = get_bool(j, w, "relu");
    const bool has_res = !op.residual.empty();
    const std::string& p = op.name;
    switch (op.impl) {
        case ConvImpl::kFloat: {
            FloatConvParams& f = op.float_conv;
            f.shape = s;
            f.relu = relu;
            f.x_scale = get_double(j, w, "x_scale");
            f.res_scale = get_double(j, w, "res_scale");
            e[p + ".weight"] = {TensorDType::kF32, {s.K, s.C, s.kernel, s.kernel}};
            e[p + ".bias"] = {TensorDType::kF32, {s.K}};
            return;
        }
        case ConvImpl::kDirect:
            op.direct.shape = s;
            op.direct.out.relu = relu;
            op.direct.out.residual = has_res;
            e[p + ".weight"] = {TensorDType::kI8, {s.K, s.kernel, s.kernel, s.C}};
            expect_output_stage(e, p, s.K);
            return;
        case ConvImpl::kWinograd: break;
    }
    WinogradConvParams& wp = op.winograd;  // wp.variant: set from the variant label
    wp.shape = s;
    wp.out.relu = relu;
    wp.out.residual = has_res;
    const PlaneLayout& L = plane_layout(wp.variant);
    const int64_t P = L.prod.size(), A = L.act.size(), O = L.out.size();
    e[p + ".weight"] = {TensorDType::kI8, {P, s.K, s.C}};
    expect_output_stage(e, p, s.K);
    e[p + ".in_mult"] = {TensorDType::kI32, {A}};
    e[p + ".in_shift"] = {TensorDType::kI32, {A}};
    e[p + ".m_mult"] = {TensorDType::kI32, {O, s.K, 2}};
    e[p + ".m_shift"] = {TensorDType::kI32, {O, s.K}};
    if (get_bool(j, w, "per_plane_m")) e[p + ".m_lshift"] = {TensorDType::kI32, {O}};
}

// Reads one op's graph entry (no tensor values yet) and records the tensors it needs.
ModelOp read_op(const json& j, size_t index, int version, ExpectedTensors& e) {
    const std::string where = "graph op " + std::to_string(index);
    ModelOp op;
    op.name = get_string(j, where, "name");
    const std::string w = where + " ('" + op.name + "')";
    op.kind = read_kind(get_string(j, w, "kind"), w, version);
    op.input = get_string(j, w, "input");
    op.out_c = get_int(j, w, "out_c", 1, kMaxChannels);
    op.out_h = get_int(j, w, "out_h", 1, kMaxSide);
    op.out_w = get_int(j, w, "out_w", 1, kMaxSide);
    op.out_scale = get_double(j, w, "out_scale");
    const json& clip = field(j, w, "clipping");
    if (!clip.is_object()) bad(w + ".clipping is not a JSON object");
    for (auto it = clip.begin(); it != clip.end(); ++it) {
        if (!kClipStages.count(it.key())) bad(w + ": unknown clipping stage '" + it.key() + "'");
        const int n = get_int(clip, w + ".clipping", it.key().c_str(), 0, 1 << 20);
        op.clipping[it.key()];  // values read later
        e[op.name + ".clip." + it.key()] = {TensorDType::kF32, {n}};
    }
    if (op.kind == OpKind::kMaxPool && j.contains("pool")) op.pool = read_pool(j, w);  // absent: the default
    if (op.kind == OpKind::kClamp) {
        op.clamp_lo = get_int(j, w, "lo", -kQMax, kQMax);
        op.clamp_hi = get_int(j, w, "hi", -kQMax, kQMax);
    }
    if (op.kind != OpKind::kConv) return op;

    op.residual = get_string(j, w, "residual");
    const std::string variant = get_string(j, w, "variant");
    if (!op.set_variant_label(variant)) bad(w + ": unknown conv variant '" + variant + "'");
    read_conv(j, w, op, e);
    return op;
}

std::string shape_str(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

void read_output_stage(const SafetensorsFile& f, const std::string& p, OutputStage& st) {
    st.bias = f.i32(p + ".bias");
    st.mult = f.i32(p + ".out.mult");
    st.res_mult = f.i32(p + ".out.res_mult");
    st.shift = f.i32(p + ".out.shift");
}

const std::string& meta_value(const std::map<std::string, std::string>& meta, const char* key) {
    auto it = meta.find(key);
    if (it == meta.end()) bad(std::string("metadata has no \"") + key + "\" (not a winoq model file?)");
    return it->second;
}

// The format name, the version (returned: 1 or 2) and no metadata key besides the four known ones.
int check_format_and_version(const std::map<std::string, std::string>& meta) {
    const std::string& format = meta_value(meta, "format");
    if (format != kModelFormatName) bad("format is '" + format + "', not '" + kModelFormatName + "'");
    const std::string& vs = meta_value(meta, "version");
    if (vs.empty() || vs.size() > 9 || vs.find_first_not_of("0123456789") != std::string::npos)
        bad("version '" + vs + "' is not a positive integer");
    const int version = std::stoi(vs);
    if (version > kModelFormatVersion)
        bad("written by a newer winoq, version " + vs + "; this build reads " + std::to_string(kModelFormatVersion));
    if (version < kOldestModelFormatVersion) bad("unsupported version " + vs);
    for (const auto& kv : meta)
        if (kv.first != "format" && kv.first != "version" && kv.first != "model" && kv.first != "graph")
            bad("unknown metadata key '" + kv.first + "'");
    return version;
}

// The "model" metadata: the model facts.
void read_model_facts(const json& mj, Model& m) {
    const std::string w = "model";
    m.name = get_string(mj, w, "name");
    m.arch = get_string(mj, w, "arch");
    m.dataset = get_string(mj, w, "dataset");
    m.trained = get_bool(mj, w, "trained");
    m.in_channels = get_int(mj, w, "in_channels", 1, kMaxChannels);
    m.image_size = get_int(mj, w, "image_size", 1, kMaxSide);
    m.mean = get_floats(mj, w, "mean");
    m.std = get_floats(mj, w, "std");
    m.input_scale = get_double(mj, w, "input_scale");
    const json& names = field(mj, w, "class_names");
    if (!names.is_array()) bad("model.class_names is not an array");
    for (const json& n : names) {
        if (!n.is_string()) bad("model.class_names holds a non-string");
        m.class_names.push_back(n.get<std::string>());
    }
    const json& info = field(mj, w, "info");
    if (!info.is_object()) bad("model.info is not a JSON object");
    for (auto it = info.begin(); it != info.end(); ++it) {
        if (!it.value().is_string()) bad("model.info." + it.key() + " is not a string");
        m.info[it.key()] = it.value().get<std::string>();
    }
}

// The "graph" metadata: the ops and the head's sizes; returns every tensor the file must hold.
ExpectedTensors read_graph(const json& gj, int version, Model& m) {
    const json& ops = field(gj, "graph", "ops");
    if (!ops.is_array()) bad("graph.ops is not an array");
    ExpectedTensors expected;
    std::set<std::string> seen;
    for (size_t i = 0; i < ops.size(); ++i) {
        m.ops.push_back(read_op(ops[i], i, version, expected));
        if (!seen.insert(m.ops.back().name).second) bad("graph: duplicate op name '" + m.ops.back().name + "'");
    }
    const json& hj = field(gj, "graph", "head");
    m.head.C = get_int(hj, "graph.head", "C", 1, kMaxChannels);
    m.head.classes = get_int(hj, "graph.head", "classes", 1, 1 << 20);
    expected["input.lut"] = {TensorDType::kI8, {m.in_channels, 256}};
    expected["head.weight"] = {TensorDType::kI8, {m.head.classes, m.head.C}};
    expected["head.bias"] = {TensorDType::kI32, {m.head.classes}};
    expected["head.logit_scale"] = {TensorDType::kF32, {m.head.classes}};
    return expected;
}

// Every expected tensor present with its dtype and exact shape, and nothing else.
void check_tensors(const SafetensorsFile& f, const ExpectedTensors& expected) {
    for (const auto& [name, want] : expected) {
        if (!f.contains(name)) bad("missing tensor '" + name + "'");
        const TensorInfo& t = f.info(name);
        if (t.dtype != want.dtype)
            bad("tensor '" + name + "' is " + dtype_name(t.dtype) + ", expected " + dtype_name(want.dtype));
        if (t.shape != want.shape)
            bad("tensor '" + name + "' has shape " + shape_str(t.shape) + ", expected " + shape_str(want.shape));
    }
    for (const std::string& name : f.names())
        if (!expected.count(name)) bad("unexpected tensor '" + name + "'");
}

// The tensor values, after check_tensors.
void read_tensor_values(const SafetensorsFile& f, Model& m) {
    m.input_lut = f.i8("input.lut");
    m.head.weight = f.i8("head.weight");
    m.head.bias = f.i32("head.bias");
    m.head.logit_scale = f.f32("head.logit_scale");
    for (ModelOp& op : m.ops) {
        const std::string& p = op.name;
        for (auto& [stage, values] : op.clipping) values = f.f32(p + ".clip." + stage);
        if (op.kind != OpKind::kConv) continue;
        switch (op.impl) {
            case ConvImpl::kFloat:
                op.float_conv.weights = f.f32(p + ".weight");
                op.float_conv.bias = f.f32(p + ".bias");
                break;
            case ConvImpl::kDirect:
                op.direct.weights = f.i8(p + ".weight");
                read_output_stage(f, p, op.direct.out);
                break;
            case ConvImpl::kWinograd: {
                WinogradConvParams& wp = op.winograd;
                wp.weights = f.i8(p + ".weight");
                read_output_stage(f, p, wp.out);
                wp.in_mult = f.i32(p + ".in_mult");
                wp.in_shift = f.i32(p + ".in_shift");
                wp.m_mult = f.i32(p + ".m_mult");
                wp.m_shift = f.i32(p + ".m_shift");
                if (f.contains(p + ".m_lshift")) wp.m_lshift = f.i32(p + ".m_lshift");
                break;
            }
        }
    }
}

Model parse_checked(const SafetensorsFile& f) {
    const auto& meta = f.metadata();
    Model m;
    const int version = check_format_and_version(meta);  // m.version: the in-memory form is the current one
    read_model_facts(parse_json(meta_value(meta, "model"), "model"), m);
    const ExpectedTensors expected = read_graph(parse_json(meta_value(meta, "graph"), "graph"), version, m);
    check_tensors(f, expected);
    read_tensor_values(f, m);
    validate_model(m);
    return m;
}

}  // namespace

std::vector<uint8_t> serialize_model(const Model& m) {
    validate_model(m);  // never write a file that would not load
    std::map<std::string, TensorToWrite> t;
    json ops = json::array();
    for (const ModelOp& op : m.ops) ops.push_back(op_json(op, t));
    const json graph = {{"ops", ops}, {"head", {{"C", m.head.C}, {"classes", m.head.classes}}}};
    const json model = {{"name", m.name},
                        {"arch", m.arch},
                        {"dataset", m.dataset},
                        {"trained", m.trained},
                        {"in_channels", m.in_channels},
                        {"image_size", m.image_size},
                        {"mean", m.mean},
                        {"std", m.std},
                        {"input_scale", m.input_scale},
                        {"class_names", m.class_names},
                        {"info", m.info}};
    t["input.lut"] = tensor_i8({m.in_channels, 256}, m.input_lut);
    t["head.weight"] = tensor_i8({m.head.classes, m.head.C}, m.head.weight);
    t["head.bias"] = tensor_i32({m.head.classes}, m.head.bias);
    t["head.logit_scale"] = tensor_f32({m.head.classes}, m.head.logit_scale);
    const std::map<std::string, std::string> meta = {{"format", kModelFormatName},
                                                     {"version", std::to_string(kModelFormatVersion)},
                                                     {"model", model.dump()},
                                                     {"graph", graph.dump()}};
    return serialize_safetensors(t, meta);
}

void save_model(const std::string& path, const Model& m) {
    const std::vector<uint8_t> bytes = serialize_model(m);
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error("winoq: cannot write model file " + tmp);
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        f.flush();
        if (!f) {
            std::remove(tmp.c_str());
            throw std::runtime_error("winoq: write error on model file " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw std::runtime_error("winoq: cannot rename " + tmp + " to " + path);
    }
}

Model parse_model(std::vector<uint8_t> bytes, const std::string& what) {
    SafetensorsFile f;
    try {
        f = SafetensorsFile::parse(std::move(bytes), what);
    } catch (const std::runtime_error&) {
        throw;  // already names the file
    } catch (const std::bad_alloc&) {
        throw;  // out of memory stays std::bad_alloc (docs/security.md)
    } catch (const std::exception& e) {
        throw std::runtime_error("winoq: model file " + what + ": " + e.what());
    }
    try {
        return parse_checked(f);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw std::runtime_error("winoq: model file " + what + ": " + e.what());
    }
}

Model load_model(const std::string& path) {
    // A regular file within the safetensors size cap (docs/security.md), read before parsing.
    return parse_model(read_regular_file(path, kMaxSafetensorsFileBytes, "model file"), path);
}

}  // namespace winoq
