// Checkpoints: one torch archive holding the model config (JSON), the model's tensors by name,
// the epoch reached, free-form metadata (JSON) and optionally the optimizer state. Written to
// PATH.tmp and renamed over PATH, so a crash never leaves a half-written checkpoint.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "trainer/graph/onnx_import.h"
#include "trainer/models/resnet.h"

namespace winoq::train {

struct CheckpointInfo {
    ModelConfig config;
    int epoch = 0;  // epochs completed
    nlohmann::json meta;
};

void save_checkpoint(const std::string& path, ResNet& model, int epoch, const nlohmann::json& meta,
                     torch::optim::Optimizer* optimizer = nullptr);

CheckpointInfo read_checkpoint_info(const std::string& path);
// The model the checkpoint describes, with its tensors loaded (on the CPU).
ResNet load_checkpoint_model(const std::string& path, CheckpointInfo* info = nullptr);
// An imported graph (winoq-train import): the graph (JSON), its normalisation and class names,
// and its parameters by name, in the same archive layout. The ResNet readers above refuse it
// with a message saying what it is.
void save_graph_checkpoint(const std::string& path, const ImportedGraph& g, const nlohmann::json& meta);
bool is_graph_checkpoint(const std::string& path);
ImportedGraph load_graph_checkpoint(const std::string& path, nlohmann::json* meta = nullptr);
// Restores the optimizer state; false if the checkpoint has none.
bool load_optimizer_state(const std::string& path, torch::optim::Optimizer& optimizer);

}  // namespace winoq::train
