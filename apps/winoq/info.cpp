// winoq info: what a model file holds: its facts, every op with its variant, shapes and
// multiply-accumulates (winoq::count_macs: as a direct convolution and as the model runs it),
// and the total MAC reduction of the Winograd layers.
#include <iostream>
#include <map>
#include <memory>

#include "cli_common.h"

namespace winoq::cli {
namespace {

struct InfoOptions {
    std::string model;
    bool json = false;
};

struct Dims {
    int c = 0, h = 0, w = 0;
};

std::string dims_text(const Dims& d) {
    return std::to_string(d.c) + "x" + std::to_string(d.h) + "x" + std::to_string(d.w);
}

int run_info(const InfoOptions& o) {
    const Model m = open_model(o.model);
    const ModelMacs macs = count_macs(m);
    std::map<std::string, OpMacs> op_macs;
    for (const OpMacs& x : macs.ops) op_macs[x.name] = x;

    std::map<std::string, Dims> dims = {{"input", {m.in_channels, m.image_size, m.image_size}}};
    nlohmann::json ops = nlohmann::json::array();
    struct Row {
        std::string name, kind, variant, in, out, kernel, direct, actual, reduction;
    };
    std::vector<Row> rows;
    for (const ModelOp& op : m.ops) {
        const Dims in = dims.at(op.input), out{op.out_c, op.out_h, op.out_w};
        dims[op.name] = out;
        nlohmann::json j = {{"name", op.name},          {"kind", op_kind_name(op.kind)}, {"input", op.input},
                            {"in", {in.c, in.h, in.w}}, {"out", {out.c, out.h, out.w}},  {"out_scale", op.out_scale}};
        Row r{op.name, op_kind_name(op.kind), "-", dims_text(in), dims_text(out), "", "", "", ""};
        if (op.kind == OpKind::kConv) {
            const ConvShape& s = op.conv_shape();
            j["variant"] = op.variant_label();
            j["kernel"] = s.kernel;
            j["stride"] = s.stride;
            if (!op.residual.empty()) j["residual"] = op.residual;
            r.variant = op.variant_label() + (op.residual.empty() ? "" : " +res");
            r.kernel = std::to_string(s.kernel) + "x" + std::to_string(s.kernel) + "/" + std::to_string(s.stride);
            auto it = op_macs.find(op.name);
            if (it != op_macs.end()) {
                j["macs_direct"] = it->second.direct;
                j["macs"] = it->second.actual;
                r.direct = with_thousands(it->second.direct);
                r.actual = with_thousands(it->second.actual);
                r.reduction = fixed(double(it->second.direct) / double(it->second.actual), 3) + "x";
            }
        }
        ops.push_back(j);
        rows.push_back(r);
    }
    if (auto it = op_macs.find("head"); it != op_macs.end())
        rows.push_back({"head", "linear", "int8", std::to_string(m.head.C), std::to_string(m.head.classes), "",
                        with_thousands(it->second.direct), with_thousands(it->second.actual), ""});

    if (o.json) {
        nlohmann::json j;
        add_model_fields(j, m, o.model);
        j["format"] = kModelFormatName;
        j["version"] = m.version;
        j["arch"] = m.arch;
        j["dataset"] = m.dataset;
        j["in_channels"] = m.in_channels;
        j["image_size"] = m.image_size;
        j["classes"] = m.num_classes();
        j["class_names"] = m.class_names;
        j["input_scale"] = m.input_scale;
        j["mean"] = m.mean;
        j["std"] = m.std;
        j["ops"] = ops;
        j["head"] = {{"C", m.head.C}, {"classes", m.head.classes}};
        j["macs"] = {{"direct", macs.direct}, {"actual", macs.actual}, {"reduction", macs.reduction()}};
        j["info"] = m.info;
        std::cout << j.dump(2) << "\n";
        return 0;
    }

    print_untrained_line(m);
    std::cout << "model:    " << m.name << " (" << o.model << ", " << kModelFormatName << " v" << m.version << ")\n"
              << "trained:  " << (m.trained ? "yes" : "no (untrained: random weights)") << "\n"
              << "arch:     " << m.arch << ", data set " << m.dataset << ", " << m.num_classes() << " classes\n"
              << "input:    " << m.in_channels << "x" << m.image_size << "x" << m.image_size
              << " 8-bit pixels, int8 scale " << m.input_scale << "\n";
    const std::vector<std::string> header = {"op",     "kind",        "variant",     "in",       "out",
                                             "kernel", "MACs direct", "MACs as run", "reduction"};
    std::vector<size_t> width(header.size());
    auto cells = [](const Row& r) {
        return std::vector<std::string>{r.name,   r.kind,   r.variant, r.in,       r.out,
                                        r.kernel, r.direct, r.actual,  r.reduction};
    };
    for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (const Row& r : rows) {
        const auto v = cells(r);
        for (size_t c = 0; c < v.size(); ++c) width[c] = std::max(width[c], v[c].size());
    }
    auto print = [&](const std::vector<std::string>& v) {
        std::cout << " ";
        for (size_t c = 0; c < v.size(); ++c)
            std::cout << " " << (c >= 6 ? pad_left(v[c], width[c]) : pad_right(v[c], width[c]));
        std::cout << "\n";
    };
    std::cout << "\n";
    print(header);
    for (const Row& r : rows) print(cells(r));
    std::cout << "\nMACs per image: " << with_thousands(macs.direct) << " as direct convolutions, "
              << with_thousands(macs.actual) << " as run: reduction " << fixed(macs.reduction(), 3) << "x\n";
    if (!m.info.empty()) {
        std::cout << "\nprovenance:\n";
        for (const auto& [k, v] : m.info) std::cout << "  " << k << ": " << v << "\n";
    }
    return 0;
}

}  // namespace

Command add_info_command(CLI::App& root) {
    auto o = std::make_shared<InfoOptions>();
    CLI::App* app =
        root.add_subcommand("info", "Model facts, every layer's variant and MACs, the Winograd MAC reduction");
    app->add_option("--model,-m", o->model, "Model file (winoq-int8-model)")->required();
    app->add_flag("--json", o->json, "Print one JSON document instead of text");
    return {app, [o] { return run_info(*o); }};
}

}  // namespace winoq::cli
