#include "model_layers.h"

#include <stdexcept>

#include "winoq/model/model.h"
#include "winoq/kernels/tuned_schedules.h"
#include "winoq/model/random_model.h"

namespace winoq::tune {

std::vector<ConvLayer> conv_layers(const ModelSource& src) {
    if (src.batch < 1 || src.batch > 4096) throw std::invalid_argument("--batch must be in [1, 4096]");
    Model m;
    if (!src.model_path.empty()) {
        m = load_model(src.model_path);
    } else {
        if (src.arch != "resnet20" && src.arch != "resnet18")
            throw std::invalid_argument("--arch must be resnet20 or resnet18 (or give --model)");
        const int size = src.image_size > 0 ? src.image_size : src.arch == "resnet20" ? 32 : 224;
        m = make_random_model(src.arch, "direct", size, 3, 1);
    }
    std::vector<ConvLayer> out;
    for (const ModelOp& op : m.ops) {
        if (op.kind != OpKind::kConv) continue;
        ConvLayer l{op.name, op.conv_shape()};
        l.shape.N = src.batch;
        out.push_back(l);
    }
    return out;
}

std::string shape_key(const ConvShape& s) { return kernels::shape_class(s) + "_n" + std::to_string(s.N); }

bool parse_shape_key(const std::string& key, ConvShape& out) {
    const size_t n = key.rfind("_n");
    if (n == std::string::npos || n + 2 >= key.size() || key.size() - n > 6) return false;
    const std::string batch = key.substr(n + 2);
    if (batch.find_first_not_of("0123456789") != std::string::npos || batch[0] == '0') return false;
    ConvShape s;
    if (!kernels::parse_shape_class(key.substr(0, n), s)) return false;
    s.N = std::stoi(batch);
    out = s;
    return true;
}

bool variant_applies(Variant v, const ConvShape& s) {
    if (v == Variant::kDirect) return direct_kernel_supported(s.kernel) && (s.stride == 1 || s.stride == 2);
    return s.kernel == 3 && s.stride == 1 && s.pad == 1;
}

}  // namespace winoq::tune
