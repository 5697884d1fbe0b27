#include "trainer/graph/onnx_import.h"

#include <array>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include <onnx/onnx_pb.h>

#include "winoq/io/file_read.h"

namespace winoq::train {
namespace {

// 2 GiB is protobuf's own limit on one message; 1 GiB bounds what a CNN file here needs
// (VGG-16 with its classifier is 0.55 GB).
constexpr uint64_t kMaxOnnxBytes = uint64_t(1) << 30;
constexpr int64_t kMaxParamValues = int64_t(1) << 28;

struct NodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Importer {
public:
    Importer(const onnx::ModelProto& model, const OnnxImportOptions& options) : m_(model), opt_(options) {}
    ImportedGraph run();

private:
    [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
        throw NodeError("node '" + node_name_ + "' (" + n.op_type() + "): " + what);
    }
    torch::Tensor to_tensor(const onnx::TensorProto& t, const std::string& what) const;
    const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const;
    int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t dflt) const;
    float attr_float(const onnx::NodeProto& n, const std::string& name, float dflt) const;
    std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name) const;
    std::string resolve(const std::string& t) const;
    std::string activation(const onnx::NodeProto& n, int i) const;         // input i, which must be one
    const torch::Tensor* constant(const onnx::NodeProto& n, int i) const;  // input i if a constant
    std::string add_param(const std::string& name, torch::Tensor t);
    Window window(const onnx::NodeProto& n, const std::vector<int64_t>& kernel) const;
    void convert(const onnx::NodeProto& n);
    void set_input();

    const onnx::ModelProto& m_;
    const OnnxImportOptions& opt_;
    ImportedGraph out_;
    std::map<std::string, torch::Tensor> consts_;  // initializers and Constant outputs
    std::map<std::string, std::string> alias_;     // Identity / Dropout output -> input
    std::map<std::string, int> uses_;              // readers of each tensor (graph output counts)
    std::set<std::string> activations_, op_names_;
    std::vector<std::pair<size_t, int64_t>> reshapes_;  // (op index, target features) to check
    // Zero Pads with a non-zero width: output -> (input, top / left / bottom / right), folded
    // into the Conv or AveragePool that reads them.
    std::map<std::string, std::pair<std::string, std::array<int, 4>>> pads_;
    std::string padded_input(const onnx::NodeProto& n, Window& w, bool* padded);
    std::string node_name_;
};

torch::Tensor Importer::to_tensor(const onnx::TensorProto& t, const std::string& what) const {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
        throw std::runtime_error(what + ": external tensor data is not supported (save the model in one file)");
    std::vector<int64_t> dims;
    int64_t n = 1;
    for (int64_t d : t.dims()) {
        if (d < 0 || (d > 0 && n > kMaxParamValues / d)) throw std::runtime_error(what + ": dimensions out of range");
        dims.push_back(d);
        n *= d;
    }
    // raw_data (little-endian bytes) or the typed repeated field, read as `type`, returned as
    // float32 (weights) or int64 (shapes).
    auto read = [&](torch::ScalarType type, size_t elem, const void* field, int count, torch::ScalarType as) {
        torch::Tensor x = torch::empty(dims, torch::TensorOptions().dtype(type));
        const void* src = field;
        if (t.has_raw_data()) {
            if (t.raw_data().size() != size_t(n) * elem)
                throw std::runtime_error(what + ": " + std::to_string(t.raw_data().size()) + " bytes of data for " +
                                         std::to_string(n) + " values");
            src = t.raw_data().data();
        } else if (count != n) {
            throw std::runtime_error(what + ": " + std::to_string(count) + " values for " + std::to_string(n));
        }
        if (n) std::memcpy(x.data_ptr(), src, size_t(n) * elem);
        return x.to(as);
    };
    switch (t.data_type()) {
        case onnx::TensorProto::FLOAT:
            return read(torch::kFloat32, 4, t.float_data().data(), t.float_data_size(), torch::kFloat32);
        case onnx::TensorProto::DOUBLE:
            return read(torch::kFloat64, 8, t.double_data().data(), t.double_data_size(), torch::kFloat32);
        case onnx::TensorProto::INT64:
            return read(torch::kInt64, 8, t.int64_data().data(), t.int64_data_size(), torch::kInt64);
        case onnx::TensorProto::INT32:
            return read(torch::kInt32, 4, t.int32_data().data(), t.int32_data_size(), torch::kInt64);
        default:
            throw std::runtime_error(what + ": element type " + std::to_string(t.data_type()) +
                                     " is not supported (float, double, int32, int64)");
    }
}

const onnx::AttributeProto* Importer::attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

int64_t Importer::attr_int(const onnx::NodeProto& n, const std::string& name, int64_t dflt) const {
    const auto* a = attr(n, name);
    if (!a) return dflt;
    if (a->type() != onnx::AttributeProto::INT) fail(n, "attribute " + name + " is not an integer");
    return a->i();
}

float Importer::attr_float(const onnx::NodeProto& n, const std::string& name, float dflt) const {
    const auto* a = attr(n, name);
    if (!a) return dflt;
    if (a->type() != onnx::AttributeProto::FLOAT) fail(n, "attribute " + name + " is not a float");
    return a->f();
}

std::vector<int64_t> Importer::attr_ints(const onnx::NodeProto& n, const std::string& name) const {
    const auto* a = attr(n, name);
    if (!a) return {};
    if (a->type() != onnx::AttributeProto::INTS) fail(n, "attribute " + name + " is not a list of integers");
    return {a->ints().begin(), a->ints().end()};
}

std::string Importer::resolve(const std::string& t) const {
    std::string r = t;
    for (auto it = alias_.find(r); it != alias_.end(); it = alias_.find(r)) r = it->second;
    return r;
}

std::string Importer::activation(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) fail(n, "input " + std::to_string(i) + " missing");
    const std::string t = resolve(n.input(i));
    if (pads_.count(t)) fail(n, "reads a Pad: padding is supported only before a Conv or an AveragePool");
    if (!activations_.count(t)) {
        if (consts_.count(t)) fail(n, "input '" + t + "' is a constant; a computed tensor is expected here");
        fail(n, "input '" + t + "' is not computed by an earlier node");
    }
    return t;
}

const torch::Tensor* Importer::constant(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    const auto it = consts_.find(resolve(n.input(i)));
    return it == consts_.end() ? nullptr : &it->second;
}

std::string Importer::add_param(const std::string& name, torch::Tensor t) {
    std::string key = name;
    for (int i = 1; out_.params.count(key); ++i) key = name + "." + std::to_string(i);
    out_.params.emplace(key, t.to(torch::kFloat32).contiguous());
    return key;
}

Window Importer::window(const onnx::NodeProto& n, const std::vector<int64_t>& kernel) const {
    if (kernel.size() != 2) fail(n, "only 2-D windows are supported");
    for (int64_t d : attr_ints(n, "dilations"))
        if (d != 1) fail(n, "dilation is not supported");
    const auto* ap = attr(n, "auto_pad");
    if (ap && ap->s() != "NOTSET" && ap->s() != "VALID") fail(n, "auto_pad " + ap->s() + " is not supported");
    std::vector<int64_t> strides = attr_ints(n, "strides"), pads = attr_ints(n, "pads");
    if (strides.empty()) strides = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (strides.size() != 2 || pads.size() != 4) fail(n, "strides / pads of the wrong length");
    auto small = [&](int64_t v) {
        if (v < 0 || v > 1024) fail(n, "window attribute out of range");
        return static_cast<int>(v);
    };
    Window w;
    w.kh = small(kernel[0]);
    w.kw = small(kernel[1]);
    w.sh = small(strides[0]);
    w.sw = small(strides[1]);
    w.pad_top = small(pads[0]);
    w.pad_left = small(pads[1]);
    w.pad_bottom = small(pads[2]);
    w.pad_right = small(pads[3]);
    return w;
}

std::string Importer::padded_input(const onnx::NodeProto& n, Window& w, bool* padded) {
    *padded = false;
    if (n.input_size() < 1) fail(n, "input 0 missing");
    const auto it = pads_.find(resolve(n.input(0)));
    if (it == pads_.end()) return activation(n, 0);
    const auto& [src, p] = it->second;
    w.pad_top += p[0];
    w.pad_left += p[1];
    w.pad_bottom += p[2];
    w.pad_right += p[3];
    *padded = true;
    return src;
}

void Importer::convert(const onnx::NodeProto& n) {
    const std::string& type = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        fail(n, "operator domain '" + n.domain() + "' is not supported");
    if (type == "Constant") {
        const auto* v = attr(n, "value");
        if (!v || v->type() != onnx::AttributeProto::TENSOR) fail(n, "only tensor constants are supported");
        consts_[n.output(0)] = to_tensor(v->t(), "node '" + node_name_ + "'");
        return;
    }
    if (type == "Pad") {
        const auto* mode = attr(n, "mode");
        if (mode && mode->s() != "constant") fail(n, "only constant padding is supported");
        const torch::Tensor* p = constant(n, 1);
        if (!p || p->numel() != 8 || p->scalar_type() != torch::kInt64) fail(n, "pads must be a constant of 8 values");
        if (const torch::Tensor* v = constant(n, 2);
            v && (v->numel() != 1 || v->to(torch::kFloat32).item<float>() != 0))
            fail(n, "only zero padding is supported");
        else if (!v && n.input_size() > 2 && !n.input(2).empty())
            fail(n, "the pad value must be a constant");
        const int64_t* q = p->data_ptr<int64_t>();  // [n, c, h, w] begins, then ends
        if (q[0] || q[1] || q[4] || q[5]) fail(n, "only spatial padding is supported");
        for (int i : {2, 3, 6, 7})
            if (q[i] < 0 || q[i] > 64) fail(n, "padding out of range");
        const std::string x = activation(n, 0);
        if (q[2] || q[3] || q[6] || q[7])
            pads_[n.output(0)] = {x, {int(q[2]), int(q[3]), int(q[6]), int(q[7])}};
        else
            alias_[n.output(0)] = x;
        return;
    }
    if (type == "Identity" || type == "Dropout") {
        for (int i = 1; i < n.output_size(); ++i)
            if (!n.output(i).empty() && uses_[n.output(i)]) fail(n, "its mask output is read");
        alias_[n.output(0)] = resolve(n.input(0));
        return;
    }
    for (int i = 1; i < n.output_size(); ++i)
        if (!n.output(i).empty() && uses_[n.output(i)]) fail(n, "output " + std::to_string(i) + " is read");
    GraphOp op;
    op.name = node_name_;
    op.output = n.output(0);
    if (type == "Conv") {
        op.kind = GraphOpKind::kConv;
        const torch::Tensor* w = constant(n, 1);
        if (!w) fail(n, "the weight must be a constant");
        if (w->dim() != 4) fail(n, "only 2-D convolutions are supported");
        std::vector<int64_t> kernel = attr_ints(n, "kernel_shape");
        if (!kernel.empty() && kernel != std::vector<int64_t>{w->size(2), w->size(3)})
            fail(n, "kernel_shape does not match the weight");
        op.window = window(n, {w->size(2), w->size(3)});
        bool padded = false;
        op.inputs = {padded_input(n, op.window, &padded)};
        const int64_t g = attr_int(n, "group", 1);
        if (g < 1 || g > (1 << 16)) fail(n, "group out of range");
        op.groups = static_cast<int>(g);
        op.out_channels = static_cast<int>(w->size(0));
        op.params = {add_param(n.input(1), *w)};
        if (const torch::Tensor* b = constant(n, 2))
            op.params.push_back(add_param(n.input(2), *b));
        else if (n.input_size() > 2 && !n.input(2).empty())
            fail(n, "the bias must be a constant");
    } else if (type == "BatchNormalization") {
        op.kind = GraphOpKind::kBatchNorm;
        op.inputs = {activation(n, 0)};
        if (attr_int(n, "training_mode", 0) != 0) fail(n, "training_mode is not supported (export in eval mode)");
        op.eps = attr_float(n, "epsilon", 1e-5f);
        for (int i = 1; i <= 4; ++i) {
            const torch::Tensor* p = constant(n, i);
            if (!p) fail(n, "scale, bias, mean and variance must be constants");
            op.params.push_back(add_param(n.input(i), *p));
        }
    } else if (type == "Relu") {
        op.kind = GraphOpKind::kRelu;
        op.inputs = {activation(n, 0)};
    } else if (type == "Clip") {
        op.kind = GraphOpKind::kClip;
        op.inputs = {activation(n, 0)};
        op.min = attr_float(n, "min", std::numeric_limits<float>::lowest());  // opset < 11
        op.max = attr_float(n, "max", std::numeric_limits<float>::max());
        for (int i : {1, 2}) {
            if (i >= n.input_size() || n.input(i).empty()) continue;
            const torch::Tensor* c = constant(n, i);
            if (!c || c->numel() != 1) fail(n, "min and max must be scalar constants");
            (i == 1 ? op.min : op.max) = c->to(torch::kFloat32).item<float>();
        }
    } else if (type == "Add") {
        const torch::Tensor* c0 = constant(n, 0);
        const torch::Tensor* c1 = constant(n, 1);
        if (!c0 && !c1) {
            op.kind = GraphOpKind::kAdd;
            op.inputs = {activation(n, 0), activation(n, 1)};
        } else {
            // A constant added to a bias-free Linear (MatMul + Add): its bias.
            const std::string x = activation(n, c0 ? 1 : 0);
            const torch::Tensor& b = c0 ? *c0 : *c1;
            GraphOp* lin = nullptr;
            for (auto& o : out_.graph.ops)
                if (o.output == x) lin = &o;
            if (!lin || lin->kind != GraphOpKind::kLinear || lin->params.size() != 1 || uses_[x] != 1)
                fail(n, "adding a constant is supported only as the bias of a MatMul");
            if (b.numel() != lin->out_channels) fail(n, "the bias does not match the MatMul's outputs");
            lin->params.push_back(add_param(n.input(c0 ? 0 : 1), b.reshape({-1})));
            alias_[n.output(0)] = x;
            return;
        }
    } else if (type == "MaxPool" || type == "AveragePool") {
        op.kind = type == "MaxPool" ? GraphOpKind::kMaxPool : GraphOpKind::kAveragePool;
        op.window = window(n, attr_ints(n, "kernel_shape"));
        op.window.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
        if (attr_int(n, "storage_order", 0) != 0) fail(n, "storage_order 1 is not supported");
        op.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
        if (op.kind == GraphOpKind::kMaxPool) {
            op.inputs = {activation(n, 0)};
        } else {
            // A zero Pad before it: its zeros count in every window, as count_include_pad's do.
            const Window own = op.window;
            bool padded = false;
            op.inputs = {padded_input(n, op.window, &padded)};
            if (padded && !op.count_include_pad && (own.pad_top || own.pad_left || own.pad_bottom || own.pad_right))
                fail(n, "a Pad before an AveragePool that pads without counting the padding");
            if (padded) op.count_include_pad = true;
        }
    } else if (type == "GlobalAveragePool") {
        op.kind = GraphOpKind::kGlobalAveragePool;
        op.inputs = {activation(n, 0)};
    } else if (type == "Flatten") {
        op.kind = GraphOpKind::kFlatten;
        op.inputs = {activation(n, 0)};
        if (attr_int(n, "axis", 1) != 1) fail(n, "only axis 1 is supported");
    } else if (type == "Reshape") {
        op.kind = GraphOpKind::kFlatten;
        op.inputs = {activation(n, 0)};
        const torch::Tensor* s = constant(n, 1);
        if (!s || s->dim() != 1 || s->numel() != 2 || s->scalar_type() != torch::kInt64)
            fail(n, "only a constant reshape to [batch, features] is supported");
        const int64_t a = s->data_ptr<int64_t>()[0], b = s->data_ptr<int64_t>()[1];
        if (!(a == 0 || a == 1 || a == -1) || (a == -1 && b == -1))
            fail(n, "only a reshape to [batch, features] is supported");
        reshapes_.emplace_back(out_.graph.ops.size(), b);
    } else if (type == "Gemm" || type == "MatMul") {
        op.kind = GraphOpKind::kLinear;
        op.inputs = {activation(n, 0)};
        const torch::Tensor* w = constant(n, 1);
        if (!w || w->dim() != 2) fail(n, "the second input must be a constant matrix");
        torch::Tensor weight = w->t();  // MatMul, Gemm with transB = 0: [C, K]
        if (type == "Gemm") {
            if (attr_int(n, "transA", 0) != 0) fail(n, "transA is not supported");
            if (attr_int(n, "transB", 0) != 0) weight = *w;
            weight = weight * attr_float(n, "alpha", 1.0f);
        }
        op.out_channels = static_cast<int>(weight.size(0));
        op.params = {add_param(n.input(1), weight)};
        if (type == "Gemm" && n.input_size() > 2 && !n.input(2).empty()) {
            const torch::Tensor* c = constant(n, 2);
            if (!c || c->numel() != weight.size(0)) fail(n, "C must be a constant of one value per output");
            op.params.push_back(add_param(n.input(2), c->reshape({-1}) * attr_float(n, "beta", 1.0f)));
        }
    } else if (type == "Concat") {
        op.kind = GraphOpKind::kConcat;
        const int64_t axis = attr_int(n, "axis", 1);
        if (axis != 1 && axis != -3) fail(n, "only concatenation along channels (axis 1) is supported");
        for (int i = 0; i < n.input_size(); ++i) op.inputs.push_back(activation(n, i));
    } else {
        fail(n, "operator " + type + " is not supported");
    }
    activations_.insert(op.output);
    out_.graph.ops.push_back(std::move(op));
}

void Importer::set_input() {
    const onnx::GraphProto& g = m_.graph();
    const onnx::ValueInfoProto* in = nullptr;
    for (const auto& v : g.input()) {
        if (consts_.count(v.name())) continue;  // old exporters list initializers as inputs
        if (in) throw std::runtime_error("more than one input (" + in->name() + ", " + v.name() + ")");
        in = &v;
    }
    if (!in) throw std::runtime_error("no input");
    const auto& type = in->type();
    if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
        throw std::runtime_error("input '" + in->name() + "' is not a float tensor");
    const auto& shape = type.tensor_type().shape();
    if (shape.dim_size() != 4) throw std::runtime_error("input '" + in->name() + "' is not N x C x H x W");
    int dims[3] = {0, 0, 0};
    for (int i = 1; i < 4; ++i) {
        const auto& d = shape.dim(i);
        if (d.has_dim_value()) {
            if (d.dim_value() < 1 || d.dim_value() > (1 << 16))
                throw std::runtime_error("input '" + in->name() + "': dimension out of range");
            dims[i - 1] = static_cast<int>(d.dim_value());
        }
    }
    if (dims[0] == 0)
        throw std::runtime_error("input '" + in->name() + "': dynamic channel count (only the batch may be dynamic)");
    if (opt_.image_size > 0) {
        if ((dims[1] && dims[1] != opt_.image_size) || (dims[2] && dims[2] != opt_.image_size))
            throw std::runtime_error("--image-size " + std::to_string(opt_.image_size) + " differs from the input's " +
                                     std::to_string(dims[1]) + "x" + std::to_string(dims[2]));
        dims[1] = dims[2] = opt_.image_size;
    }
    if (!dims[1] || !dims[2])
        throw std::runtime_error("input '" + in->name() + "': dynamic height or width; give --image-size");
    out_.graph.input = in->name();
    out_.graph.input_shape = {dims[0], dims[1], dims[2], false};
    activations_.insert(in->name());
}

std::vector<float> parse_floats(const std::string& s, const std::string& what) {
    std::vector<float> v;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            v.push_back(std::stof(item, &used));
            if (item.find_first_not_of(" \t", used) != std::string::npos) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw std::runtime_error("metadata '" + what + "' is not a comma-separated list of numbers");
        }
    }
    return v;
}

ImportedGraph Importer::run() {
    const onnx::GraphProto& g = m_.graph();
    for (const auto& op : m_.opset_import())
        if (!op.domain().empty() && op.domain() != "ai.onnx")
            throw std::runtime_error("operator set '" + op.domain() + "' is not supported");
    for (const auto& t : g.initializer()) consts_[t.name()] = to_tensor(t, "initializer '" + t.name() + "'");
    for (const auto& n : g.node())
        for (const auto& i : n.input()) ++uses_[i];
    if (g.output_size() != 1)
        throw std::runtime_error("the graph has " + std::to_string(g.output_size()) + " outputs, not 1");
    ++uses_[g.output(0).name()];
    set_input();
    for (int i = 0; i < g.node_size(); ++i) {
        const onnx::NodeProto& n = g.node(i);
        node_name_ = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
        if (!op_names_.insert(node_name_).second) node_name_ += "_" + std::to_string(i);
        if (n.output_size() < 1 || n.output(0).empty()) fail(n, "no output");
        convert(n);
    }
    node_name_.clear();
    out_.graph.output = resolve(g.output(0).name());
    const auto shapes = infer_shapes(out_.graph, out_.param_shapes());
    for (const GraphOp& op : out_.graph.ops) {
        if (op.kind != GraphOpKind::kConv || op.groups == 1) continue;
        const int c = shapes.at(op.inputs[0]).c;
        if (op.groups != c)
            throw std::runtime_error("node '" + op.name + "' (Conv): group " + std::to_string(op.groups) +
                                     " is not supported (1, or depthwise: one group per input channel)");
    }
    for (const auto& [index, b] : reshapes_) {
        const GraphOp& op = out_.graph.ops[index];
        if (b != -1 && b != shapes.at(op.inputs[0]).numel())
            throw std::runtime_error("node '" + op.name +
                                     "' (Reshape): only a reshape to [batch, features] is supported");
    }
    const TensorShape& y = shapes.at(out_.graph.output);
    if (!y.flat && (y.h != 1 || y.w != 1))
        throw std::runtime_error("the output " + y.str() + " is not one score per class");

    // Normalisation and class names: the options, else the file's metadata.
    std::map<std::string, std::string> meta;
    for (const auto& p : m_.metadata_props()) meta[p.key()] = p.value();
    out_.mean = !opt_.mean.empty()   ? opt_.mean
                : meta.count("mean") ? parse_floats(meta["mean"], "mean")
                                     : std::vector<float>{};
    out_.std = !opt_.std.empty()   ? opt_.std
               : meta.count("std") ? parse_floats(meta["std"], "std")
                                   : std::vector<float>{};
    const int C = out_.graph.input_shape.c;
    if (!opt_.require_normalization) {
        if (out_.mean.empty()) out_.mean.assign(size_t(C), 0.0f);
        if (out_.std.empty()) out_.std.assign(size_t(C), 1.0f);
    }
    if (out_.mean.empty() || out_.std.empty())
        throw std::runtime_error("no input normalisation: give --mean and --std (or metadata 'mean' and 'std')");
    if (int(out_.mean.size()) != C || int(out_.std.size()) != C)
        throw std::runtime_error("--mean and --std need " + std::to_string(C) + " values (one per input channel)");
    for (float s : out_.std)
        if (!(s > 0)) throw std::runtime_error("--std values must be positive");
    out_.class_names = opt_.class_names;
    if (out_.class_names.empty() && meta.count("classes")) {
        std::stringstream ss(meta["classes"]);
        for (std::string line; std::getline(ss, line);)
            if (!line.empty()) out_.class_names.push_back(line);
    }
    if (out_.class_names.empty())
        for (int k = 0; k < y.c; ++k) out_.class_names.push_back(std::to_string(k));
    if (out_.num_classes() != y.c)
        throw std::runtime_error(std::to_string(out_.num_classes()) + " class names for " + std::to_string(y.c) +
                                 " outputs");
    return std::move(out_);
}

}  // namespace

std::map<std::string, std::vector<int64_t>> ImportedGraph::param_shapes() const {
    std::map<std::string, std::vector<int64_t>> s;
    for (const auto& [name, t] : params) s[name] = t.sizes().vec();
    return s;
}

ImportedGraph import_onnx(const std::string& path, const OnnxImportOptions& options) {
    const std::vector<uint8_t> bytes = read_regular_file(path, kMaxOnnxBytes, "ONNX model");
    onnx::ModelProto model;
    if (bytes.size() > size_t(std::numeric_limits<int>::max()) ||
        !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw std::runtime_error(path + ": not an ONNX model (protobuf parse failed)");
    try {
        ImportedGraph g = Importer(model, options).run();
        fold_graph_batchnorm(g);
        return g;
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

void fold_graph_batchnorm(ImportedGraph& g) {
    std::map<std::string, int> readers;
    for (const GraphOp& op : g.graph.ops)
        for (const std::string& t : op.inputs) ++readers[t];
    ++readers[g.graph.output];
    std::vector<GraphOp> kept;
    for (GraphOp& op : g.graph.ops) {
        GraphOp* conv = nullptr;
        if (op.kind == GraphOpKind::kBatchNorm && readers[op.inputs[0]] == 1)
            for (GraphOp& k : kept)
                if (k.output == op.inputs[0] && k.kind == GraphOpKind::kConv) conv = &k;
        if (!conv) {
            kept.push_back(std::move(op));
            continue;
        }
        const torch::Tensor& scale = g.params.at(op.params[0]);
        const torch::Tensor& shift = g.params.at(op.params[1]);
        const torch::Tensor& mean = g.params.at(op.params[2]);
        const torch::Tensor& var = g.params.at(op.params[3]);
        // In double, so that the folded float weights are the nearest to the exact product.
        const torch::Tensor a = scale.to(torch::kFloat64) / (var.to(torch::kFloat64) + double(op.eps)).sqrt();
        torch::Tensor& w = g.params.at(conv->params[0]);
        w = (w.to(torch::kFloat64) * a.view({-1, 1, 1, 1})).to(torch::kFloat32).contiguous();
        const torch::Tensor b0 =
            conv->params.size() == 2 ? g.params.at(conv->params[1]).to(torch::kFloat64) : torch::zeros_like(a);
        const torch::Tensor b = ((b0 - mean.to(torch::kFloat64)) * a + shift.to(torch::kFloat64)).to(torch::kFloat32);
        if (conv->params.size() == 2) {
            g.params.at(conv->params[1]) = b.contiguous();
        } else {
            std::string key = conv->name + ".bias";
            for (int i = 1; g.params.count(key); ++i) key = conv->name + ".bias." + std::to_string(i);
            g.params.emplace(key, b.contiguous());
            conv->params.push_back(key);
        }
        conv->output = op.output;
    }
    g.graph.ops = std::move(kept);
    // Parameters no op reads any more (the folded BatchNorms'): dropped.
    std::set<std::string> used;
    for (const GraphOp& op : g.graph.ops) used.insert(op.params.begin(), op.params.end());
    for (auto it = g.params.begin(); it != g.params.end();)
        it = used.count(it->first) ? std::next(it) : g.params.erase(it);
}

}  // namespace winoq::train
