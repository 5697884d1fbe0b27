// winoq::ModelExecutor: the kernels engine equals the reference engine bit for bit (every
// activation and the logits) on random ResNet-20 / ResNet-18 models of every variant; the
// exact ops and the head against hand-computed values; repeatability and batch independence.
#include <gtest/gtest.h>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "winoq/model/random_model.h"
#include "winoq/model/model.h"
#include "winoq/runner/model_executor.h"

namespace winoq {
namespace {

std::vector<uint8_t> random_pixels(const Model& m, int batch, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> d(0, 255);
    std::vector<uint8_t> p(size_t(batch) * m.image_size * m.image_size * m.in_channels);
    for (uint8_t& v : p) v = uint8_t(d(rng));
    return p;
}

size_t act_size(const ModelOp& op, int batch) { return size_t(batch) * op.out_c * op.out_h * op.out_w; }

// Runs both engines on the same pixels and compares every activation and the logits.
void expect_engines_equal(const Model& m, int batch, uint64_t seed) {
    const std::vector<uint8_t> px = random_pixels(m, batch, seed);
    ModelExecutor kern(m, batch, ExecEngine::kKernels), ref(m, batch, ExecEngine::kReference);
    std::vector<double> lk(size_t(batch) * m.num_classes()), lr(lk.size());
    kern.run_pixels(px.data(), lk.data());
    ref.run_pixels(px.data(), lr.data());
    for (const ModelOp& op : m.ops) {
        const int8_t *a = kern.activation(op.name), *b = ref.activation(op.name);
        const size_t n = act_size(op, batch);
        size_t diff = 0;
        for (size_t i = 0; i < n; ++i) diff += a[i] != b[i];
        EXPECT_EQ(diff, 0u) << m.name << " batch " << batch << ": op " << op.name << " differs in " << diff << " of "
                            << n;
    }
    EXPECT_EQ(lk, lr) << m.name << " batch " << batch;
    // The random model is plausible: the last map is neither all zero nor saturated.
    const ModelOp& last = m.ops.back();
    const int8_t* a = ref.activation(last.name);
    size_t nonzero = 0, saturated = 0, n = act_size(last, batch);
    for (size_t i = 0; i < n; ++i) {
        nonzero += a[i] != 0;
        saturated += a[i] == 127;
    }
    EXPECT_GT(nonzero, n / 10) << m.name;
    // Real F(4,3) is int8 Winograd's known failure case (docs/method.md section 1): its rounding
    // noise compounds over the layers, so only the stable variants must stay unsaturated.
    if (m.ops[0].int8_variant() != Variant::kF43) EXPECT_LT(saturated, n / 10) << m.name;
}

class ResNet20Engines : public ::testing::TestWithParam<const char*> {};

TEST_P(ResNet20Engines, KernelsEqualReferenceBitForBit) {
    const Model m = make_random_model("resnet20", GetParam(), 32, 3, 21);
    expect_engines_equal(m, 1, 1);
    expect_engines_equal(m, 3, 2);
}

TEST_P(ResNet20Engines, OneChannel28x28) {  // Fashion-MNIST's shape: 28 -> 14 -> 7, partial tiles
    expect_engines_equal(make_random_model("resnet20", GetParam(), 28, 1, 4), 2, 3);
}

INSTANTIATE_TEST_SUITE_P(Variants, ResNet20Engines, ::testing::Values("direct", "f23", "f43", "cf43", "cf43m4"),
                         [](const auto& info) { return std::string(info.param); });

TEST(ResNet18Engines, FloatStemMaxPoolDownsampleAt64) {
    for (const char* v : {"cf43", "direct"}) {
        SCOPED_TRACE(v);
        expect_engines_equal(make_random_model("resnet18", v, 64, 3, 8), 1, 5);
    }
    expect_engines_equal(make_random_model("resnet18", "f23", 40, 3, 9), 2, 6);  // odd map sizes after the stem
}

// --- Format version 2's exact ops (maxpool of any window, clamp) against brute force ---

// The shape of an activation ("input" or an op's output).
void act_shape(const Model& m, const std::string& name, int* c, int* h, int* w) {
    if (name == "input") {
        *c = m.in_channels;
        *h = *w = m.image_size;
        return;
    }
    const ModelOp& o = m.op(name);
    *c = o.out_c, *h = o.out_h, *w = o.out_w;
}

// Max pool by its definition: for each output, every input position, taken where the window
// [o * stride - pad_lo, o * stride - pad_lo + kernel) covers it.
std::vector<int8_t> brute_force_maxpool(const PoolWindow& p, int batch, int C, int H, int W, int OH, int OW,
                                        const int8_t* in) {
    std::vector<int8_t> out(size_t(batch) * OH * OW * C);
    auto covers = [](int o, int stride, int pad, int kernel, int i) {
        return i >= o * stride - pad && i < o * stride - pad + kernel;
    };
    for (int n = 0; n < batch; ++n)
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox)
                for (int c = 0; c < C; ++c) {
                    int best = -1000, count = 0;
                    for (int iy = 0; iy < H; ++iy)
                        for (int ix = 0; ix < W; ++ix)
                            if (covers(oy, p.stride_h, p.pad_top, p.kernel_h, iy) &&
                                covers(ox, p.stride_w, p.pad_left, p.kernel_w, ix)) {
                                best = std::max(best, int(in[((size_t(n) * H + iy) * W + ix) * C + c]));
                                ++count;
                            }
                    EXPECT_GT(count, 0) << "empty window at " << oy << "," << ox;
                    out[((size_t(n) * OH + oy) * OW + ox) * C + c] = int8_t(best);
                }
    return out;
}

TEST(GraphOps, PoolWindowsAndClampsEqualBruteForceOnBothEngines) {
    for (const auto& [variant, size] : {std::pair<const char*, int>{"cf43", 32}, {"direct", 13}, {"f23", 8}}) {
        SCOPED_TRACE(std::string(variant) + " " + std::to_string(size));
        Model m = make_random_model("graph", variant, size, 3, 17);
        const int batch = 2;
        expect_engines_equal(m, batch, 3);  // every activation and the logits, bit for bit
        const std::vector<uint8_t> px = random_pixels(m, batch, 3);
        for (ExecEngine e : {ExecEngine::kKernels, ExecEngine::kReference}) {
            ModelExecutor ex(m, batch, e);
            std::vector<double> logits(size_t(batch) * m.num_classes());
            ex.run_pixels(px.data(), logits.data());
            int pools = 0, clamps = 0;
            for (const ModelOp& op : m.ops) {
                SCOPED_TRACE(op.name);
                int c, h, w;
                act_shape(m, op.input, &c, &h, &w);
                const int8_t* in = ex.activation(op.input);
                const size_t n = act_size(op, batch);
                const std::vector<int8_t> got(ex.activation(op.name), ex.activation(op.name) + n);
                if (op.kind == OpKind::kMaxPool) {
                    ++pools;
                    EXPECT_EQ(got, brute_force_maxpool(op.pool, batch, c, h, w, op.out_h, op.out_w, in));
                } else if (op.kind == OpKind::kClamp) {
                    ++clamps;
                    size_t at_lo = 0, at_hi = 0, below = 0, above = 0;
                    for (size_t i = 0; i < n; ++i) {
                        const int want = in[i] < op.clamp_lo ? op.clamp_lo : in[i] > op.clamp_hi ? op.clamp_hi : in[i];
                        ASSERT_EQ(int(got[i]), want) << i;
                        below += in[i] < op.clamp_lo;
                        above += in[i] > op.clamp_hi;
                        at_lo += got[i] == op.clamp_lo;
                        at_hi += got[i] == op.clamp_hi;
                    }
                    // The random model really exercises the bounds (ReLU: negatives; the clip: both).
                    EXPECT_GT(below, 0u);
                    if (op.clamp_hi < 127) EXPECT_GT(above, 0u);
                    EXPECT_GE(at_lo, below);
                    EXPECT_GE(at_hi, above);
                }
            }
            EXPECT_EQ(pools, 3);
            EXPECT_EQ(clamps, 2);
        }
    }
    // The window shapes at 32x32: 2x2/2 -> 16, 3x3/1 pad 1 ceil -> 16, 3x2 / 2x1, pads 1,0,1,1, ceil -> 9x16.
    const Model m = make_random_model("graph", "cf43", 32, 3, 17);
    EXPECT_EQ(m.op("pool1").out_h, 16);
    EXPECT_EQ(m.op("pool2").out_h, 16);
    EXPECT_EQ(m.op("pool3").out_h, 9);
    EXPECT_EQ(m.op("pool3").out_w, 16);
}

TEST(ModelExecutor, RunTwiceIsIdenticalAndBatchImagesAreIndependent) {
    const Model m = make_random_model("resnet20", "cf43", 32, 3, 33);
    const int B = 3, K = m.num_classes();
    const std::vector<uint8_t> px = random_pixels(m, B, 9);
    ModelExecutor ex(m, B);
    std::vector<double> first(B * K), second(B * K);
    ex.run_pixels(px.data(), first.data());
    ex.run_pixels(px.data(), second.data());
    EXPECT_EQ(first, second);
    ASSERT_EQ(ex.op_seconds().size(), m.ops.size() + 1);
    for (double s : ex.op_seconds()) EXPECT_GE(s, 0.0);
    ModelExecutor one(m, 1);
    const size_t img = size_t(m.image_size) * m.image_size * m.in_channels;
    for (int i = 0; i < B; ++i) {
        std::vector<double> alone(K);
        one.run_pixels(px.data() + i * img, alone.data());
        EXPECT_EQ(alone, std::vector<double>(first.begin() + i * K, first.begin() + (i + 1) * K)) << "image " << i;
    }
    // Different images give different logits (the batch really holds three images).
    EXPECT_NE(std::vector<double>(first.begin(), first.begin() + K),
              std::vector<double>(first.begin() + K, first.begin() + 2 * K));
}

TEST(ModelExecutor, PixelsGoThroughTheInputLut) {
    const Model m = make_random_model("resnet20", "f23", 16, 3, 2);
    const std::vector<uint8_t> px = random_pixels(m, 1, 4);
    std::vector<int8_t> q(px.size());
    for (size_t i = 0; i < px.size(); ++i) q[i] = quantize_pixel(px[i], m.mean[i % 3], m.std[i % 3], m.input_scale);
    ModelExecutor a(m, 1), b(m, 1);
    std::vector<double> la(10), lb(10);
    a.run_pixels(px.data(), la.data());
    b.run_quantized(q.data(), lb.data());
    EXPECT_EQ(la, lb);
    EXPECT_TRUE(std::equal(q.begin(), q.end(), a.activation("input")));
}

// --- Tiny hand-made models ---

Model tiny_model(int C, int size) {
    Model m;
    m.name = "tiny";
    m.arch = "test";
    m.dataset = "none";
    m.trained = false;
    m.in_channels = C;
    m.image_size = size;
    m.mean.assign(C, 0.5f);
    m.std.assign(C, 0.25f);
    m.input_scale = 0.5;
    m.input_lut = make_input_lut(m.mean, m.std, m.input_scale);
    return m;
}

void set_head(Model& m, int C, std::vector<int8_t> w, std::vector<int32_t> b, std::vector<float> s) {
    m.head.C = C;
    m.head.classes = static_cast<int>(b.size());
    m.head.weight = std::move(w);
    m.head.bias = std::move(b);
    m.head.logit_scale = std::move(s);
    m.class_names.clear();
    for (int k = 0; k < m.head.classes; ++k) m.class_names.push_back("c" + std::to_string(k));
}

TEST(ExactOps, ShortcutAAndHeadByHand) {
    // 3x3 input, 2 channels -> shortcut_a to 4 channels at 2x2: x[::2, ::2], one zero channel each side.
    Model m = tiny_model(2, 3);
    ModelOp sc;
    sc.kind = OpKind::kShortcutA;
    sc.name = "sc";
    sc.input = "input";
    sc.out_c = 4;
    sc.out_h = sc.out_w = 2;
    sc.out_scale = m.input_scale;
    m.ops.push_back(sc);
    // Head: 2 classes over 4 channels.
    set_head(m, 4, {1, 2, 3, 4, -1, 0, 5, -7}, {10, -3}, {0.5f, 0.25f});
    // Input NHWC: value at (y, x, c) = 10*y + 3*x + c - 20 (c in 0..1).
    std::vector<int8_t> in(3 * 3 * 2);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 3; ++x)
            for (int c = 0; c < 2; ++c) in[(y * 3 + x) * 2 + c] = int8_t(10 * y + 3 * x + c - 20);
    for (ExecEngine e : {ExecEngine::kKernels, ExecEngine::kReference}) {
        ModelExecutor ex(m, 1, e);
        double logits[2];
        ex.run_quantized(in.data(), logits);
        // Picked pixels (0,0), (0,2), (2,0), (2,2): channel values (-20,-19), (-14,-13), (0,1), (6,7).
        const int8_t want[2][2][4] = {{{0, -20, -19, 0}, {0, -14, -13, 0}}, {{0, 0, 1, 0}, {0, 6, 7, 0}}};
        EXPECT_TRUE(std::equal(&want[0][0][0], &want[0][0][0] + 16, ex.activation("sc")));
        // S = (0, -28, -24, 0); class 0: 2*-28 + 3*-24 + 10 = -118 -> * 0.5; class 1: 0 + 5*-24 - 3 = -123 -> * 0.25.
        EXPECT_EQ(logits[0], -59.0);
        EXPECT_EQ(logits[1], -30.75);
    }
}

TEST(ExactOps, MaxPoolPaddingNeverWins) {
    // One channel, 4x4 all negative: a zero padding value would win if it took part.
    Model m = tiny_model(1, 4);
    ModelOp mp;
    mp.kind = OpKind::kMaxPool;
    mp.name = "pool";
    mp.input = "input";
    mp.out_c = 1;
    mp.out_h = mp.out_w = 2;
    mp.out_scale = m.input_scale;
    m.ops.push_back(mp);
    set_head(m, 1, {1}, {0}, {1.0f});
    const std::vector<int8_t> in = {-50,  -40, -90,  -100,  //
                                    -60,  -70, -30,  -80,   //
                                    -127, -5,  -110, -120,  //
                                    -20,  -45, -66,  -1};
    // Windows (rows/cols -1..1, 1..3): (0,0): rows 0-1, cols 0-1 -> -40; (0,1): rows 0-1, cols 1-3 -> -30;
    // (1,0): rows 1-3, cols 0-1 -> -5; (1,1): rows 1-3, cols 1-3 -> -1.
    const int8_t want[4] = {-40, -30, -5, -1};
    for (ExecEngine e : {ExecEngine::kKernels, ExecEngine::kReference}) {
        ModelExecutor ex(m, 1, e);
        double logit;
        ex.run_quantized(in.data(), &logit);
        EXPECT_TRUE(std::equal(want, want + 4, ex.activation("pool")));
        EXPECT_EQ(logit, -76.0);
    }
}

TEST(ExactOps, ClampAndCeilModePoolByHand) {
    // One channel, 3x3 input: a ReLU6-like clamp [0, 12] (scale 0.5: 6 / 0.5), then a 2x2 stride-2
    // pool with ceil_mode: 2x2 outputs, the last row / column of windows one input wide.
    Model m = tiny_model(1, 3);
    ModelOp cl;
    cl.kind = OpKind::kClamp;
    cl.name = "relu6";
    cl.input = "input";
    cl.clamp_lo = 0;
    cl.clamp_hi = 12;
    cl.out_c = 1;
    cl.out_h = cl.out_w = 3;
    cl.out_scale = m.input_scale;
    m.ops.push_back(cl);
    ModelOp mp;
    mp.kind = OpKind::kMaxPool;
    mp.name = "pool";
    mp.input = "relu6";
    mp.pool.kernel_h = mp.pool.kernel_w = mp.pool.stride_h = mp.pool.stride_w = 2;
    mp.pool.pad_top = mp.pool.pad_left = mp.pool.pad_bottom = mp.pool.pad_right = 0;
    mp.pool.ceil_mode = true;
    mp.out_c = 1;
    mp.out_h = mp.out_w = 2;
    mp.out_scale = m.input_scale;
    m.ops.push_back(mp);
    set_head(m, 1, {1}, {0}, {1.0f});
    const std::vector<int8_t> in = {-5, 3,  40,  //
                                    7,  -1, -9,  //
                                    2,  13, 11};
    const int8_t want_clamp[9] = {0, 3, 12, 7, 0, 0, 2, 12, 11};
    // Windows: rows 0-1 / cols 0-1 -> 7; rows 0-1 / col 2 -> 12; row 2 / cols 0-1 -> 12; row 2 / col 2 -> 11.
    const int8_t want_pool[4] = {7, 12, 12, 11};
    for (ExecEngine e : {ExecEngine::kKernels, ExecEngine::kReference}) {
        ModelExecutor ex(m, 1, e);
        double logit;
        ex.run_quantized(in.data(), &logit);
        EXPECT_TRUE(std::equal(want_clamp, want_clamp + 9, ex.activation("relu6")));
        EXPECT_TRUE(std::equal(want_pool, want_pool + 4, ex.activation("pool")));
        EXPECT_EQ(logit, 42.0);
    }
}

TEST(Softmax, SumsToOneAndIsStable) {
    const double l[3] = {1000.0, 1000.0 + std::log(3.0), -1000.0};
    const std::vector<double> p = softmax(l, 3);
    EXPECT_NEAR(p[0], 0.25, 1e-12);
    EXPECT_NEAR(p[1], 0.75, 1e-12);
    EXPECT_NEAR(p[2], 0.0, 1e-12);
}

// glibc's count of the heap bytes in use (small blocks and mmap'ed large ones).
size_t heap_in_use() {
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcMalloc = false;  // ASan's allocator: mallinfo2 does not see it
#else
constexpr bool kGlibcMalloc = true;
#endif

// The budget check is only as honest as planned_memory: it must count what construction
// allocates (beyond the executor's own copy of the model), within a few percent.
TEST(ModelExecutorMemory, PlanCountsWhatConstructionAllocates) {
    if (!kGlibcMalloc) GTEST_SKIP() << "needs glibc's malloc statistics";
    struct Case {
        const char* arch;
        const char* variant;
        int size, channels;
    };
    for (const Case& c : {Case{"resnet20", "cf43", 32, 3}, Case{"resnet20", "direct", 28, 1},
                          Case{"resnet18", "f23", 64, 3}, Case{"resnet18", "cf43", 56, 3}}) {
        const Model m = make_random_model(c.arch, c.variant, c.size, c.channels, 5);
        size_t before = heap_in_use();
        size_t model_copy = 0;
        {
            const Model copy = m;  // NOLINT(performance-unnecessary-copy-initialization): measured
            model_copy = heap_in_use() - before;
        }
        before = heap_in_use();
        const ModelExecutor ex(m, 3);
        const double used = double(heap_in_use() - before) - double(model_copy);
        const double planned = double(planned_memory(m, 3).total());
        EXPECT_NEAR(used, planned, 0.05 * planned + 256.0 * 1024) << c.arch << " " << c.variant;
    }
}

TEST(ModelExecutorMemory, RefusesAModelAboveTheBudgetBeforeAllocating) {
    // Eight 4-channel 1x1 convs on an 8192x8192 image: a few-KB file, 2 GiB of activations.
    const Model m = make_random_model("wide1x1", "direct", 8192, 3, 1);
    const PlannedMemory p = planned_memory(m, 1);
    EXPECT_GT(p.activations, uint64_t(2) << 30);
    const size_t before = heap_in_use();
    try {
        ModelExecutor ex(m, 1);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("above the memory budget of 1024 MiB"), std::string::npos) << e.what();
    }
    if (kGlibcMalloc) EXPECT_LT(heap_in_use(), before + (size_t(64) << 20));
}

TEST(ModelExecutorMemory, TheBudgetIsABound) {
    const Model m = make_random_model("resnet20", "cf43", 32, 3, 2);
    const uint64_t need = planned_memory(m, 2).total();
    EXPECT_NO_THROW(ModelExecutor(m, 2, ExecEngine::kKernels, need));
    EXPECT_THROW(ModelExecutor(m, 2, ExecEngine::kKernels, need - 1), std::runtime_error);
    // The batch multiplies the activations.
    EXPECT_GT(planned_memory(m, 4).activations, 3 * planned_memory(m, 1).activations);
}

TEST(ModelExecutor, RefusesABatchOutOfRange) {
    const Model m = make_random_model("resnet20", "direct", 32, 3, 2);
    EXPECT_THROW(ModelExecutor(m, 0), std::invalid_argument);
    EXPECT_THROW(ModelExecutor(m, kMaxBatch + 1), std::invalid_argument);
}

// Latency of one batch-1 inference (kernels engine), median of 5 after a warm-up.
// Run with --gtest_also_run_disabled_tests.
TEST(ModelExecutorLatency, DISABLED_ResNet20AndResNet18) {
    for (auto [arch, size] : {std::pair<const char*, int>{"resnet20", 32}, {"resnet18", 224}})
        for (const char* v : {"direct", "cf43"}) {
            const Model m = make_random_model(arch, v, size, 3, 1);
            ModelExecutor ex(m, 1);
            const std::vector<uint8_t> px = random_pixels(m, 1, 1);
            std::vector<double> logits(m.num_classes());
            ex.run_pixels(px.data(), logits.data());
            std::vector<double> t;
            for (int r = 0; r < 5; ++r) {
                const auto t0 = std::chrono::steady_clock::now();
                ex.run_pixels(px.data(), logits.data());
                t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            }
            std::sort(t.begin(), t.end());
            std::printf("%s %s %dx%d batch 1: median %.2f ms (first op %.2f ms)\n", arch, v, size, size, t[2] * 1e3,
                        ex.op_seconds()[0] * 1e3);
        }
}

}  // namespace
}  // namespace winoq
