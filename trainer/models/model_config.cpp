#include "trainer/models/model_config.h"

#include <sstream>
#include <stdexcept>

#include "trainer/layers/quant_conv.h"
#include "winoq/numerics/variant.h"

namespace winoq::train {

std::string ModelConfig::variant_for(const std::string& name, int kernel, int stride) const {
    const auto it = layer_variants.find(name);
    if (it != layer_variants.end()) {
        if (!variant_fits(it->second, kernel, stride))
            throw std::invalid_argument("winoq-train: layer " + name + " cannot run variant " + it->second);
        return it->second;
    }
    if (variant_fits(variant, kernel, stride)) return variant;
    if (variant_fits("direct", kernel, stride)) return "direct";
    return "float";
}

nlohmann::json ModelConfig::to_json() const {
    return {{"arch", arch},
            {"in_channels", in_channels},
            {"num_classes", num_classes},
            {"image_size", image_size},
            {"variant", variant},
            {"layer_variants", layer_variants},
            {"per_tap", per_tap},
            {"per_channel_u", per_channel_u},
            {"batchnorm", batchnorm}};
}

ModelConfig ModelConfig::from_json(const nlohmann::json& j) {
    ModelConfig c;
    c.arch = j.at("arch").get<std::string>();
    c.in_channels = j.at("in_channels").get<int>();
    c.num_classes = j.at("num_classes").get<int>();
    c.image_size = j.at("image_size").get<int>();
    c.variant = j.at("variant").get<std::string>();
    c.layer_variants = j.value("layer_variants", std::map<std::string, std::string>{});
    c.per_tap = j.value("per_tap", false);
    c.per_channel_u = j.value("per_channel_u", false);
    c.batchnorm = j.value("batchnorm", false);
    return c;
}

std::map<std::string, std::string> parse_layer_variants(const std::string& spec) {
    std::map<std::string, std::string> out;
    std::stringstream ss(spec);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.empty()) continue;
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw std::invalid_argument("winoq-train: expected name=variant, got '" + item + "'");
        const std::string v = item.substr(eq + 1);
        if (v != "float" && !parse_variant(v)) throw std::invalid_argument("winoq-train: unknown variant '" + v + "'");
        out[item.substr(0, eq)] = v;
    }
    return out;
}

}  // namespace winoq::train
