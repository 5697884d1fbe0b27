#include "trainer/graph/graph_net.h"

#include <limits>
#include <stdexcept>

namespace winoq::train {
namespace {

// Pads with `value` on the four sides the window asks for (torch's pools pad symmetrically).
torch::Tensor pad(const torch::Tensor& x, const Window& w, double value) {
    if (!w.pad_top && !w.pad_left && !w.pad_bottom && !w.pad_right) return x;
    return torch::constant_pad_nd(x, {w.pad_left, w.pad_right, w.pad_top, w.pad_bottom}, value);
}

torch::Tensor average_pool(const torch::Tensor& x, const Window& w, bool count_include_pad) {
    if (w.symmetric_pad())
        return torch::avg_pool2d(x, {w.kh, w.kw}, {w.sh, w.sw}, {w.pad_top, w.pad_left}, w.ceil_mode,
                                 count_include_pad);
    // Asymmetric: the sum over the zero-padded map divided by the window's count of real pixels
    // (or of all pixels with count_include_pad).
    const torch::Tensor padded = pad(x, w, 0.0);
    const torch::Tensor sum =
        torch::avg_pool2d(padded, {w.kh, w.kw}, {w.sh, w.sw}, {0, 0}, w.ceil_mode, false, /*divisor*/ 1);
    if (count_include_pad) return sum / double(w.kh * w.kw);
    const torch::Tensor ones = pad(torch::ones({1, 1, x.size(2), x.size(3)}, x.options()), w, 0.0);
    const torch::Tensor count = torch::avg_pool2d(ones, {w.kh, w.kw}, {w.sh, w.sw}, {0, 0}, w.ceil_mode, false, 1);
    return sum / count;
}

}  // namespace

GraphNetImpl::GraphNetImpl(const ImportedGraph& g) : graph_(g.graph) {
    infer_shapes(graph_, g.param_shapes());  // throws on an inconsistent graph
    size_t i = 0;
    for (const auto& [name, t] : g.params) params_[name] = register_parameter("p" + std::to_string(i++), t.clone());
    for (size_t k = 0; k < graph_.ops.size(); ++k)
        for (const std::string& t : graph_.ops[k].inputs) last_use_[t] = k;
}

torch::Tensor GraphNetImpl::forward(const torch::Tensor& images) {
    const TensorShape& s = graph_.input_shape;
    if (images.dim() != 4 || images.size(1) != s.c || images.size(2) != s.h || images.size(3) != s.w)
        throw std::invalid_argument("graph: input must be N x " + std::to_string(s.c) + " x " + std::to_string(s.h) +
                                    " x " + std::to_string(s.w));
    std::map<std::string, torch::Tensor> env{{graph_.input, images}};
    for (size_t k = 0; k < graph_.ops.size(); ++k) {
        const GraphOp& op = graph_.ops[k];
        const torch::Tensor& x = env.at(op.inputs[0]);
        auto p = [&](size_t i) { return i < op.params.size() ? params_.at(op.params[i]) : torch::Tensor(); };
        const Window& w = op.window;
        torch::Tensor y;
        switch (op.kind) {
            case GraphOpKind::kConv:
                y = torch::conv2d(pad(x, w, 0.0), p(0), p(1), at::IntArrayRef{w.sh, w.sw}, at::IntArrayRef{0, 0},
                                  at::IntArrayRef{1, 1}, op.groups);
                break;
            case GraphOpKind::kBatchNorm:
                y = torch::batch_norm(x, p(0), p(1), p(2), p(3), false, 0.0, op.eps, false);
                break;
            case GraphOpKind::kRelu: y = torch::relu(x); break;
            case GraphOpKind::kClip: y = torch::clamp(x, op.min, op.max); break;
            case GraphOpKind::kAdd: y = x + env.at(op.inputs[1]); break;
            case GraphOpKind::kMaxPool:
                y = w.symmetric_pad()
                        ? torch::max_pool2d(x, {w.kh, w.kw}, {w.sh, w.sw}, {w.pad_top, w.pad_left}, {1, 1}, w.ceil_mode)
                        : torch::max_pool2d(pad(x, w, -std::numeric_limits<double>::infinity()), {w.kh, w.kw},
                                            {w.sh, w.sw}, {0, 0}, {1, 1}, w.ceil_mode);
                break;
            case GraphOpKind::kAveragePool: y = average_pool(x, w, op.count_include_pad); break;
            case GraphOpKind::kGlobalAveragePool: y = x.mean({2, 3}, true); break;
            case GraphOpKind::kFlatten: y = x.flatten(1); break;
            case GraphOpKind::kLinear: y = torch::linear(x.flatten(1), p(0), p(1)); break;
            case GraphOpKind::kConcat: {
                std::vector<torch::Tensor> xs;
                for (const std::string& t : op.inputs) xs.push_back(env.at(t));
                y = torch::cat(xs, 1);
                break;
            }
        }
        for (const std::string& t : op.inputs)
            if (last_use_.at(t) == k && t != graph_.output) env.erase(t);
        env[op.output] = y;
    }
    return env.at(graph_.output).flatten(1);
}

}  // namespace winoq::train
