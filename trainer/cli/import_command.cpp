// winoq-train import: a float CNN from an ONNX file into a winoq-train checkpoint (the graph,
// its weights with BatchNorm folded into the convolutions, normalisation and class names).
#include <cstdio>
#include <memory>
#include <sstream>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/graph/graph_macs.h"
#include "trainer/graph/onnx_import.h"
#include "trainer/train/checkpoint.h"
#include "winoq/io/file_read.h"

namespace winoq::train::cli {
namespace {

struct ImportArgs {
    std::string onnx, out, classes_file;
    OnnxImportOptions options;
    bool json = false;
};

std::vector<std::string> read_class_names(const std::string& path) {
    const std::vector<uint8_t> bytes = read_regular_file(path, 1 << 20, "class name list");
    std::stringstream ss(std::string(bytes.begin(), bytes.end()));
    std::vector<std::string> names;
    for (std::string line; std::getline(ss, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) names.push_back(line);
    }
    if (names.empty()) throw std::runtime_error(path + ": no class names (one per line)");
    return names;
}

void run(ImportArgs& a) {
    if (!a.classes_file.empty()) a.options.class_names = read_class_names(a.classes_file);
    const ImportedGraph g = import_onnx(a.onnx, a.options);
    std::map<std::string, int> kinds;
    int64_t params = 0;
    for (const GraphOp& op : g.graph.ops) ++kinds[graph_op_kind_name(op.kind)];
    for (const auto& [name, t] : g.params) params += t.numel();
    const ModelMacs direct = count_graph_macs(g.graph, g.param_shapes(), "direct");
    const ModelMacs cf43 = count_graph_macs(g.graph, g.param_shapes(), "cf43");
    save_graph_checkpoint(a.out, g, {{"source", a.onnx}, {"command", command_line()}});
    const TensorShape& s = g.graph.input_shape;
    if (a.json) {
        print_json({{"checkpoint", a.out},
                    {"ops", kinds},
                    {"parameters", params},
                    {"input", {s.c, s.h, s.w}},
                    {"classes", g.num_classes()},
                    {"direct_macs", direct.direct},
                    {"cf43_macs", cf43.actual},
                    {"cf43_reduction", cf43.reduction()}});
        return;
    }
    std::string ops;
    for (const auto& [k, n] : kinds) ops += (ops.empty() ? "" : ", ") + std::to_string(n) + " " + k;
    std::printf("%s: %zu ops (%s), %ld parameters, input %s, %d classes\n", a.onnx.c_str(), g.graph.ops.size(),
                ops.c_str(), long(params), s.str().c_str(), g.num_classes());
    std::printf("MACs per image: %ld direct, %ld with cf43 on its 3x3 stride-1 convs (%.3fx fewer)\n",
                long(direct.direct), long(cf43.actual), cf43.reduction());
    std::printf("wrote %s\n", a.out.c_str());
}

}  // namespace

void add_import_command(CLI::App& app) {
    auto a = std::make_shared<ImportArgs>();
    CLI::App* cmd = app.add_subcommand("import", "Import a float CNN from an ONNX file into a checkpoint");
    cmd->add_option("model", a->onnx, "The ONNX file (one input N x C x H x W, one output of class scores)")
        ->required();
    cmd->add_option("--out", a->out, "The checkpoint to write")->required();
    cmd->add_option("--image-size", a->options.image_size, "Input height and width, where the file's are dynamic");
    cmd->add_option("--mean", a->options.mean, "Per-channel mean of the input normalisation (x = (p/255 - mean)/std)")
        ->delimiter(',');
    cmd->add_option("--std", a->options.std, "Per-channel standard deviation of the input normalisation")
        ->delimiter(',');
    cmd->add_option("--classes", a->classes_file, "Class names, one per line");
    cmd->add_flag("--json", a->json, "Print a JSON summary");
    cmd->footer(
        "Normalisation and class names come from these options, else from the file's metadata_props\n"
        "(\"mean\" and \"std\": comma-separated; \"classes\": one name per line).");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
