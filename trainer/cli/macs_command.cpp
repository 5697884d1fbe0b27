// winoq-train macs: multiplications of a model configuration by docs/method.md section 3's rule.
#include <cstdio>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/graph/graph_macs.h"
#include "trainer/models/macs.h"
#include "trainer/train/checkpoint.h"

namespace winoq::train::cli {
namespace {

struct MacsArgs {
    ModelOptions model;
    std::string graph;  // an ONNX file or an imported checkpoint
    int image_size = 0, in_channels = 3, classes = 10;
    bool json = false, per_layer = false;
};

ImportedGraph load_graph(const std::string& path) {
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".onnx") == 0) {
        OnnxImportOptions o;
        o.require_normalization = false;
        return import_onnx(path, o);
    }
    return load_graph_checkpoint(path);
}

// `model`: the arch or graph file, which names the model in both outputs.
void print_macs(const MacsArgs& a, const ModelMacs& m, nlohmann::json j, const std::string& model,
                const std::string& variant, int h, int w) {
    if (a.json) {
        j.update({{"variant", variant},
                  {"image_size", h == w ? nlohmann::json(h) : nlohmann::json({h, w})},
                  {"direct_macs", m.direct},
                  {"macs", m.actual},
                  {"reduction", m.reduction()}});
        if (a.per_layer) {
            j["layers"] = nlohmann::json::array();
            for (const LayerMacs& L : m.layers)
                j["layers"].push_back(
                    {{"name", L.name}, {"variant", L.variant}, {"direct", L.direct}, {"macs", L.actual}});
        }
        print_json(j);
        return;
    }
    if (a.per_layer)
        for (const LayerMacs& L : m.layers)
            std::printf("%-30s %-7s %12ld %12ld\n", L.name.c_str(), L.variant.c_str(), long(L.direct), long(L.actual));
    std::printf("%s %s at %dx%d: %ld MACs (direct %ld), reduction %.3fx\n", model.c_str(), variant.c_str(), h, w,
                long(m.actual), long(m.direct), m.reduction());
}

void run(MacsArgs& a) {
    if (!a.graph.empty()) {
        const ImportedGraph g = load_graph(a.graph);
        const TensorShape& s = g.graph.input_shape;
        print_macs(a, count_graph_macs(g.graph, g.param_shapes(), a.model.variant), {{"graph", a.graph}}, a.graph,
                   a.model.variant, s.h, s.w);
        return;
    }
    ModelConfig c = model_config(a.model, Data{});
    c.in_channels = a.in_channels;
    c.num_classes = a.classes;
    c.image_size = a.image_size > 0 ? a.image_size : (c.arch == "resnet18" ? 224 : 32);
    ResNet model(c);
    print_macs(a, count_macs(model), {{"arch", c.arch}}, c.arch, c.variant, c.image_size, c.image_size);
}

}  // namespace

void add_macs_command(CLI::App& app) {
    auto a = std::make_shared<MacsArgs>();
    CLI::App* cmd = app.add_subcommand("macs", "Multiply-accumulates per image and the reduction against direct");
    add_model_options(cmd, a->model);
    cmd->add_option("--graph", a->graph,
                    "An ONNX file or an imported checkpoint instead of --arch (--variant applies to every 3x3 "
                    "stride-1 conv)");
    cmd->add_option("--image-size", a->image_size, "Input size (default 32 for resnet20, 224 for resnet18)");
    cmd->add_option("--in-channels", a->in_channels, "Input channels")->capture_default_str();
    cmd->add_option("--classes", a->classes, "Classes")->capture_default_str();
    cmd->add_flag("--per-layer", a->per_layer, "List every layer");
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
