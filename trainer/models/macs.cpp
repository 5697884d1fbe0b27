#include "trainer/models/macs.h"

#include "winoq/model/model.h"

namespace winoq::train {

ModelMacs count_macs(ResNet& model) {
    ModelMacs out;
    const ModelConfig& cfg = model->config();
    const Mode saved = model->mode();
    model->set_mode(Mode::kFloat);
    model->set_conv_observer([&](const QConvImpl& c, const Act& x, const Act*, const Act&) {
        const QConvOptions& o = c.options();
        LayerMacs L;
        L.name = o.name;
        L.variant = o.variant;
        ConvShape s;
        s.C = o.in;
        s.H = static_cast<int>(x.v.size(2));
        s.W = static_cast<int>(x.v.size(3));
        s.K = o.out;
        s.kernel = o.kernel;
        s.stride = o.stride;
        s.pad = o.pad();
        // The deployable model's counting rule (winoq/model/model.h): one definition.
        L.direct = conv_macs(Variant::kDirect, s);
        L.actual = c.variant() ? conv_macs(*c.variant(), s) : L.direct;
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
