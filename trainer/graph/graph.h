// A float CNN as a general graph: named activation tensors and ops in topological order, the
// form an imported ONNX model takes (onnx_import.h). Plain C++ (no libtorch): the weights live
// beside it, by parameter name (graph_net.h). Shapes are per image: NCHW without the N.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace winoq::train {

enum class GraphOpKind {
    kConv,               // params: weight [K, C / groups, kh, kw], optional bias [K]
    kBatchNorm,          // params: scale, bias, mean, var [C]
    kRelu,               //
    kClip,               // min, max (ReLU6: 0, 6)
    kAdd,                // two tensors of one shape
    kMaxPool,            // window
    kAveragePool,        // window, count_include_pad
    kGlobalAveragePool,  //
    kFlatten,            // [C, H, W] -> [C * H * W]
    kLinear,             // params: weight [K, C], optional bias [K]; input flat
    kConcat,             // along channels
};
const char* graph_op_kind_name(GraphOpKind k);
GraphOpKind parse_graph_op_kind(const std::string& s);  // throws std::runtime_error

// A convolution or pooling window: kernel, stride and the four paddings.
struct Window {
    int kh = 1, kw = 1, sh = 1, sw = 1;
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    bool ceil_mode = false;  // pools: output size rounded up
    int out_h(int h) const;
    int out_w(int w) const;
    bool symmetric_pad() const { return pad_top == pad_bottom && pad_left == pad_right; }
};

struct GraphOp {
    GraphOpKind kind = GraphOpKind::kRelu;
    std::string name;                 // the ONNX node's name (unique in the graph)
    std::vector<std::string> inputs;  // activation tensors
    std::string output;
    std::vector<std::string> params;  // parameter names, in the order of the kind's comment
    Window window;                    // conv, pools
    int groups = 1;                   // conv
    int out_channels = 0;             // conv, linear
    float eps = 1e-5f;                // batch norm
    float min = 0, max = 0;           // clip
    bool count_include_pad = false;   // average pool
};

// Per image: channels x height x width, or a flat vector of `c` features (flat = true).
struct TensorShape {
    int c = 0, h = 1, w = 1;
    bool flat = false;
    int64_t numel() const { return int64_t(c) * h * w; }
    bool operator==(const TensorShape& o) const { return c == o.c && h == o.h && w == o.w && flat == o.flat; }
    std::string str() const;
};

struct Graph {
    std::string input, output;  // tensor names
    TensorShape input_shape;
    std::vector<GraphOp> ops;  // topological order

    nlohmann::json to_json() const;
    static Graph from_json(const nlohmann::json& j);  // throws std::runtime_error
};

// The shape of every tensor, checked op by op from the input (each op's inputs defined before
// it, its parameters of the right sizes, shapes that agree); throws std::runtime_error naming
// the op. `param_shapes`: every parameter's dimensions.
std::map<std::string, TensorShape> infer_shapes(const Graph& g,
                                                const std::map<std::string, std::vector<int64_t>>& param_shapes);

// True for the convolutions a Winograd variant can run: 3x3, stride 1, padding 1, groups 1.
bool winograd_eligible(const GraphOp& op);

}  // namespace winoq::train
