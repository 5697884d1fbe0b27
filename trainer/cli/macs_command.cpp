// winoq-train macs: multiplications of a model configuration by docs/method.md section 3's rule.
#include <cstdio>
#include <memory>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/models/macs.h"

namespace winoq::train::cli {
namespace {

struct MacsArgs {
    ModelOptions model;
    int image_size = 0, in_channels = 3, classes = 10;
    bool json = false, per_layer = false;
};

void run(MacsArgs& a) {
    ModelConfig c = model_config(a.model, Data{});
    c.in_channels = a.in_channels;
    c.num_classes = a.classes;
    c.image_size = a.image_size > 0 ? a.image_size : (c.arch == "resnet18" ? 224 : 32);
    ResNet model(c);
    const ModelMacs m = count_macs(model);
    if (a.json) {
        nlohmann::json j = {{"arch", c.arch},          {"variant", c.variant}, {"image_size", c.image_size},
                            {"direct_macs", m.direct}, {"macs", m.actual},     {"reduction", m.reduction()}};
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
            std::printf("%-22s %-7s %12ld %12ld\n", L.name.c_str(), L.variant.c_str(), long(L.direct), long(L.actual));
    std::printf("%s %s at %dx%d: %ld MACs (direct %ld), reduction %.3fx\n", c.arch.c_str(), c.variant.c_str(),
                c.image_size, c.image_size, long(m.actual), long(m.direct), m.reduction());
}

}  // namespace

void add_macs_command(CLI::App& app) {
    auto a = std::make_shared<MacsArgs>();
    CLI::App* cmd = app.add_subcommand("macs", "Multiply-accumulates per image and the reduction against direct");
    add_model_options(cmd, a->model);
    cmd->add_option("--image-size", a->image_size, "Input size (default 32 for resnet20, 224 for resnet18)");
    cmd->add_option("--in-channels", a->in_channels, "Input channels")->capture_default_str();
    cmd->add_option("--classes", a->classes, "Classes")->capture_default_str();
    cmd->add_flag("--per-layer", a->per_layer, "List every layer");
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->callback([a] { run(*a); });
}

}  // namespace winoq::train::cli
