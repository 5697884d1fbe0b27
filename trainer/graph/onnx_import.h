// Reading a float CNN from an ONNX file into a Graph and its weights. Supported: Conv (any
// kernel, stride and padding; groups 1 or depthwise), BatchNormalization, Relu, Clip, Add,
// MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape to [N, -1], Gemm, MatMul (+ Add of
// a bias), Concat on channels, Pad (zeros, before a Conv or an AveragePool: folded into its
// window), Identity and Dropout (inference: no-ops). Anything else, a
// dilation, an auto_pad or a dynamic dimension other than the batch is one error naming the node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "trainer/graph/graph.h"

namespace winoq::train {

// What the file may lack, from the command line; a value given here wins over the file's
// metadata (metadata_props "mean", "std": comma-separated; "classes": one name per line).
struct OnnxImportOptions {
    int image_size = 0;  // input height and width when the file's are dynamic
    std::vector<float> mean, std;
    std::vector<std::string> class_names;
    bool require_normalization = true;  // false: mean 0, std 1 where none is given (MAC counts)
};

struct ImportedGraph {
    Graph graph;
    std::map<std::string, torch::Tensor> params;  // float32, by name
    std::vector<float> mean, std;                 // per input channel
    std::vector<std::string> class_names;         // one per output
    int num_classes() const { return static_cast<int>(class_names.size()); }
    std::map<std::string, std::vector<int64_t>> param_shapes() const;
};

// Throws std::runtime_error with a message naming the file and, for an unsupported node, the
// node's name and op type.
ImportedGraph import_onnx(const std::string& path, const OnnxImportOptions& options);

// Folds each BatchNormalization that is the only reader of a convolution into that
// convolution's weight and bias (as the trainer's fold_batchnorm does); the others stay.
void fold_graph_batchnorm(ImportedGraph& g);

}  // namespace winoq::train
