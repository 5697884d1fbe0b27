#include "trainer/train/model_source.h"

#include <stdexcept>

#include "trainer/models/import.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/state.h"
#include "winoq/io/safetensors.h"

namespace winoq::train {

bool is_safetensors_path(const std::string& path) {
    const std::string ext = ".safetensors";
    return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

ResNet build_model(const ModelConfig& cfg, const std::string& from, std::string* summary) {
    ResNet model(cfg);
    if (from.empty()) {
        if (summary) *summary = "random initialisation";
        return model;
    }
    if (is_safetensors_path(from)) {
        import_safetensors(model, SafetensorsFile::load(from));
        if (summary) *summary = "imported " + from + (cfg.batchnorm ? "" : " (BatchNorm folded)");
        return model;
    }
    CheckpointInfo info;
    ResNet source = load_checkpoint_model(from, &info);
    if (!cfg.batchnorm) source->fold_batchnorm();
    const LoadReport r = load_state_dict(*model, state_dict(*source));
    std::vector<std::string> missing = r.missing;
    missing.insert(missing.end(), r.mismatched.begin(), r.mismatched.end());
    for (const std::string& n : missing) {
        const bool quantizer = n.find("_quant.") != std::string::npos;
        if (!quantizer && n.find(".bn.") == std::string::npos)
            throw std::runtime_error("winoq-train: " + from + " has no usable tensor for " + n + " (its model is " +
                                     info.config.to_json().dump() + ")");
    }
    if (summary)
        *summary = "loaded " + std::to_string(r.loaded.size()) + " tensors from " + from + " (epoch " +
                   std::to_string(info.epoch) + "), " + std::to_string(missing.size()) +
                   " left to their initial values (clipping factors are then calibrated)";
    return model;
}

}  // namespace winoq::train
