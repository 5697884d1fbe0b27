#include "trainer/models/macs.h"

#include "winoq/transforms.h"

namespace winoq::train {

ModelMacs count_macs(ResNet& model) {
    ModelMacs out;
    const ModelConfig& cfg = model->config();
    const Mode saved = model->mode();
    model->set_mode(Mode::kFloat);
    model->set_conv_observer([&](const QConvImpl& c, const Act& x, const Act*, const Act& y) {
        const QConvOptions& o = c.options();
        LayerMacs L;
        L.name = o.name;
        L.variant = o.variant;
        const int64_t Ho = y.v.size(2), Wo = y.v.size(3);
        L.direct = int64_t(o.out) * o.in * o.kernel * o.kernel * Ho * Wo;
        L.actual = L.direct;
        if (c.is_winograd()) {
            const int64_t m = tile_size(*c.variant()), H = x.v.size(2), W = x.v.size(3);
            L.actual = ((H + m - 1) / m) * ((W + m - 1) / m) * mults_per_tile(*c.variant()) * int64_t(o.out) * o.in;
        }
        out.layers.push_back(L);
    });
    {
        torch::NoGradGuard ng;
        const auto p = model->classifier->weight;
        model->forward(torch::zeros({1, cfg.in_channels, cfg.image_size, cfg.image_size}, p.options()));
    }
    model->set_conv_observer(nullptr);
    model->set_mode(saved);
    LayerMacs fc;
    fc.name = model->classifier_name();
    fc.variant = "float";
    fc.direct = fc.actual = model->classifier->weight.numel();
    out.layers.push_back(fc);
    for (const LayerMacs& L : out.layers) {
        out.direct += L.direct;
        out.actual += L.actual;
    }
    return out;
}

}  // namespace winoq::train
