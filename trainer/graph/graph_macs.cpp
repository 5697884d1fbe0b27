#include "trainer/graph/graph_macs.h"

#include <stdexcept>

#include "winoq/model/model.h"

namespace winoq::train {

ModelMacs count_graph_macs(const Graph& g, const std::map<std::string, std::vector<int64_t>>& param_shapes,
                           const std::string& variant) {
    const std::optional<Variant> v = parse_variant(variant);
    if (variant != "float" && !v) throw std::invalid_argument("winoq-train: unknown variant '" + variant + "'");
    const auto shapes = infer_shapes(g, param_shapes);
    ModelMacs out;
    for (const GraphOp& op : g.ops) {
        LayerMacs L;
        L.name = op.name;
        const TensorShape& x = shapes.at(op.inputs[0]);
        const TensorShape& y = shapes.at(op.output);
        if (op.kind == GraphOpKind::kConv) {
            const Window& w = op.window;
            L.direct = int64_t(y.h) * y.w * y.c * (x.c / op.groups) * w.kh * w.kw;
            L.actual = L.direct;
            L.variant = v && *v != Variant::kDirect ? "direct" : variant;
            if (v && *v != Variant::kDirect && winograd_eligible(op)) {
                ConvShape s;
                s.C = x.c;
                s.H = x.h;
                s.W = x.w;
                s.K = y.c;
                L.actual = conv_macs(*v, s);
                L.variant = variant;
            }
        } else if (op.kind == GraphOpKind::kLinear) {
            L.direct = L.actual = int64_t(x.c) * y.c;
            L.variant = "float";
        } else {
            continue;
        }
        out.direct += L.direct;
        out.actual += L.actual;
        out.layers.push_back(std::move(L));
    }
    return out;
}

}  // namespace winoq::train
