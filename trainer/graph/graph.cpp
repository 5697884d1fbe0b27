#include "trainer/graph/graph.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace winoq::train {
namespace {

// Bounds on what a graph may describe (docs/security.md): a hostile file must not make the
// trainer allocate without limit. One activation tensor of one image: at most 2^28 values.
constexpr int kMaxChannels = 1 << 16;
constexpr int kMaxSpatial = 1 << 14;
constexpr int kMaxKernel = 64;
constexpr int64_t kMaxTensorValues = int64_t(1) << 28;
constexpr size_t kMaxOps = 100000;

const std::vector<std::pair<GraphOpKind, const char*>>& kind_names() {
    static const std::vector<std::pair<GraphOpKind, const char*>> names = {
        {GraphOpKind::kConv, "conv"},
        {GraphOpKind::kBatchNorm, "batchnorm"},
        {GraphOpKind::kRelu, "relu"},
        {GraphOpKind::kClip, "clip"},
        {GraphOpKind::kAdd, "add"},
        {GraphOpKind::kMaxPool, "maxpool"},
        {GraphOpKind::kAveragePool, "avgpool"},
        {GraphOpKind::kGlobalAveragePool, "global_avgpool"},
        {GraphOpKind::kFlatten, "flatten"},
        {GraphOpKind::kLinear, "linear"},
        {GraphOpKind::kConcat, "concat"},
    };
    return names;
}

[[noreturn]] void fail(const GraphOp& op, const std::string& what) {
    throw std::runtime_error("graph: op '" + op.name + "' (" + graph_op_kind_name(op.kind) + "): " + what);
}

size_t param_count(GraphOpKind k, bool* optional_last) {
    *optional_last = false;
    switch (k) {
        case GraphOpKind::kConv:
        case GraphOpKind::kLinear: *optional_last = true; return 2;
        case GraphOpKind::kBatchNorm: return 4;
        default: return 0;
    }
}

size_t input_count(GraphOpKind k) {
    switch (k) {
        case GraphOpKind::kAdd: return 2;
        case GraphOpKind::kConcat: return 0;  // two or more
        default: return 1;
    }
}

void check_window(const GraphOp& op) {
    const Window& w = op.window;
    if (w.kh < 1 || w.kw < 1 || w.kh > kMaxKernel || w.kw > kMaxKernel) fail(op, "kernel size out of range");
    if (w.sh < 1 || w.sw < 1 || w.sh > kMaxKernel || w.sw > kMaxKernel) fail(op, "stride out of range");
    for (int p : {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right})
        if (p < 0 || p > kMaxKernel) fail(op, "padding out of range");
}

TensorShape windowed(const GraphOp& op, const TensorShape& in, int channels) {
    if (in.flat) fail(op, "needs a C x H x W input, got " + in.str());
    TensorShape out{channels, op.window.out_h(in.h), op.window.out_w(in.w), false};
    if (out.h < 1 || out.w < 1) fail(op, "window larger than its " + in.str() + " input");
    return out;
}

}  // namespace

const char* graph_op_kind_name(GraphOpKind k) {
    for (const auto& [kind, name] : kind_names())
        if (kind == k) return name;
    return "?";
}

GraphOpKind parse_graph_op_kind(const std::string& s) {
    for (const auto& [kind, name] : kind_names())
        if (s == name) return kind;
    throw std::runtime_error("graph: unknown op kind '" + s + "'");
}

int Window::out_h(int h) const {
    const int span = h + pad_top + pad_bottom - kh;
    if (span < 0) return 0;
    int out = (ceil_mode ? (span + sh - 1) / sh : span / sh) + 1;
    if (ceil_mode && (out - 1) * sh >= h + pad_top) --out;  // PyTorch's rule: the last window starts inside
    return out;
}

int Window::out_w(int w) const {
    const int span = w + pad_left + pad_right - kw;
    if (span < 0) return 0;
    int out = (ceil_mode ? (span + sw - 1) / sw : span / sw) + 1;
    if (ceil_mode && (out - 1) * sw >= w + pad_left) --out;
    return out;
}

std::string TensorShape::str() const {
    if (flat) return "[" + std::to_string(c) + "]";
    return "[" + std::to_string(c) + ", " + std::to_string(h) + ", " + std::to_string(w) + "]";
}

bool winograd_eligible(const GraphOp& op) {
    const Window& w = op.window;
    return op.kind == GraphOpKind::kConv && op.groups == 1 && w.kh == 3 && w.kw == 3 && w.sh == 1 && w.sw == 1 &&
           w.pad_top == 1 && w.pad_left == 1 && w.pad_bottom == 1 && w.pad_right == 1;
}

std::map<std::string, TensorShape> infer_shapes(const Graph& g,
                                                const std::map<std::string, std::vector<int64_t>>& param_shapes) {
    if (g.ops.size() > kMaxOps) throw std::runtime_error("graph: more than " + std::to_string(kMaxOps) + " ops");
    const TensorShape& in = g.input_shape;
    if (in.flat || in.c < 1 || in.h < 1 || in.w < 1 || in.c > kMaxChannels || in.h > kMaxSpatial ||
        in.w > kMaxSpatial || in.numel() > kMaxTensorValues)
        throw std::runtime_error("graph: input shape " + in.str() + " out of range");
    std::map<std::string, TensorShape> shapes{{g.input, in}};
    std::set<std::string> names;
    for (const GraphOp& op : g.ops) {
        if (!names.insert(op.name).second) fail(op, "a second op of this name");
        const size_t n_in = input_count(op.kind);
        if (n_in ? op.inputs.size() != n_in : op.inputs.size() < 2)
            fail(op, "takes " + (n_in ? std::to_string(n_in) : std::string("two or more")) + " inputs, has " +
                         std::to_string(op.inputs.size()));
        std::vector<TensorShape> ins;
        for (const std::string& t : op.inputs) {
            const auto it = shapes.find(t);
            if (it == shapes.end()) fail(op, "input '" + t + "' is not defined before it");
            ins.push_back(it->second);
        }
        bool optional_last = false;
        const size_t n_par = param_count(op.kind, &optional_last);
        if (op.params.size() != n_par && !(optional_last && op.params.size() + 1 == n_par))
            fail(op, "has " + std::to_string(op.params.size()) + " parameters");
        std::vector<std::vector<int64_t>> par;
        for (const std::string& p : op.params) {
            const auto it = param_shapes.find(p);
            if (it == param_shapes.end()) fail(op, "parameter '" + p + "' missing");
            par.push_back(it->second);
        }
        const TensorShape& x = ins[0];
        TensorShape out = x;
        switch (op.kind) {
            case GraphOpKind::kConv: {
                check_window(op);
                if (op.groups < 1 || x.c % op.groups != 0) fail(op, "groups do not divide " + std::to_string(x.c));
                const int K = op.out_channels;
                if (K < 1 || K > kMaxChannels || K % op.groups != 0) fail(op, "output channels out of range");
                const std::vector<int64_t> want = {K, x.c / op.groups, op.window.kh, op.window.kw};
                if (par[0] != want) fail(op, "weight shape does not match the input " + x.str());
                if (par.size() == 2 && par[1] != std::vector<int64_t>{K}) fail(op, "bias shape");
                out = windowed(op, x, K);
                break;
            }
            case GraphOpKind::kBatchNorm:
                for (const auto& p : par)
                    if (p != std::vector<int64_t>{x.c}) fail(op, "parameter shape does not match " + x.str());
                if (!(op.eps > 0)) fail(op, "epsilon must be positive");
                break;
            case GraphOpKind::kRelu: break;
            case GraphOpKind::kClip:
                if (!(op.min <= op.max)) fail(op, "min above max");
                break;
            case GraphOpKind::kAdd:
                if (!(ins[0] == ins[1])) fail(op, "shapes differ: " + ins[0].str() + " and " + ins[1].str());
                break;
            case GraphOpKind::kMaxPool:
            case GraphOpKind::kAveragePool:
                check_window(op);
                // PyTorch's limits, which the float forward (graph_net.cpp) inherits.
                if (2 * std::max(op.window.pad_top, op.window.pad_bottom) > op.window.kh ||
                    2 * std::max(op.window.pad_left, op.window.pad_right) > op.window.kw)
                    fail(op, "padding above half the window");
                if (op.window.ceil_mode && !op.window.symmetric_pad()) fail(op, "ceil_mode with asymmetric padding");
                out = windowed(op, x, x.c);
                break;
            case GraphOpKind::kGlobalAveragePool:
                if (x.flat) fail(op, "needs a C x H x W input");
                out = {x.c, 1, 1, false};
                break;
            case GraphOpKind::kFlatten: out = {static_cast<int>(x.numel()), 1, 1, true}; break;
            case GraphOpKind::kLinear: {
                // A 1x1 map is a vector too (GlobalAveragePool then Gemm without Flatten).
                if (!x.flat && (x.h != 1 || x.w != 1)) fail(op, "needs a flat input, got " + x.str());
                const int K = op.out_channels;
                if (K < 1 || K > kMaxChannels) fail(op, "output features out of range");
                if (par[0] != std::vector<int64_t>{K, x.c})
                    fail(op, "weight shape does not match the input " + x.str());
                if (par.size() == 2 && par[1] != std::vector<int64_t>{K}) fail(op, "bias shape");
                out = {K, 1, 1, true};
                break;
            }
            case GraphOpKind::kConcat: {
                int64_t c = 0;
                for (const TensorShape& s : ins) {
                    if (s.flat || s.h != x.h || s.w != x.w) fail(op, "inputs of different sizes: " + s.str());
                    c += s.c;
                }
                if (c > kMaxChannels) fail(op, "too many channels");
                out.c = static_cast<int>(c);
                break;
            }
        }
        if (out.numel() > kMaxTensorValues) fail(op, "output " + out.str() + " too large");
        if (op.output.empty() || !shapes.emplace(op.output, out).second)
            fail(op, "output '" + op.output + "' empty or defined twice");
    }
    if (!shapes.count(g.output)) throw std::runtime_error("graph: output '" + g.output + "' is never computed");
    return shapes;
}

nlohmann::json Graph::to_json() const {
    nlohmann::json ops_j = nlohmann::json::array();
    for (const GraphOp& op : ops) {
        nlohmann::json o = {
            {"kind", graph_op_kind_name(op.kind)}, {"name", op.name}, {"inputs", op.inputs}, {"output", op.output}};
        if (!op.params.empty()) o["params"] = op.params;
        const Window& w = op.window;
        switch (op.kind) {
            case GraphOpKind::kConv:
            case GraphOpKind::kMaxPool:
            case GraphOpKind::kAveragePool:
                o["window"] = {w.kh, w.kw, w.sh, w.sw, w.pad_top, w.pad_left, w.pad_bottom, w.pad_right, w.ceil_mode};
                break;
            default: break;
        }
        if (op.kind == GraphOpKind::kConv) o["groups"] = op.groups;
        if (op.kind == GraphOpKind::kConv || op.kind == GraphOpKind::kLinear) o["out_channels"] = op.out_channels;
        if (op.kind == GraphOpKind::kBatchNorm) o["eps"] = op.eps;
        if (op.kind == GraphOpKind::kClip) o["range"] = {op.min, op.max};
        if (op.kind == GraphOpKind::kAveragePool) o["count_include_pad"] = op.count_include_pad;
        ops_j.push_back(o);
    }
    return {{"input", input},
            {"output", output},
            {"input_shape", {input_shape.c, input_shape.h, input_shape.w}},
            {"ops", ops_j}};
}

Graph Graph::from_json(const nlohmann::json& j) {
    try {
        Graph g;
        g.input = j.at("input").get<std::string>();
        g.output = j.at("output").get<std::string>();
        const auto s = j.at("input_shape").get<std::vector<int>>();
        if (s.size() != 3) throw std::runtime_error("input_shape needs 3 values");
        g.input_shape = {s[0], s[1], s[2], false};
        for (const auto& o : j.at("ops")) {
            GraphOp op;
            op.kind = parse_graph_op_kind(o.at("kind").get<std::string>());
            op.name = o.at("name").get<std::string>();
            op.inputs = o.at("inputs").get<std::vector<std::string>>();
            op.output = o.at("output").get<std::string>();
            if (o.contains("params")) op.params = o.at("params").get<std::vector<std::string>>();
            if (o.contains("window")) {
                const auto& w = o.at("window");
                if (!w.is_array() || w.size() != 9) throw std::runtime_error("window needs 9 values");
                op.window = {w[0].get<int>(), w[1].get<int>(), w[2].get<int>(), w[3].get<int>(), w[4].get<int>(),
                             w[5].get<int>(), w[6].get<int>(), w[7].get<int>(), w[8].get<bool>()};
            }
            op.groups = o.value("groups", 1);
            op.out_channels = o.value("out_channels", 0);
            op.eps = o.value("eps", 1e-5f);
            if (o.contains("range")) {
                const auto r = o.at("range").get<std::vector<float>>();
                if (r.size() != 2) throw std::runtime_error("range needs 2 values");
                op.min = r[0];
                op.max = r[1];
            }
            op.count_include_pad = o.value("count_include_pad", false);
            g.ops.push_back(std::move(op));
            if (g.ops.size() > kMaxOps) throw std::runtime_error("too many ops");
        }
        return g;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("graph: malformed JSON: ") + e.what());
    }
}

}  // namespace winoq::train
