// A Graph run in float by libtorch: the imported model's own arithmetic, to check an import
// against the exporter's outputs and to evaluate the float parent of a graph.
#pragma once

#include <map>
#include <string>

#include <torch/torch.h>

#include "trainer/graph/onnx_import.h"

namespace winoq::train {

class GraphNetImpl : public torch::nn::Module {
public:
    explicit GraphNetImpl(const ImportedGraph& g);

    // Normalised N x C x H x W images -> N x classes logits.
    torch::Tensor forward(const torch::Tensor& images);

    const Graph& graph() const { return graph_; }
    const torch::Tensor& param(const std::string& name) const { return params_.at(name); }

private:
    Graph graph_;
    std::map<std::string, torch::Tensor> params_;  // registered as p0, p1, ... (names hold dots)
    std::map<std::string, size_t> last_use_;       // tensor -> index of the last op reading it
};
TORCH_MODULE(GraphNet);

}  // namespace winoq::train
