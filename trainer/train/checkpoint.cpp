#include "trainer/train/checkpoint.h"

#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "trainer/train/state.h"
#include "winoq/io/file_read.h"

namespace winoq::train {
namespace {

constexpr int64_t kFormatVersion = 1;
constexpr int64_t kGraphFormatVersion = 2;  // an imported graph

// 1 GiB per checkpoint (docs/security.md): a float ResNet-18 with its optimizer state is under
// 200 MB.
constexpr uint64_t kMaxCheckpointBytes = uint64_t(1) << 30;

torch::serialize::InputArchive open(const std::string& path) {
    // A regular file within the cap (no FIFO, no device), read through the same descriptor.
    std::shared_ptr<const RegularFile> file;
    try {
        file =
            std::make_shared<const RegularFile>(RegularFile::open(path, kMaxCheckpointBytes, "winoq-train checkpoint"));
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(std::string("winoq-train: checkpoint ") + e.what());
    }
    torch::serialize::InputArchive ar;
    try {
        ar.load_from([file](uint64_t pos, void* buf, size_t n) { return file->read_at(pos, buf, n); },
                     [file] { return size_t(file->size()); });
    } catch (const c10::Error& e) {
        throw std::runtime_error("winoq-train: " + path + " is not a winoq-train checkpoint (" +
                                 e.what_without_backtrace() + ")");
    }
    return ar;
}

std::string read_string(torch::serialize::InputArchive& ar, const std::string& key, const std::string& path) {
    c10::IValue v;
    if (!ar.try_read(key, v) || !v.isString())
        throw std::runtime_error("winoq-train: " + path + " is not a winoq-train checkpoint (no " + key + ")");
    return v.toStringRef();
}

// Tensors under indexed keys; their names in one string (archive keys stay plain).
void write_tensors(torch::serialize::OutputArchive& ar, const StateDict& tensors) {
    std::string names;
    int64_t i = 0;
    for (const auto& [name, t] : tensors) {
        names += name + "\n";
        ar.write("t" + std::to_string(i++), t);
    }
    ar.write("names", c10::IValue(names));
}

StateDict read_tensors(torch::serialize::InputArchive& ar, const std::string& path) {
    std::stringstream names(read_string(ar, "names", path));
    StateDict state;
    std::string name;
    for (int64_t i = 0; std::getline(names, name); ++i) {
        torch::Tensor t;
        if (!ar.try_read("t" + std::to_string(i), t))
            throw std::runtime_error("winoq-train: checkpoint " + path + " lacks tensor " + name);
        state[name] = t;
    }
    return state;
}

// Written to PATH.tmp and renamed over PATH: a crash never leaves a half-written checkpoint.
void save_atomically(torch::serialize::OutputArchive& ar, const std::string& path) {
    const std::string tmp = path + ".tmp";
    ar.save_to(tmp);
    std::filesystem::rename(tmp, path);
}

}  // namespace

void save_checkpoint(const std::string& path, ResNet& model, int epoch, const nlohmann::json& meta,
                     torch::optim::Optimizer* optimizer) {
    torch::serialize::OutputArchive ar;
    ar.write("format", c10::IValue(kFormatVersion));
    ar.write("config", c10::IValue(model->config().to_json().dump()));
    ar.write("epoch", c10::IValue(int64_t(epoch)));
    ar.write("meta", c10::IValue(meta.dump()));
    write_tensors(ar, state_dict(*model));
    if (optimizer) {
        torch::serialize::OutputArchive opt;
        optimizer->save(opt);
        ar.write("optimizer", opt);
    }
    save_atomically(ar, path);
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
    torch::serialize::InputArchive ar = open(path);
    c10::IValue graph;
    if (ar.try_read("graph", graph))
        throw std::runtime_error(
            "winoq-train: " + path +
            " holds an imported graph (winoq-train import): only `winoq-train eval` and `winoq-train "
            "macs` read those so far");
    CheckpointInfo info;
    info.config = ModelConfig::from_json(nlohmann::json::parse(read_string(ar, "config", path)));
    info.meta = nlohmann::json::parse(read_string(ar, "meta", path));
    c10::IValue e;
    if (ar.try_read("epoch", e)) info.epoch = static_cast<int>(e.toInt());
    return info;
}

ResNet load_checkpoint_model(const std::string& path, CheckpointInfo* info_out) {
    const CheckpointInfo info = read_checkpoint_info(path);
    torch::serialize::InputArchive ar = open(path);
    const StateDict state = read_tensors(ar, path);
    ResNet model(info.config);
    const LoadReport r = load_state_dict(*model, state);
    if (!r.missing.empty() || !r.mismatched.empty())
        throw std::runtime_error(
            "winoq-train: checkpoint " + path + " does not match its own config (" +
            (r.missing.empty() ? "tensor " + r.mismatched[0] + " has another shape" : "no tensor " + r.missing[0]) +
            ")");
    if (info_out) *info_out = info;
    return model;
}

void save_graph_checkpoint(const std::string& path, const ImportedGraph& g, const nlohmann::json& meta) {
    torch::serialize::OutputArchive ar;
    ar.write("format", c10::IValue(kGraphFormatVersion));
    const nlohmann::json graph = {
        {"graph", g.graph.to_json()}, {"mean", g.mean}, {"std", g.std}, {"class_names", g.class_names}};
    ar.write("graph", c10::IValue(graph.dump()));
    ar.write("meta", c10::IValue(meta.dump()));
    write_tensors(ar, g.params);
    save_atomically(ar, path);
}

bool is_graph_checkpoint(const std::string& path) {
    torch::serialize::InputArchive ar = open(path);
    c10::IValue graph;
    return ar.try_read("graph", graph);
}

ImportedGraph load_graph_checkpoint(const std::string& path, nlohmann::json* meta) {
    torch::serialize::InputArchive ar = open(path);
    ImportedGraph g;
    try {
        const nlohmann::json j = nlohmann::json::parse(read_string(ar, "graph", path));
        g.graph = Graph::from_json(j.at("graph"));
        g.mean = j.at("mean").get<std::vector<float>>();
        g.std = j.at("std").get<std::vector<float>>();
        g.class_names = j.at("class_names").get<std::vector<std::string>>();
        if (meta) *meta = nlohmann::json::parse(read_string(ar, "meta", path));
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("winoq-train: " + path + ": malformed graph (" + e.what() + ")");
    }
    g.params = read_tensors(ar, path);
    for (const auto& [name, t] : g.params)
        if (t.scalar_type() != torch::kFloat32)
            throw std::runtime_error("winoq-train: checkpoint " + path + ": tensor " + name + " is not float32");
    try {
        const auto shapes = infer_shapes(g.graph, g.param_shapes());
        const size_t c = size_t(g.graph.input_shape.c);
        if (g.mean.size() != c || g.std.size() != c || g.num_classes() != shapes.at(g.graph.output).c)
            throw std::runtime_error("normalisation or class names do not match the graph");
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("winoq-train: " + path + ": " + e.what());
    }
    return g;
}

bool load_optimizer_state(const std::string& path, torch::optim::Optimizer& optimizer) {
    torch::serialize::InputArchive ar = open(path);
    torch::serialize::InputArchive opt;
    if (!ar.try_read("optimizer", opt)) return false;
    optimizer.load(opt);
    return true;
}

}  // namespace winoq::train
