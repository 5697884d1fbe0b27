// The safetensors reader on small hand-made files (valid, truncated and corrupt: each must
// fail with a clear std::runtime_error, never crash), the writer's round trip, and the real
// FP32 ResNet-20 checkpoint when ../shared is present.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>

#include "winoq/analysis/float_resnet20.h"
#include "winoq/io/safetensors.h"

namespace winoq {
namespace {

// A file built by hand: 8-byte LE length, the header text as given, then the data bytes.
std::vector<uint8_t> make_file(const std::string& header, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> f;
    const uint64_t n = header.size();
    for (int b = 0; b < 8; ++b) f.push_back(uint8_t(n >> (8 * b)));
    f.insert(f.end(), header.begin(), header.end());
    f.insert(f.end(), data.begin(), data.end());
    return f;
}

// F32 1.0, -2.5 then I8 -3, 7 then I32 -2 (hand-encoded little endian).
const std::vector<uint8_t> kData = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0xfd, 0x07, 0xfe, 0xff, 0xff, 0xff};
const std::string kHeader = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"I8","shape":[1,2],"data_offsets":[8,10]},)"
                            R"("c":{"dtype":"I32","shape":[],"data_offsets":[10,14]},)"
                            R"("__metadata__":{"format":"pt"}})";

void expect_error(const std::vector<uint8_t>& bytes, const std::string& fragment) {
    try {
        SafetensorsFile::parse(bytes, "test.safetensors");
        ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
        EXPECT_NE(msg.find("test.safetensors"), std::string::npos) << msg;
    }
}

TEST(Safetensors, ReadsAHandMadeFile) {
    const SafetensorsFile f = SafetensorsFile::parse(make_file(kHeader, kData));
    EXPECT_EQ(f.names(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(f.f32("a"), (std::vector<float>{1.0f, -2.5f}));
    EXPECT_EQ(f.i8("b"), (std::vector<int8_t>{-3, 7}));
    EXPECT_EQ(f.i32("c"), (std::vector<int32_t>{-2}));  // a scalar: shape [] holds one element
    EXPECT_EQ(f.info("b").shape, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(f.info("c").numel(), 1);
    EXPECT_EQ(f.metadata().at("format"), "pt");
    EXPECT_TRUE(f.contains("a"));
    EXPECT_FALSE(f.contains("__metadata__"));
}

TEST(Safetensors, AccessErrorsAreClear) {
    const SafetensorsFile f = SafetensorsFile::parse(make_file(kHeader, kData), "test.safetensors");
    try {
        f.f32("b");
        ADD_FAILURE();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("is I8, not F32"), std::string::npos) << e.what();
    }
    EXPECT_THROW(f.i8("missing"), std::runtime_error);
    EXPECT_THROW(SafetensorsFile::load("/nonexistent/dir/x.safetensors"), std::runtime_error);
}

TEST(Safetensors, RejectsCorruptHeaders) {
    expect_error({}, "shorter than");
    expect_error({1, 0, 0}, "shorter than");
    expect_error({0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'}, "exceeds the file size");
    expect_error({0, 0, 0, 0, 0, 1, 0, 0, '{', '}'}, "implausible");
    expect_error(make_file("{\"a\":", {}), "not valid JSON");
    expect_error(make_file("[1, 2]", {}), "not a JSON object");
    expect_error(make_file(R"({"a": 3})", {}), "not a JSON object");
    expect_error(make_file(R"({"a":{"shape":[1],"data_offsets":[0,4]}})", {0, 0, 0, 0}), "no \"dtype\"");
    expect_error(make_file(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", {0, 0, 0, 0}),
                 "unsupported dtype F16");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", {0, 0, 0, 0}),
                 "non-negative integers");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", {0, 0, 0, 0}),
                 "non-negative integers");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", {0, 0, 0, 0}),
                 "does not match its byte range");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", {0, 0, 0, 0}), "begin > end");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", {0, 0, 0, 0}), "[begin, end]");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[4000000000,4000000000,4000000000],"data_offsets":[0,4]}})",
                           {0, 0, 0, 0}),
                 "overflows a 64-bit count");
    expect_error(make_file(R"({"__metadata__":{"k":1}})", {}), "not a string");
}

TEST(Safetensors, RejectsOverlapAndRangesOutsideTheFile) {
    expect_error(make_file(R"({"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"I8","shape":[2],"data_offsets":[3,5]}})",
                           {1, 2, 3, 4, 5}),
                 "overlap");
    expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", {0, 0, 0, 0}),
                 "beyond the data section");
}

TEST(Safetensors, EveryTruncationFailsCleanly) {
    const std::vector<uint8_t> full = make_file(kHeader, kData);
    for (size_t n = 0; n < full.size(); ++n) {
        const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_THROW(SafetensorsFile::parse(cut), std::runtime_error) << "truncated to " << n << " bytes";
    }
}

TEST(Safetensors, RandomCorruptionNeverCrashes) {
    // Flipping header bytes gives invalid or still valid files: either is fine, as long as
    // any failure is a runtime_error and any success reads only inside the file.
    const std::vector<uint8_t> full = make_file(kHeader, kData);
    std::mt19937 rng(99);
    int rejected = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        std::vector<uint8_t> f = full;
        for (int k = 0; k < 3; ++k) f[rng() % (8 + kHeader.size())] = uint8_t(rng());
        try {
            const SafetensorsFile s = SafetensorsFile::parse(f);
            for (const std::string& name : s.names()) EXPECT_LE(s.info(name).end, kData.size() + kHeader.size());
        } catch (const std::runtime_error&) {
            ++rejected;
        }
    }
    EXPECT_GT(rejected, 1000);
}

TEST(Safetensors, WriterRoundTrips) {
    const std::vector<float> f = {0.0f, -0.0f, 1e-30f, 3.5f, std::numeric_limits<float>::infinity(), -7.25f};
    const std::vector<int8_t> b = {-128, -1, 0, 127};
    const std::vector<int32_t> i = {INT32_MIN, -5, 0, INT32_MAX};
    const std::string path = ::testing::TempDir() + "winoq_safetensors_roundtrip.safetensors";
    save_safetensors(path, {{"w", tensor_f32({2, 3}, f)}, {"q", tensor_i8({4}, b)}, {"acc", tensor_i32({2, 2}, i)}},
                     {{"note", "test"}});
    const SafetensorsFile r = SafetensorsFile::load(path);
    std::remove(path.c_str());
    const std::vector<float> rf = r.f32("w");
    ASSERT_EQ(rf.size(), f.size());
    for (size_t k = 0; k < f.size(); ++k) EXPECT_EQ(std::memcmp(&rf[k], &f[k], 4), 0) << k;  // bit exact, -0 included
    EXPECT_EQ(r.i8("q"), b);
    EXPECT_EQ(r.i32("acc"), i);
    EXPECT_EQ(r.info("w").shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(r.metadata().at("note"), "test");
    EXPECT_THROW(tensor_f32({4}, f), std::invalid_argument);
}

// ../shared beside the checkout holds the FP32 ResNet-20 (never copied into the project).
std::string shared_model() {
    const char* env = std::getenv("WINOQ_SHARED_DIR");
    return std::string(env ? env : WINOQ_DEFAULT_SHARED_DIR) + "/models/resnet20_cifar10_fp32.safetensors";
}

TEST(SafetensorsRealModel, ReadsTheFp32ResNet20) {
    const std::string path = shared_model();
    if (!std::ifstream(path)) GTEST_SKIP() << path << " not found (../shared absent): real-model read skipped";
    const SafetensorsFile f = SafetensorsFile::load(path);
    EXPECT_EQ(f.names().size(), 97u);
    EXPECT_EQ(f.info("conv1.weight").shape, (std::vector<int64_t>{16, 3, 3, 3}));
    EXPECT_EQ(f.info("layer2.0.conv1.weight").shape, (std::vector<int64_t>{32, 16, 3, 3}));
    EXPECT_EQ(f.info("layer3.2.conv2.weight").shape, (std::vector<int64_t>{64, 64, 3, 3}));
    EXPECT_EQ(f.info("linear.weight").shape, (std::vector<int64_t>{10, 64}));
    for (const std::string& name : f.names()) {
        ASSERT_EQ(f.info(name).dtype, TensorDType::kF32) << name;
        for (float v : f.f32(name)) ASSERT_TRUE(std::isfinite(v)) << name;
    }
    for (float v : f.f32("layer1.0.bn1.running_var")) EXPECT_GT(v, 0.0f);

    const FloatResNet20 net = load_float_resnet20(f);
    ASSERT_EQ(net.convs.size(), 19u);
    int stride1 = 0;
    for (const FloatConvLayer& c : net.convs) stride1 += c.stride == 1;
    EXPECT_EQ(stride1, 17);
    // BatchNorm folding, checked on one weight and one bias from the raw tensors.
    const float g = f.f32("bn1.weight")[5], beta = f.f32("bn1.bias")[5], mean = f.f32("bn1.running_mean")[5],
                var = f.f32("bn1.running_var")[5];
    const double s = g / std::sqrt(double(var) + 1e-5);
    EXPECT_NEAR(net.convs[0].weights[5 * 27 + 4], f.f32("conv1.weight")[5 * 27 + 4] * s, 1e-6);
    EXPECT_NEAR(net.convs[0].bias[5], beta - mean * s, 1e-5);
}

}  // namespace
}  // namespace winoq
