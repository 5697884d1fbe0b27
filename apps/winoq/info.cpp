// winoq info: what a model file holds: its facts, every op with its variant, shapes and
// multiply-accumulates (winoq::count_macs: as a direct convolution and as the model runs it),
// and the total MAC reduction of the Winograd layers.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "cli_common.h"
#include "winoq/kernels/tuned_schedules.h"

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

// One op as info reports it; the conv fields are set for convs only.
struct OpInfo {
    std::string name, kind, input;
    Dims in, out;
    double out_scale = 1.0;
    bool conv = false;
    std::string variant, residual;
    std::string schedule;  // int8 convs: what the kernels run it with ("hand", "tuned (...)")
    int kernel = 0, stride = 0;
    std::optional<OpMacs> macs;      // absent when count_macs does not list the conv
    std::optional<PoolWindow> pool;  // maxpool only
    std::optional<int> lo, hi;       // clamp only
};

// A pool window as the kernel column shows it: "3x3/2", "3x2/2x1 pad 1,0,1,1 ceil".
std::string window_text(const PoolWindow& p) {
    std::string t = std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + "/" + std::to_string(p.stride_h);
    if (p.stride_w != p.stride_h) t += "x" + std::to_string(p.stride_w);
    if (p.pad_top || p.pad_left || p.pad_bottom || p.pad_right)
        t += " pad " + std::to_string(p.pad_top) + "," + std::to_string(p.pad_left) + "," +
             std::to_string(p.pad_bottom) + "," + std::to_string(p.pad_right);
    if (p.ceil_mode) t += " ceil";
    return t;
}

struct InfoReport {
    std::vector<OpInfo> ops;     // in execution order
    std::optional<OpMacs> head;  // the int8 head, when count_macs lists it
    ModelMacs macs;
};

InfoReport collect_info(const Model& m) {
    InfoReport r;
    r.macs = count_macs(m);
    std::map<std::string, OpMacs> op_macs;
    for (const OpMacs& x : r.macs.ops) op_macs[x.name] = x;

    std::map<std::string, Dims> dims = {{"input", {m.in_channels, m.image_size, m.image_size}}};
    for (const ModelOp& op : m.ops) {
        OpInfo i;
        i.name = op.name;
        i.kind = op_kind_name(op.kind);
        i.input = op.input;
        i.in = dims.at(op.input);
        i.out = {op.out_c, op.out_h, op.out_w};
        dims[op.name] = i.out;
        i.out_scale = op.out_scale;
        if (op.kind == OpKind::kConv) {
            const ConvShape& s = op.conv_shape();
            i.conv = true;
            i.variant = op.variant_label();
            i.residual = op.residual;
            i.kernel = s.kernel;
            i.stride = s.stride;
            if (const std::optional<Variant> v = op.int8_variant())
                i.schedule = kernels::planned_schedule(*v, s, !op.residual.empty());
            if (auto it = op_macs.find(op.name); it != op_macs.end()) i.macs = it->second;
        }
        if (op.kind == OpKind::kMaxPool) i.pool = op.pool;
        if (op.kind == OpKind::kClamp) {
            i.lo = op.clamp_lo;
            i.hi = op.clamp_hi;
        }
        r.ops.push_back(i);
    }
    if (auto it = op_macs.find("head"); it != op_macs.end()) r.head = it->second;
    return r;
}

nlohmann::json op_json(const OpInfo& i) {
    nlohmann::json j = {{"name", i.name},
                        {"kind", i.kind},
                        {"input", i.input},
                        {"in", {i.in.c, i.in.h, i.in.w}},
                        {"out", {i.out.c, i.out.h, i.out.w}},
                        {"out_scale", i.out_scale}};
    if (i.conv) {
        j["variant"] = i.variant;
        j["kernel"] = i.kernel;
        j["stride"] = i.stride;
        if (!i.residual.empty()) j["residual"] = i.residual;
        if (!i.schedule.empty()) j["schedule"] = i.schedule;
        if (i.macs) {
            j["macs_direct"] = i.macs->direct;
            j["macs"] = i.macs->actual;
        }
    }
    if (i.pool)  // as the model file writes it (docs/model-format.md)
        j["pool"] = {{"kernel", {i.pool->kernel_h, i.pool->kernel_w}},
                     {"stride", {i.pool->stride_h, i.pool->stride_w}},
                     {"pads", {i.pool->pad_top, i.pool->pad_left, i.pool->pad_bottom, i.pool->pad_right}},
                     {"ceil_mode", i.pool->ceil_mode}};
    if (i.lo) {
        j["lo"] = *i.lo;
        j["hi"] = *i.hi;
    }
    return j;
}

void print_info_json(const Model& m, const std::string& path, const InfoReport& r) {
    nlohmann::json ops = nlohmann::json::array();
    for (const OpInfo& i : r.ops) ops.push_back(op_json(i));
    nlohmann::json j;
    add_model_fields(j, m, path);
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
    j["macs"] = {{"direct", r.macs.direct}, {"actual", r.macs.actual}, {"reduction", r.macs.reduction()}};
    j["info"] = m.info;
    std::cout << j.dump(2) << "\n";
}

// The cells of one line of the text table, in header order.
std::vector<std::string> op_cells(const OpInfo& i) {
    std::string variant = "-", kernel, direct, actual, reduction;
    if (i.conv) {
        variant = i.variant + (i.residual.empty() ? "" : " +res");
        kernel = std::to_string(i.kernel) + "x" + std::to_string(i.kernel) + "/" + std::to_string(i.stride);
        if (i.macs) {
            direct = with_thousands(i.macs->direct);
            actual = with_thousands(i.macs->actual);
            reduction = fixed(double(i.macs->direct) / double(i.macs->actual), 3) + "x";
        }
    }
    if (i.pool) kernel = window_text(*i.pool);
    if (i.lo) variant = "[" + std::to_string(*i.lo) + ", " + std::to_string(*i.hi) + "]";
    return {i.name, i.kind, variant, dims_text(i.in), dims_text(i.out), kernel, direct, actual, reduction, i.schedule};
}

// Columns padded to their widest cell; the MAC columns right-aligned.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    const std::vector<std::string> header = {"op",     "kind",        "variant",     "in",        "out",
                                             "kernel", "MACs direct", "MACs as run", "reduction", "schedule"};
    std::vector<size_t> width(header.size());
    for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (const auto& v : rows)
        for (size_t c = 0; c < v.size(); ++c) width[c] = std::max(width[c], v[c].size());
    auto print = [&](const std::vector<std::string>& v) {
        std::cout << " ";
        for (size_t c = 0; c < v.size(); ++c)
            std::cout << " " << (c >= 6 && c <= 8 ? pad_left(v[c], width[c]) : pad_right(v[c], width[c]));
        std::cout << "\n";
    };
    print(header);
    for (const auto& v : rows) print(v);
}

void print_info_text(const Model& m, const std::string& path, const InfoReport& r) {
    print_untrained_line(m);
    std::cout << "model:    " << m.name << " (" << path << ", " << kModelFormatName << " v" << m.version << ")\n"
              << "trained:  " << (m.trained ? "yes" : "no (untrained: random weights)") << "\n"
              << "arch:     " << m.arch << ", data set " << m.dataset << ", " << m.num_classes() << " classes\n"
              << "input:    " << m.in_channels << "x" << m.image_size << "x" << m.image_size
              << " 8-bit pixels, int8 scale " << m.input_scale << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const OpInfo& i : r.ops) rows.push_back(op_cells(i));
    if (r.head)
        rows.push_back({"head", "linear", "int8", std::to_string(m.head.C), std::to_string(m.head.classes), "",
                        with_thousands(r.head->direct), with_thousands(r.head->actual), "", ""});
    std::cout << "\n";
    print_table(rows);
    std::cout << "\nMACs per image: " << with_thousands(r.macs.direct) << " as direct convolutions, "
              << with_thousands(r.macs.actual) << " as run: reduction " << fixed(r.macs.reduction(), 3) << "x\n";
    if (!m.info.empty()) {
        std::cout << "\nprovenance:\n";
        for (const auto& [k, v] : m.info) std::cout << "  " << k << ": " << v << "\n";
    }
}

int run_info(const InfoOptions& o) {
    const Model m = open_model(o.model);
    const InfoReport r = collect_info(m);
    if (o.json)
        print_info_json(m, o.model, r);
    else
        print_info_text(m, o.model, r);
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
