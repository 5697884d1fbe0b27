// The deployable model file (model.h, docs/model-format.md): exact round trips, MAC counts
// against docs/method.md's table, input quantization, and rejection of every malformed file with
// a std::runtime_error (never another exception, never a crash).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "winoq/model/random_model.h"
#include "winoq/model/model.h"
#include "winoq/io/safetensors.h"

namespace winoq {
namespace {

using nlohmann::json;

// --- Field-by-field equality ---

void expect_stage_eq(const OutputStage& a, const OutputStage& b) {
    EXPECT_EQ(a.bias, b.bias);
    EXPECT_EQ(a.mult, b.mult);
    EXPECT_EQ(a.res_mult, b.res_mult);
    EXPECT_EQ(a.shift, b.shift);
    EXPECT_EQ(a.relu, b.relu);
    EXPECT_EQ(a.residual, b.residual);
}

void expect_shape_eq(const ConvShape& a, const ConvShape& b) {
    EXPECT_EQ(a.N, b.N);
    EXPECT_EQ(a.C, b.C);
    EXPECT_EQ(a.H, b.H);
    EXPECT_EQ(a.W, b.W);
    EXPECT_EQ(a.K, b.K);
    EXPECT_EQ(a.kernel, b.kernel);
    EXPECT_EQ(a.stride, b.stride);
    EXPECT_EQ(a.pad, b.pad);
}

void expect_pool_eq(const PoolWindow& a, const PoolWindow& b) {
    EXPECT_EQ(a.kernel_h, b.kernel_h);
    EXPECT_EQ(a.kernel_w, b.kernel_w);
    EXPECT_EQ(a.stride_h, b.stride_h);
    EXPECT_EQ(a.stride_w, b.stride_w);
    EXPECT_EQ(a.pad_top, b.pad_top);
    EXPECT_EQ(a.pad_left, b.pad_left);
    EXPECT_EQ(a.pad_bottom, b.pad_bottom);
    EXPECT_EQ(a.pad_right, b.pad_right);
    EXPECT_EQ(a.ceil_mode, b.ceil_mode);
}

void expect_model_eq(const Model& a, const Model& b) {
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.arch, b.arch);
    EXPECT_EQ(a.dataset, b.dataset);
    EXPECT_EQ(a.trained, b.trained);
    EXPECT_EQ(a.in_channels, b.in_channels);
    EXPECT_EQ(a.image_size, b.image_size);
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.std, b.std);
    EXPECT_EQ(a.input_scale, b.input_scale);  // exact: doubles must round-trip
    EXPECT_EQ(a.input_lut, b.input_lut);
    EXPECT_EQ(a.class_names, b.class_names);
    EXPECT_EQ(a.info, b.info);
    EXPECT_EQ(a.head.C, b.head.C);
    EXPECT_EQ(a.head.classes, b.head.classes);
    EXPECT_EQ(a.head.weight, b.head.weight);
    EXPECT_EQ(a.head.bias, b.head.bias);
    EXPECT_EQ(a.head.logit_scale, b.head.logit_scale);
    ASSERT_EQ(a.ops.size(), b.ops.size());
    for (size_t i = 0; i < a.ops.size(); ++i) {
        const ModelOp &x = a.ops[i], &y = b.ops[i];
        SCOPED_TRACE(x.name);
        EXPECT_EQ(x.kind, y.kind);
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.input, y.input);
        EXPECT_EQ(x.residual, y.residual);
        EXPECT_EQ(x.impl, y.impl);
        EXPECT_EQ(x.out_c, y.out_c);
        EXPECT_EQ(x.out_h, y.out_h);
        EXPECT_EQ(x.out_w, y.out_w);
        EXPECT_EQ(x.out_scale, y.out_scale);
        EXPECT_EQ(x.clipping, y.clipping);
        if (x.kind == OpKind::kMaxPool) expect_pool_eq(x.pool, y.pool);
        if (x.kind == OpKind::kClamp) {
            EXPECT_EQ(x.clamp_lo, y.clamp_lo);
            EXPECT_EQ(x.clamp_hi, y.clamp_hi);
        }
        if (x.kind != OpKind::kConv) continue;
        if (x.impl == ConvImpl::kFloat) {
            expect_shape_eq(x.float_conv.shape, y.float_conv.shape);
            EXPECT_EQ(x.float_conv.weights, y.float_conv.weights);
            EXPECT_EQ(x.float_conv.bias, y.float_conv.bias);
            EXPECT_EQ(x.float_conv.x_scale, y.float_conv.x_scale);
            EXPECT_EQ(x.float_conv.res_scale, y.float_conv.res_scale);
            EXPECT_EQ(x.float_conv.relu, y.float_conv.relu);
        } else if (x.impl == ConvImpl::kDirect) {
            expect_shape_eq(x.direct.shape, y.direct.shape);
            EXPECT_EQ(x.direct.weights, y.direct.weights);
            expect_stage_eq(x.direct.out, y.direct.out);
        } else {
            expect_shape_eq(x.winograd.shape, y.winograd.shape);
            EXPECT_EQ(x.winograd.variant, y.winograd.variant);
            EXPECT_EQ(x.winograd.weights, y.winograd.weights);
            EXPECT_EQ(x.winograd.in_mult, y.winograd.in_mult);
            EXPECT_EQ(x.winograd.in_shift, y.winograd.in_shift);
            EXPECT_EQ(x.winograd.m_mult, y.winograd.m_mult);
            EXPECT_EQ(x.winograd.m_shift, y.winograd.m_shift);
            EXPECT_EQ(x.winograd.m_lshift, y.winograd.m_lshift);
            expect_stage_eq(x.winograd.out, y.winograd.out);
        }
    }
}

const Model& resnet20_cf43() {
    static const Model m = make_random_model("resnet20", "cf43", 32, 3, 7);
    return m;
}

TEST(ModelRoundTrip, EveryVariantEveryField) {
    for (const char* v : {"direct", "f23", "f43", "cf43", "cf43m4"}) {
        SCOPED_TRACE(v);
        const Model m = make_random_model("resnet20", v, 32, 3, 11);
        expect_model_eq(parse_model(serialize_model(m)), m);
    }
}

TEST(ModelRoundTrip, ResNet18WithFloatStemMaxPoolAndDownsample) {
    Model m = make_random_model("resnet18", "f23", 32, 3, 5);
    m.input_scale = 1.0 / 3.0;  // no short decimal form: must still round-trip exactly
    m.input_lut = make_input_lut(m.mean, m.std, m.input_scale);
    m.ops[0].float_conv.x_scale = m.input_scale;
    m.info["note"] = "quotes \" and unicode \xc3\xa9";
    expect_model_eq(parse_model(serialize_model(m)), m);
}

TEST(ModelRoundTrip, OneChannelFashionMnistShape) {
    const Model m = make_random_model("resnet20", "cf43m4", 28, 1, 3);
    expect_model_eq(parse_model(serialize_model(m)), m);
}

// Format version 2: max pools of non-default windows and clamp ops (the "graph" test model).
TEST(ModelRoundTrip, GraphWithPoolWindowsAndClamps) {
    for (const char* v : {"direct", "cf43"}) {
        SCOPED_TRACE(v);
        const Model m = make_random_model("graph", v, 13, 3, 4);
        EXPECT_EQ(m.arch, "graph");
        const Model back = parse_model(serialize_model(m));
        expect_model_eq(back, m);
        EXPECT_EQ(back.version, 2);
        // The windows are really non-default and really stored (not defaults on both sides).
        EXPECT_EQ(back.op("pool1").pool.kernel_h, 2);
        EXPECT_EQ(back.op("pool1").pool.pad_top, 0);
        EXPECT_TRUE(back.op("pool2").pool.ceil_mode);
        EXPECT_EQ(back.op("pool2").pool.stride_w, 1);
        EXPECT_EQ(back.op("pool3").pool.kernel_w, 2);
        EXPECT_EQ(back.op("pool3").pool.pad_right, 1);
        EXPECT_EQ(back.op("relu1").clamp_lo, 0);
        EXPECT_EQ(back.op("relu1").clamp_hi, 127);
        EXPECT_EQ(back.op("clip2").clamp_lo, -32);  // -1 / (4 / 127)
        EXPECT_EQ(back.op("clip2").clamp_hi, 64);   // 2 / (4 / 127)
    }
    const json pool = json::parse(SafetensorsFile::parse(serialize_model(make_random_model("graph", "f23", 8, 3, 1)))
                                      .metadata()
                                      .at("graph"))["ops"][6]["pool"];
    EXPECT_EQ(pool, json::parse(R"({"kernel": [3, 2], "stride": [2, 1], "pads": [1, 0, 1, 1], "ceil_mode": true})"));
}

TEST(ModelRoundTrip, SaveAndLoadFile) {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("winoq_model_io_" + std::to_string(::getpid()) + ".winoq")).string();
    save_model(path, resnet20_cf43());
    expect_model_eq(load_model(path), resnet20_cf43());
    // Saving is atomic: no temporary file is left next to it.
    int others = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
        if (e.path().string().rfind(path + ".tmp", 0) == 0) ++others;
    EXPECT_EQ(others, 0);
    std::remove(path.c_str());
}

TEST(ModelRoundTrip, MissingFileIsRuntimeError) {
    EXPECT_THROW(load_model("/nonexistent/dir/model.winoq"), std::runtime_error);
}

TEST(ModelRoundTrip, DirectoryIsAClearError) {
    const std::string dir = std::filesystem::temp_directory_path().string();
    try {
        load_model(dir);
        FAIL() << "a directory loaded as a model";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(dir + ": is a directory, not a model file"), std::string::npos)
            << e.what();
    }
}

// --- MACs: docs/method.md section 3, table "Counting multiplications" ---

TEST(ModelMacs, ResNet20MatchesMethodTable) {
    const struct {
        const char* variant;
        double reduction;
    } rows[] = {{"cf43", 2.785}, {"cf43m4", 2.356}, {"f23", 2.097}, {"f43", 3.405}};
    for (const auto& r : rows) {
        SCOPED_TRACE(r.variant);
        const ModelMacs macs = count_macs(make_random_model("resnet20", r.variant, 32, 3, 1));
        EXPECT_EQ(macs.direct, 40551040);
        EXPECT_NEAR(macs.reduction(), r.reduction, 0.0005);
    }
    const ModelMacs direct = count_macs(make_random_model("resnet20", "direct", 32, 3, 1));
    EXPECT_EQ(direct.actual, direct.direct);
}

TEST(ModelMacs, ResNet18At224MatchesMethodTable) {
    const struct {
        const char* variant;
        double reduction;
    } rows[] = {{"cf43", 2.112}, {"cf43m4", 1.854}, {"f23", 1.768}, {"f43", 2.451}};
    for (const auto& r : rows) {
        SCOPED_TRACE(r.variant);
        Model m = make_random_model("resnet18", r.variant, 224, 3, 1);
        m.head.classes = 1000;  // ImageNet's classifier (MACs only; the model is not run)
        const ModelMacs macs = count_macs(m);
        EXPECT_EQ(macs.direct, 1814073344);
        EXPECT_NEAR(macs.reduction(), r.reduction, 0.0005);
        // The float 7x7 stem and the stride-2 / 1x1 convs count the same in both columns.
        for (const OpMacs& o : macs.ops)
            if (o.variant == "float" || o.variant == "direct" || o.name == "head")
                EXPECT_EQ(o.direct, o.actual) << o.name;
    }
}

TEST(ModelMacs, WinogradCountsWholeTiles) {
    // 7x7 map, 4x4 tiles: 2x2 tiles of 46 products per (c, k); 9 per output pixel direct.
    const ConvShape s{1, 8, 7, 7, 16, 3, 1, 1};
    EXPECT_EQ(conv_macs(Variant::kCF43, s), 4 * 46 * 8 * 16);
    EXPECT_EQ(conv_macs(Variant::kF23, s), 16 * 16 * 8 * 16);  // 4x4 tiles of 2x2 outputs
    EXPECT_EQ(conv_macs(Variant::kDirect, s), 49 * 9 * 8 * 16);
    const ConvShape down{1, 8, 7, 7, 16, 1, 2, 0};
    EXPECT_EQ(conv_macs(Variant::kDirect, down), 16 * 8 * 4 * 4);
}

// --- Max-pool output sizes: PyTorch's rule (values from torch.nn.functional.max_pool2d) ---

PoolWindow window(int k, int s, int pad, bool ceil) {
    PoolWindow p;
    p.kernel_h = p.kernel_w = k;
    p.stride_h = p.stride_w = s;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.ceil_mode = ceil;
    return p;
}

TEST(PoolWindow, OutputSizeIsPyTorchs) {
    EXPECT_EQ(PoolWindow{}.out_h(112), 56);  // ResNet-18's pool
    EXPECT_EQ(PoolWindow{}.out_w(7), 4);
    EXPECT_EQ(window(2, 2, 0, false).out_h(13), 6);
    EXPECT_EQ(window(2, 2, 0, true).out_h(13), 7);
    EXPECT_EQ(window(3, 2, 0, false).out_h(4), 1);
    EXPECT_EQ(window(3, 2, 0, true).out_h(4), 2);
    EXPECT_EQ(window(3, 2, 1, false).out_h(6), 3);
    EXPECT_EQ(window(3, 2, 1, true).out_h(6), 4);
    // ceil_mode's last window would start in the bottom padding: dropped (5 -> 3, not 4).
    EXPECT_EQ(window(2, 2, 1, true).out_h(5), 3);
    EXPECT_EQ(window(3, 1, 1, true).out_h(2), 2);
    EXPECT_EQ(window(3, 3, 0, true).out_h(147), 49);
    // Too small an input: no output (floor division of a negative span).
    EXPECT_EQ(window(3, 2, 0, false).out_h(2), 0);
    EXPECT_EQ(window(3, 2, 0, true).out_h(2), 1);
    EXPECT_EQ(window(3, 2, 0, false).out_h(1), 0);
    // Asymmetric: rows use top / bottom, columns left / right.
    PoolWindow a = window(3, 2, 0, true);
    a.kernel_w = 2;
    a.stride_w = 1;
    a.pad_top = a.pad_bottom = a.pad_right = 1;
    EXPECT_EQ(a.out_h(4), 3);
    EXPECT_EQ(a.out_w(4), 4);
}

// --- Input quantization: the float32 order and round half to even ---

TEST(InputQuantization, RoundsHalfToEvenAfterFloatNormalisation) {
    // 255/255 = 1 exactly; (1 - 0.375) / 1 = 0.625 = 2.5 * 0.25: a tie, to even 2 (not 3).
    EXPECT_EQ(quantize_pixel(255, 0.375f, 1.0f, 0.25), 2);
    EXPECT_EQ(quantize_pixel(255, 0.125f, 1.0f, 0.25), 4);  // 3.5 -> 4
    EXPECT_EQ(quantize_pixel(0, 0.625f, 1.0f, 0.25), -2);   // -2.5 -> -2
    EXPECT_EQ(quantize_pixel(0, 0.5f, 0.01f, 0.1), -127);   // saturates
    EXPECT_EQ(quantize_pixel(255, 0.0f, 0.01f, 0.1), 127);
    // The normalisation is computed in float, each step rounded: p / 255f, - mean, / std.
    const float mean = 0.4914f, sd = 0.2470f;
    const double scale = 2.5 / 127;
    for (int p = 0; p < 256; ++p) {
        const float x = (float(p) / 255.0f - mean) / sd;
        const double q = std::max(-127.0, std::min(127.0, std::nearbyint(double(x) / scale)));
        ASSERT_EQ(quantize_pixel(uint8_t(p), mean, sd, scale), int(q)) << p;
    }
    const std::vector<int8_t> lut = make_input_lut({0.1f, 0.9f}, {0.3f, 0.2f}, 0.02);
    ASSERT_EQ(lut.size(), 512u);
    for (int p = 0; p < 256; ++p) {
        EXPECT_EQ(lut[p], quantize_pixel(uint8_t(p), 0.1f, 0.3f, 0.02));
        EXPECT_EQ(lut[256 + p], quantize_pixel(uint8_t(p), 0.9f, 0.2f, 0.02));
    }
}

// --- Bad files ---

// Only std::runtime_error, naming the file; anything else (or no throw) fails.
void expect_rejected(std::vector<uint8_t> bytes, const std::string& needle = "") {
    try {
        parse_model(std::move(bytes), "bad.winoq");
        ADD_FAILURE() << "accepted a bad file (expected: " << needle << ")";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("bad.winoq"), std::string::npos) << msg;
        if (!needle.empty()) EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
    } catch (...) {
        ADD_FAILURE() << "non-standard exception";
    }
}

// The file's raw parts, to edit and re-serialize without going through model_io.
struct RawFile {
    std::map<std::string, TensorToWrite> tensors;
    std::map<std::string, std::string> meta;
    json graph() const { return json::parse(meta.at("graph")); }
    void set_graph(const json& g) { meta["graph"] = g.dump(); }
    std::vector<uint8_t> bytes() const { return serialize_safetensors(tensors, meta); }
};

RawFile raw(const Model& m) {
    const SafetensorsFile f = SafetensorsFile::parse(serialize_model(m));
    RawFile r;
    r.meta = f.metadata();
    for (const std::string& n : f.names()) {
        const TensorInfo& t = f.info(n);
        if (t.dtype == TensorDType::kF32)
            r.tensors[n] = tensor_f32(t.shape, f.f32(n));
        else if (t.dtype == TensorDType::kI8)
            r.tensors[n] = tensor_i8(t.shape, f.i8(n));
        else
            r.tensors[n] = tensor_i32(t.shape, f.i32(n));
    }
    return r;
}

json& op_named(json& g, const std::string& name) {
    for (json& op : g["ops"])
        if (op["name"] == name) return op;
    throw std::logic_error("no op " + name);
}

TEST(ModelRejects, UneditedRawFileLoads) {
    // The editing helper itself is faithful, so each rejection below is due to its edit.
    expect_model_eq(parse_model(raw(resnet20_cf43()).bytes()), resnet20_cf43());
}

TEST(ModelRejects, TruncatedAnywhere) {
    const std::vector<uint8_t> good = serialize_model(resnet20_cf43());
    std::vector<size_t> cuts = {0, 1, 7, 8, 9, 100, 1000};
    const size_t n = good.size();
    for (size_t k = 1; k < 64; ++k) cuts.push_back(n * k / 64);
    cuts.push_back(n - 1);
    for (size_t cut : cuts) {
        SCOPED_TRACE(cut);
        expect_rejected(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
    }
    std::vector<uint8_t> longer = good;
    longer.push_back(0);  // trailing bytes no tensor owns are tolerated by safetensors; must not crash
    try {
        parse_model(longer, "bad.winoq");
    } catch (const std::runtime_error&) {
    }
}

TEST(ModelRejects, FlippedBytes) {
    const std::vector<uint8_t> good = serialize_model(resnet20_cf43());
    uint64_t header = 0;
    for (int i = 7; i >= 0; --i) header = (header << 8) | good[i];
    // Any flip in the length or the JSON header is an error; a flip in the data may give a
    // valid (different) model, but never anything but success or std::runtime_error.
    for (size_t pos = 0; pos < 8 + header; pos += 1 + pos / 16) {
        SCOPED_TRACE(pos);
        std::vector<uint8_t> b = good;
        b[pos] ^= 0xFF;
        expect_rejected(b);
    }
    for (size_t pos = 8 + header; pos < good.size(); pos += 997) {
        std::vector<uint8_t> b = good;
        b[pos] ^= 0xFF;
        try {
            parse_model(b, "bad.winoq");
        } catch (const std::runtime_error&) {
        } catch (...) {
            ADD_FAILURE() << "flip at " << pos << ": wrong exception type";
        }
    }
}

TEST(ModelRejects, HugeHeaderLength) {
    for (uint64_t len : {uint64_t(1) << 62, ~uint64_t(0), uint64_t(200) * 1000 * 1000}) {
        std::vector<uint8_t> b = serialize_model(resnet20_cf43());
        for (int i = 0; i < 8; ++i) b[i] = uint8_t(len >> (8 * i));
        expect_rejected(b);
    }
}

TEST(ModelRejects, FormatAndVersion) {
    RawFile r = raw(resnet20_cf43());
    r.meta["format"] = "some-other-model";
    expect_rejected(r.bytes(), "format");
    r = raw(resnet20_cf43());
    r.meta["version"] = "3";
    expect_rejected(r.bytes(), "written by a newer winoq, version 3; this build reads 2");
    for (const char* v : {"0", "", "1.0", "x", "99999999999999999999"}) {
        r.meta["version"] = v;
        expect_rejected(r.bytes(), "version");
    }
    for (const char* key : {"format", "version", "model", "graph"}) {
        r = raw(resnet20_cf43());
        r.meta.erase(key);
        expect_rejected(r.bytes(), key);
    }
    r = raw(resnet20_cf43());
    r.meta["model"] = "{not json";
    expect_rejected(r.bytes(), "model");
    r = raw(resnet20_cf43());
    r.meta["graph"] = "[]";
    expect_rejected(r.bytes(), "graph");
}

// A version-1 file (no "pool" key, no clamp op) loads as before: every maxpool the default
// window; in memory it is a version-2 model.
TEST(ModelVersion1, LoadsWithTheDefaultWindow) {
    for (const char* arch : {"stem", "block", "resnet18"}) {
        SCOPED_TRACE(arch);
        const Model m = make_random_model(arch, "f23", arch[0] == 'r' ? 32 : 8, 3, 2);
        RawFile r = raw(m);
        r.meta["version"] = "1";
        json g = r.graph();
        int pools = 0;
        for (json& op : g["ops"])
            if (op["kind"] == "maxpool") pools += int(op.erase("pool"));
        EXPECT_EQ(pools, 1);
        r.set_graph(g);
        const Model back = parse_model(r.bytes(), "v1.winoq");
        EXPECT_EQ(back.version, kModelFormatVersion);
        expect_model_eq(back, m);  // m's maxpool has the default window
    }
    // A version-1 file has no clamp op.
    RawFile r = raw(make_random_model("graph", "direct", 8, 3, 1));
    r.meta["version"] = "1";
    expect_rejected(r.bytes(), "op kind 'clamp' needs format version 2");
    // The in-memory form is version 2 only.
    Model m = resnet20_cf43();
    for (int v : {1, 3, 0}) {
        m.version = v;
        EXPECT_THROW(validate_model(m), std::runtime_error) << v;
    }
}

// A rejection of an edited graph entry of the "graph" model (8x8: pool3's input is 6x4x4).
void expect_graph_edit_rejected(const std::function<void(json& g)>& edit, const std::string& needle) {
    RawFile r = raw(make_random_model("graph", "cf43", 8, 3, 1));
    json g = r.graph();
    edit(g);
    r.set_graph(g);
    expect_rejected(r.bytes(), needle);
}

TEST(ModelRejects, BadPoolWindow) {
    auto pool = [](json& g) -> json& { return op_named(g, "pool3")["pool"]; };
    expect_graph_edit_rejected([&](json& g) { pool(g)["kernel"] = {0, 2}; }, "pool.kernel[0] = 0 outside [1, 64]");
    expect_graph_edit_rejected([&](json& g) { pool(g)["kernel"] = {3, 65}; }, "pool.kernel[1] = 65 outside [1, 64]");
    expect_graph_edit_rejected([&](json& g) { pool(g)["stride"] = {2, 0}; }, "pool.stride[1] = 0");
    expect_graph_edit_rejected([&](json& g) { pool(g)["pads"] = {1, 0, -1, 1}; }, "pool.pads[2] = -1");
    expect_graph_edit_rejected([&](json& g) { pool(g)["kernel"] = 3; }, "pool.kernel is not an array of 2 integers");
    expect_graph_edit_rejected([&](json& g) { pool(g)["pads"] = {1, 1}; }, "pool.pads is not an array of 4 integers");
    expect_graph_edit_rejected([&](json& g) { pool(g).erase("ceil_mode"); }, "has no \"ceil_mode\"");
    expect_graph_edit_rejected([&](json& g) { op_named(g, "pool3")["pool"] = "3x3"; }, "pool is not a JSON object");
    // pads within [0, kernel / 2] of their axis: the 2-wide kernel takes at most 1 left / right.
    expect_graph_edit_rejected(
        [&](json& g) {
            pool(g)["pads"] = {1, 2, 1, 1};
        },
        "op 'pool3' (maxpool): pool padding must be in [0, kernel / 2] of its axis");
    expect_graph_edit_rejected([&](json& g) { pool(g)["pads"] = {2, 0, 1, 1}; }, "pool padding");
    // An output that is not the window's (pool3 of 6x4x4 is 6x3x4), or none at all.
    expect_graph_edit_rejected([&](json& g) { op_named(g, "pool3")["out_h"] = 2; },
                               "declared output 6x2x4 is not the pool (kernel 3x2, stride 2x1, pads 1,0,1,1, "
                               "ceil_mode) of its input: 6x3x4");
    expect_graph_edit_rejected([&](json& g) { pool(g)["ceil_mode"] = false; }, "is not the pool");
    expect_graph_edit_rejected(
        [&](json& g) {
            pool(g)["kernel"] = {9, 2};
            pool(g)["pads"] = {0, 0, 0, 0};
        },
        "leaves no output of its 4x4 input");
    // In memory, the same checks.
    Model m = make_random_model("graph", "direct", 8, 3, 1);
    for (ModelOp& op : m.ops)
        if (op.name == "pool1") op.pool.stride_h = 65;
    EXPECT_THROW(validate_model(m), std::runtime_error);
}

TEST(ModelRejects, BadClamp) {
    expect_graph_edit_rejected(
        [](json& g) {
            op_named(g, "clip2")["lo"] = 10;
            op_named(g, "clip2")["hi"] = 5;
        },
        "op 'clip2' (clamp): clamp bounds lo = 10, hi = 5 must satisfy -127 <= lo <= hi <= 127");
    expect_graph_edit_rejected([](json& g) { op_named(g, "clip2")["lo"] = -128; }, "lo = -128 outside [-127, 127]");
    expect_graph_edit_rejected([](json& g) { op_named(g, "clip2")["hi"] = 128; }, "hi = 128 outside [-127, 127]");
    expect_graph_edit_rejected([](json& g) { op_named(g, "clip2").erase("hi"); }, "has no \"hi\"");
    expect_graph_edit_rejected([](json& g) { op_named(g, "clip2")["lo"] = 0.5; }, "lo is not an integer");
    expect_graph_edit_rejected([](json& g) { op_named(g, "relu1")["out_w"] = 7; },
                               "declared output 4x8x7 differs from its input's shape 4x8x8");
    expect_graph_edit_rejected([](json& g) { op_named(g, "relu1")["out_scale"] = 0.5; }, "out_scale must equal");
    // In memory, the same check.
    Model m = make_random_model("graph", "direct", 8, 3, 1);
    for (ModelOp& op : m.ops)
        if (op.name == "relu1") op.clamp_lo = -128;
    EXPECT_THROW(validate_model(m), std::runtime_error);
}

TEST(ModelRejects, MissingExtraWrongDtypeWrongShapeTensors) {
    RawFile r = raw(resnet20_cf43());
    r.tensors.erase("layer1.0.conv1.m_mult");
    expect_rejected(r.bytes(), "missing tensor 'layer1.0.conv1.m_mult'");
    r = raw(resnet20_cf43());
    r.tensors.erase("input.lut");
    expect_rejected(r.bytes(), "input.lut");
    r = raw(resnet20_cf43());
    r.tensors["layer1.0.conv1.extra"] = tensor_i32({1}, {0});
    expect_rejected(r.bytes(), "unexpected tensor 'layer1.0.conv1.extra'");
    r = raw(resnet20_cf43());
    r.tensors["head.bias"] = tensor_f32({10}, std::vector<float>(10, 0.f));
    expect_rejected(r.bytes(), "head.bias");
    r = raw(resnet20_cf43());
    const std::vector<int32_t> k16(16, 1);
    r.tensors["conv1.out.shift"] = tensor_i32({4, 4}, k16);  // right count, wrong shape
    expect_rejected(r.bytes(), "conv1.out.shift");
    r = raw(resnet20_cf43());
    r.tensors["conv1.out.shift"] = tensor_i32({15}, std::vector<int32_t>(15, 1));
    expect_rejected(r.bytes(), "conv1.out.shift");
}

TEST(ModelRejects, GraphReferences) {
    RawFile r = raw(resnet20_cf43());
    json g = r.graph();
    op_named(g, "layer1.0.conv1")["input"] = "no_such_op";
    r.set_graph(g);
    expect_rejected(r.bytes(), "layer1.0.conv1");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer1.0.conv1")["input"] = "layer1.0.conv2";  // a later op
    r.set_graph(g);
    expect_rejected(r.bytes(), "earlier");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer1.1.conv2")["residual"] = "layer1.2.conv2";
    r.set_graph(g);
    expect_rejected(r.bytes(), "layer1.1.conv2");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer2.0.conv2")["residual"] = "conv1";  // 16x32x32 into a 32x16x16 output
    r.set_graph(g);
    expect_rejected(r.bytes(), "residual");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer1.0.conv2")["residual"] = "";  // output stage still expects one
    r.set_graph(g);
    expect_rejected(r.bytes(), "layer1.0.conv2");
    g = raw(resnet20_cf43()).graph();
    g["ops"][1]["name"] = "conv1";  // duplicate
    r.set_graph(g);
    expect_rejected(r.bytes(), "conv1");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer1.0.conv1")["kind"] = "deconv";
    r.set_graph(g);
    expect_rejected(r.bytes(), "deconv");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer1.0.conv1")["variant"] = "f63";
    r.set_graph(g);
    expect_rejected(r.bytes(), "f63");
}

TEST(ModelRejects, ParamsInconsistentWithGraphShapes) {
    RawFile r = raw(resnet20_cf43());
    json g = r.graph();
    op_named(g, "layer1.0.conv1")["shape"]["H"] = 16;  // its input is 32x32
    r.set_graph(g);
    expect_rejected(r.bytes(), "layer1.0.conv1");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer3.2.conv1")["out_h"] = 9;  // no residual: the declared-output check
    r.set_graph(g);
    expect_rejected(r.bytes(), "declared output 64x9x8");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer2.0.shortcut")["out_c"] = 31;  // odd zero padding
    r.set_graph(g);
    expect_rejected(r.bytes(), "layer2.0.shortcut");
    g = raw(resnet20_cf43()).graph();
    op_named(g, "layer1.0.conv1")["shape"]["stride"] = 2;  // Winograd needs stride 1
    r.set_graph(g);
    expect_rejected(r.bytes(), "layer1.0.conv1");
    g = raw(resnet20_cf43()).graph();
    g["head"]["C"] = 32;
    r.set_graph(g);
    expect_rejected(r.bytes(), "head");
    // Integer parameters out of range: shifts outside [1, 62], m_lshift outside [0, 12].
    r = raw(resnet20_cf43());
    r.tensors["conv1.out.shift"] = tensor_i32({16}, std::vector<int32_t>(16, 0));
    expect_rejected(r.bytes(), "conv1");
    r = raw(resnet20_cf43());
    const int O = int(r.tensors.at("conv1.m_lshift").shape[0]);
    r.tensors["conv1.m_lshift"] = tensor_i32({O}, std::vector<int32_t>(O, 13));
    expect_rejected(r.bytes(), "m_lshift");
}

TEST(ModelRejects, HugeDeclaredSizesDoNotAllocate) {
    RawFile r = raw(resnet20_cf43());
    json g = r.graph();
    json& op = op_named(g, "conv1");
    op["shape"]["K"] = 4096;
    op["shape"]["C"] = 4096;
    op["out_c"] = 4096;
    r.set_graph(g);
    expect_rejected(r.bytes(), "conv1");
    for (const char* key : {"K", "C", "H", "kernel"}) {
        g = raw(resnet20_cf43()).graph();
        op_named(g, "conv1")["shape"][key] = int64_t(1) << 40;
        r.set_graph(g);
        expect_rejected(r.bytes(), key);
        op_named(g, "conv1")["shape"][key] = -3;
        r.set_graph(g);
        expect_rejected(r.bytes(), key);
    }
    r = raw(resnet20_cf43());
    json mj = json::parse(r.meta["model"]);
    mj["image_size"] = 1 << 30;
    r.meta["model"] = mj.dump();
    expect_rejected(r.bytes(), "image_size");
    r = raw(resnet20_cf43());
    g = r.graph();
    g["head"]["classes"] = 2000000000;
    r.set_graph(g);
    expect_rejected(r.bytes(), "classes");
}

TEST(ModelRejects, BadModelFacts) {
    RawFile r = raw(resnet20_cf43());
    json mj = json::parse(r.meta["model"]);
    mj["std"] = {0.25, 0.0, 0.25};
    r.meta["model"] = mj.dump();
    expect_rejected(r.bytes(), "std");
    mj = json::parse(raw(resnet20_cf43()).meta["model"]);
    mj["input_scale"] = -1.0;
    r.meta["model"] = mj.dump();
    expect_rejected(r.bytes(), "input_scale");
    mj = json::parse(raw(resnet20_cf43()).meta["model"]);
    mj["class_names"] = {"a", "b"};  // head has 10
    r.meta["model"] = mj.dump();
    expect_rejected(r.bytes(), "class");
    mj = json::parse(raw(resnet20_cf43()).meta["model"]);
    mj.erase("mean");
    r.meta["model"] = mj.dump();
    expect_rejected(r.bytes(), "mean");
}

TEST(ValidateModel, NamesTheOp) {
    Model m = resnet20_cf43();
    m.ops[3].winograd.m_shift[0] = 63;
    try {
        validate_model(m);
        FAIL() << "accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(m.ops[3].name), std::string::npos) << e.what();
    }
    EXPECT_THROW(serialize_model(m), std::runtime_error);  // never writes a file that would not load
    EXPECT_NO_THROW(validate_model(resnet20_cf43()));
}

}  // namespace
}  // namespace winoq
