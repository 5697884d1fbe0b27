// ONNX import (trainer/graph): the models tests/trainer/onnx/make_onnx_models.py exports from
// PyTorch (the CTest fixture OnnxModels.Generate writes them) run in float as PyTorch ran them,
// survive a checkpoint round trip, count the MACs the trainer's own ResNet-18 counts, and the
// importer refuses what it cannot run with a message naming the node.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "trainer/graph/graph_macs.h"
#include "trainer/graph/graph_net.h"
#include "trainer/graph/onnx_import.h"
#include "trainer/models/macs.h"
#include "trainer/train/checkpoint.h"

namespace winoq::train {
namespace {

namespace fs = std::filesystem;

std::string model_path(const std::string& name) { return std::string(WINOQ_ONNX_DIR) + "/" + name; }

#define REQUIRE_MODEL(name)                                                                           \
    if (!fs::exists(model_path(name)))                                                                \
    GTEST_SKIP() << model_path(name) << " missing: the OnnxModels.Generate fixture writes it (needs " \
                 << "python3-torch, python3-torchvision, python3-onnx)"

torch::Tensor read_f32(const std::string& path, std::vector<int64_t> shape) {
    torch::Tensor t = torch::empty(shape, torch::kFloat32);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(t.data_ptr<float>()), std::streamsize(t.numel() * 4));
    EXPECT_TRUE(f.good()) << path;
    EXPECT_EQ(f.peek(), EOF) << path << " is longer than " << t.numel() << " floats";
    return t;
}

// max |ours - PyTorch's| relative to the outputs' magnitude (at least 1).
double float_error(const std::string& name) {
    const ImportedGraph g = import_onnx(model_path(name + ".onnx"), {});
    const TensorShape& s = g.graph.input_shape;
    const torch::Tensor x = read_f32(model_path(name + ".input.f32"), {2, s.c, s.h, s.w});
    const torch::Tensor want = read_f32(model_path(name + ".output.f32"), {2, g.num_classes()});
    GraphNet net(g);
    torch::NoGradGuard ng;
    const torch::Tensor got = net->forward(x);
    const double scale = std::max(1.0, want.abs().max().item<double>());
    return (got - want).abs().max().item<double>() / scale;
}

TEST(OnnxImport, CustomCnnMatchesPyTorch) {
    REQUIRE_MODEL("custom_cnn.onnx");
    const ImportedGraph g = import_onnx(model_path("custom_cnn.onnx"), {});
    std::map<GraphOpKind, int> kinds;
    for (const GraphOp& op : g.graph.ops) ++kinds[op.kind];
    // The BatchNorm after the Concat cannot fold into a conv; the others did.
    EXPECT_EQ(kinds[GraphOpKind::kBatchNorm], 1);
    for (GraphOpKind k : {GraphOpKind::kConv, GraphOpKind::kClip, GraphOpKind::kAdd, GraphOpKind::kConcat,
                          GraphOpKind::kMaxPool, GraphOpKind::kAveragePool, GraphOpKind::kLinear})
        EXPECT_GT(kinds[k], 0) << graph_op_kind_name(k);
    EXPECT_EQ(g.mean, std::vector<float>({0.5f, 0.5f, 0.5f}));  // from the file's metadata
    EXPECT_LE(float_error("custom_cnn"), 1e-4);
}

TEST(OnnxImport, TorchvisionResNet18MatchesPyTorch) {
    REQUIRE_MODEL("resnet18.onnx");
    EXPECT_LE(float_error("resnet18"), 1e-4);
}

TEST(OnnxImport, TorchvisionVgg11BnMatchesPyTorch) {
    REQUIRE_MODEL("vgg11_bn.onnx");
    EXPECT_LE(float_error("vgg11_bn"), 1e-4);
}

TEST(OnnxImport, TorchvisionMobileNetV2MatchesPyTorch) {
    REQUIRE_MODEL("mobilenet_v2.onnx");
    EXPECT_LE(float_error("mobilenet_v2"), 1e-4);
    const ImportedGraph g = import_onnx(model_path("mobilenet_v2.onnx"), {});
    int depthwise = 0;
    for (const GraphOp& op : g.graph.ops)
        if (op.kind == GraphOpKind::kConv && op.groups > 1) ++depthwise;
    EXPECT_EQ(depthwise, 17);  // one per inverted residual block
    // No 3x3 stride-1 dense conv: Winograd saves nothing.
    EXPECT_DOUBLE_EQ(count_graph_macs(g.graph, g.param_shapes(), "cf43").reduction(), 1.0);
}

TEST(OnnxImport, CheckpointRoundTripKeepsTheOutputs) {
    REQUIRE_MODEL("custom_cnn.onnx");
    const ImportedGraph g = import_onnx(model_path("custom_cnn.onnx"), {});
    const std::string ckpt = (fs::temp_directory_path() / "winoq_onnx_import_test.pt").string();
    save_graph_checkpoint(ckpt, g, {{"source", "test"}});
    EXPECT_TRUE(is_graph_checkpoint(ckpt));
    const ImportedGraph back = load_graph_checkpoint(ckpt);
    EXPECT_EQ(back.graph.to_json(), g.graph.to_json());
    EXPECT_EQ(back.class_names, g.class_names);
    const torch::Tensor x = torch::randn({3, 3, 32, 32});
    torch::NoGradGuard ng;
    EXPECT_TRUE(torch::equal(GraphNet(g)->forward(x), GraphNet(back)->forward(x)));
    // The ResNet readers say what the file is instead of failing on a missing key.
    try {
        read_checkpoint_info(ckpt);
        ADD_FAILURE() << "a graph checkpoint read as a ResNet one";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("imported graph"), std::string::npos) << e.what();
    }
    fs::remove(ckpt);
}

// Two independent counts: the graph's, from the ONNX file, and the trainer's ResNet-18.
TEST(OnnxImport, ResNet18MacsEqualTheTrainersCount) {
    REQUIRE_MODEL("resnet18.onnx");
    const ImportedGraph g = import_onnx(model_path("resnet18.onnx"), {});
    for (const std::string v : {"direct", "f23", "cf43"}) {
        ModelConfig c;
        c.arch = "resnet18";
        c.image_size = 224;
        c.num_classes = 1000;
        c.variant = v;
        ResNet r(c);
        const ModelMacs want = count_macs(r);
        const ModelMacs got = count_graph_macs(g.graph, g.param_shapes(), v);
        EXPECT_EQ(got.direct, want.direct) << v;
        EXPECT_EQ(got.actual, want.actual) << v;
    }
}

void expect_refused(const std::string& file, const std::string& needle) {
    try {
        import_onnx(model_path(file), {});
        ADD_FAILURE() << file << " imported";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST(OnnxImport, UnsupportedOpsAreOneErrorNamingTheNode) {
    REQUIRE_MODEL("bad_sigmoid.onnx");
    expect_refused("bad_sigmoid.onnx", "node '/Sigmoid' (Sigmoid): operator Sigmoid is not supported");
    expect_refused("bad_dilation.onnx", "(Conv): dilation is not supported");
}

// Built here with the protobuf classes: no Python needed.
onnx::ModelProto tiny_model(int64_t height) {
    onnx::ModelProto m;
    m.set_ir_version(7);
    m.add_opset_import()->set_version(13);
    onnx::GraphProto* g = m.mutable_graph();
    auto* in = g->add_input();
    in->set_name("x");
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* sh = tt->mutable_shape();
    sh->add_dim()->set_dim_param("batch");
    sh->add_dim()->set_dim_value(1);
    if (height > 0)
        sh->add_dim()->set_dim_value(height);
    else
        sh->add_dim()->set_dim_param("h");
    sh->add_dim()->set_dim_value(4);
    auto* node = g->add_node();
    node->set_op_type("GlobalAveragePool");
    node->set_name("gap");
    node->add_input("x");
    node->add_output("y");
    g->add_output()->set_name("y");
    return m;
}

std::string write_model(const onnx::ModelProto& m) {
    const std::string path = (fs::temp_directory_path() / "winoq_onnx_tiny.onnx").string();
    std::ofstream f(path, std::ios::binary);
    m.SerializeToOstream(&f);
    return path;
}

TEST(OnnxImport, NormalisationAndDynamicShapesNeedTheirFlags) {
    OnnxImportOptions o;
    const std::string fixed = write_model(tiny_model(4));
    try {
        import_onnx(fixed, o);
        ADD_FAILURE() << "imported without a normalisation";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("--mean and --std"), std::string::npos) << e.what();
    }
    o.mean = {0.5f};
    o.std = {0.5f};
    EXPECT_EQ(import_onnx(fixed, o).num_classes(), 1);
    const std::string dynamic = write_model(tiny_model(0));
    try {
        import_onnx(dynamic, o);
        ADD_FAILURE() << "imported a dynamic height";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("--image-size"), std::string::npos) << e.what();
    }
    o.image_size = 4;
    EXPECT_EQ(import_onnx(dynamic, o).graph.input_shape.h, 4);
    fs::remove(dynamic);
}

TEST(OnnxImport, GarbageIsRefused) {
    const std::string path = (fs::temp_directory_path() / "winoq_onnx_garbage.onnx").string();
    std::ofstream(path) << "this is not a protobuf \xff\xff\xff\xff";
    EXPECT_THROW(import_onnx(path, {}), std::runtime_error);
    fs::remove(path);
    EXPECT_THROW(import_onnx("/nonexistent.onnx", {}), std::runtime_error);
}

}  // namespace
}  // namespace winoq::train
