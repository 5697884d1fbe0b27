// winoq-train eval: top-1 of a checkpoint; int8 models in integer mode.
#include <cstdio>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/graph/graph_net.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/evaluate.h"
#include "trainer/train/model_source.h"

namespace winoq::train::cli {
namespace {

struct EvalArgs {
    DataOptions data;
    RuntimeOptions runtime;
    std::string checkpoint, mode = "auto", arch = "resnet20";
    int batch_size = 256;
    bool json = false;
};

// An imported graph (winoq-train import), in float with its own normalisation.
void run_graph(EvalArgs& a, const Data& data, torch::Device dev) {
    const ImportedGraph g = load_graph_checkpoint(a.checkpoint);
    const TensorShape& s = g.graph.input_shape;
    if (data.val.channels() != s.c || data.val.height() != s.h || data.val.width() != s.w)
        throw std::invalid_argument("the graph takes " + s.str() + " images, the data set has " +
                                    std::to_string(data.val.channels()) + " x " + std::to_string(data.val.height()) +
                                    " x " + std::to_string(data.val.width()));
    if (g.num_classes() != data.val.num_classes)
        throw std::invalid_argument("the graph has " + std::to_string(g.num_classes()) + " outputs, the data set " +
                                    std::to_string(data.val.num_classes) + " classes");
    if (a.mode != "auto" && a.mode != "float") throw std::invalid_argument("an imported graph runs in float only");
    GraphNet net(g);
    net->to(dev);
    net->eval();
    const EvalResult r = evaluate_forward([&](const torch::Tensor& x) { return net->forward(x); }, data.val,
                                          Normalization{g.mean, g.std}, dev, a.batch_size);
    if (a.json) {
        print_json({{"top1", r.top1},
                    {"images", r.images},
                    {"loss", r.loss},
                    {"mode", "float"},
                    {"variant", "float"},
                    {"seconds", r.seconds}});
    } else {
        std::printf("top-1 %.2f%% on %ld images (float, imported graph), loss %.4f, %.1f s\n", r.top1, long(r.images),
                    r.loss, r.seconds);
    }
}

void run(EvalArgs& a) {
    const torch::Device dev = apply_runtime(a.runtime);
    const Data data = load_data(a.data, false, true);
    if (!is_safetensors_path(a.checkpoint) && is_graph_checkpoint(a.checkpoint)) return run_graph(a, data, dev);
    ResNet model{nullptr};
    if (is_safetensors_path(a.checkpoint)) {
        ModelOptions m;
        m.arch = a.arch;
        model = build_model(model_config(m, data), a.checkpoint);
    } else {
        model = load_checkpoint_model(a.checkpoint);
    }
    model->to(dev);
    Mode mode = report_mode(model->config());
    if (a.mode == "float") mode = Mode::kFloat;
    if (a.mode == "fake-quant") mode = Mode::kFakeQuant;
    if (a.mode == "integer") mode = Mode::kInteger;
    if (mode != Mode::kFloat && !model->config().quantized())
        throw std::invalid_argument("the model is float: --mode " + a.mode + " needs an int8 checkpoint");
    const EvalResult r = evaluate(model, data.val, data.norm, mode, a.batch_size);
    const char* mode_name = mode == Mode::kInteger ? "integer" : mode == Mode::kFakeQuant ? "fake-quant" : "float";
    if (a.json) {
        print_json({{"top1", r.top1},
                    {"images", r.images},
                    {"loss", r.loss},
                    {"mode", mode_name},
                    {"variant", model->config().variant},
                    {"per_tap", model->config().per_tap},
                    {"seconds", r.seconds}});
    } else {
        std::printf("top-1 %.2f%% on %ld images (%s mode, variant %s), loss %.4f, %.1f s\n", r.top1, long(r.images),
                    mode_name, model->config().variant.c_str(), r.loss, r.seconds);
    }
}

}  // namespace

void add_eval_command(CLI::App& app) {
    auto a = std::make_shared<EvalArgs>();
    CLI::App* cmd = app.add_subcommand("eval", "Top-1 accuracy of a checkpoint (int8 models in integer mode)");
    cmd->add_option("--checkpoint", a->checkpoint, "winoq-train checkpoint, or an FP32 safetensors file")
        ->required()
        ->check(CLI::ExistingFile);
    add_data_options(cmd, a->data, false);
    add_runtime_options(cmd, a->runtime);
    cmd->add_option("--mode", a->mode, "auto (integer for int8 models), float, fake-quant or integer")
        ->check(CLI::IsMember({"auto", "float", "fake-quant", "integer"}))
        ->capture_default_str();
    cmd->add_option("--arch", a->arch, "Architecture of a safetensors file")->capture_default_str();
    cmd->add_option("--batch-size", a->batch_size, "Images per batch")->capture_default_str();
    cmd->add_flag("--json", a->json, "Print {\"top1\": ..., \"images\": ...} as JSON");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
