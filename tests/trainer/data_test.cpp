// The loaders on small generated files (layout, labels, clear errors on truncated or wrong
// files), the batch augmentation, and the real Fashion-MNIST files when installed.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "trainer/data/batches.h"
#include "trainer/data/cifar10.h"
#include "trainer/data/fashion_mnist.h"

namespace winoq::train {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
    const fs::path d = fs::temp_directory_path() / ("winoq_data_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Record r: label r % 10, pixel (c, y, x) = (r + 3c + 5y + 7x) mod 256.
std::vector<uint8_t> cifar_records(int n) {
    std::vector<uint8_t> b;
    for (int r = 0; r < n; ++r) {
        b.push_back(static_cast<uint8_t>(r % 10));
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 32; ++y)
                for (int x = 0; x < 32; ++x) b.push_back(static_cast<uint8_t>((r + 3 * c + 5 * y + 7 * x) % 256));
    }
    return b;
}

template <typename F>
void expect_error_mentioning(F f, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no exception; expected one mentioning " << needle;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST(Cifar10Loader, ReadsLabelsAndChannelPlanarPixels) {
    const fs::path d = temp_dir();
    write_bytes(d / "a.bin", cifar_records(3));
    write_bytes(d / "b.bin", cifar_records(2));
    const ImageDataset ds = load_cifar10({(d / "a.bin").string(), (d / "b.bin").string()});
    ASSERT_EQ(ds.size(), 5);
    EXPECT_EQ(ds.images.sizes(), (std::vector<int64_t>{5, 3, 32, 32}));
    EXPECT_EQ(ds.labels[2].item<int64_t>(), 2);
    EXPECT_EQ(ds.labels[3].item<int64_t>(), 0);  // first record of b.bin
    EXPECT_EQ(ds.images[2][1][4][6].item<uint8_t>(), (2 + 3 + 20 + 42) % 256);
    EXPECT_EQ(ds.images[4][2][31][0].item<uint8_t>(), (1 + 6 + 155) % 256);
    fs::remove_all(d);
}

TEST(Cifar10Loader, RejectsTruncatedWrongAndMissingFiles) {
    const fs::path d = temp_dir();
    std::vector<uint8_t> b = cifar_records(2);
    b.resize(b.size() - 100);
    write_bytes(d / "cut.bin", b);
    expect_error_mentioning([&] { load_cifar10({(d / "cut.bin").string()}); }, "truncated");
    std::vector<uint8_t> bad = cifar_records(1);
    bad[0] = 200;
    write_bytes(d / "bad.bin", bad);
    expect_error_mentioning([&] { load_cifar10({(d / "bad.bin").string()}); }, "labels above 9");
    expect_error_mentioning([&] { load_cifar10({(d / "none.bin").string()}); }, "none.bin");
    write_bytes(d / "empty.bin", {});
    expect_error_mentioning([&] { load_cifar10({(d / "empty.bin").string()}); }, "empty");
    fs::remove_all(d);
}

std::vector<uint8_t> be32(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

void write_gzip(const fs::path& p, const std::vector<uint8_t>& b) {
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
    gzclose(f);
}

std::vector<uint8_t> idx_images(int n, uint32_t magic = 0x803) {
    std::vector<uint8_t> b = be32(magic);
    for (uint32_t v : {uint32_t(n), 28u, 28u}) {
        const auto e = be32(v);
        b.insert(b.end(), e.begin(), e.end());
    }
    for (int i = 0; i < n * 784; ++i) b.push_back(static_cast<uint8_t>(i * 13 % 251));
    return b;
}

std::vector<uint8_t> idx_labels(int n) {
    std::vector<uint8_t> b = be32(0x801), e = be32(uint32_t(n));
    b.insert(b.end(), e.begin(), e.end());
    for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>((i * 7) % 10));
    return b;
}

TEST(FashionMnistLoader, ReadsGzipAndPlainIdx) {
    const fs::path d = temp_dir();
    write_gzip(d / "img.gz", idx_images(4));
    write_gzip(d / "lab.gz", idx_labels(4));
    const ImageDataset ds = load_idx_pair((d / "img.gz").string(), (d / "lab.gz").string());
    ASSERT_EQ(ds.size(), 4);
    EXPECT_EQ(ds.images.sizes(), (std::vector<int64_t>{4, 1, 28, 28}));
    EXPECT_EQ(ds.labels[3].item<int64_t>(), 1);
    const int i = 2 * 784 + 5 * 28 + 9;
    EXPECT_EQ(ds.images[2][0][5][9].item<uint8_t>(), i * 13 % 251);
    write_bytes(d / "img.raw", idx_images(4));
    EXPECT_EQ(load_idx_pair((d / "img.raw").string(), (d / "lab.gz").string()).size(), 4);
    fs::remove_all(d);
}

TEST(FashionMnistLoader, RejectsTruncatedWrongAndMismatchedFiles) {
    const fs::path d = temp_dir();
    write_gzip(d / "lab.gz", idx_labels(4));
    // A gzip stream cut in the middle.
    write_gzip(d / "full.gz", idx_images(4));
    std::ifstream in(d / "full.gz", std::ios::binary);
    std::vector<uint8_t> gz((std::istreambuf_iterator<char>(in)), {});
    gz.resize(gz.size() / 2);
    write_bytes(d / "cut.gz", gz);
    expect_error_mentioning([&] { load_idx_pair((d / "cut.gz").string(), (d / "lab.gz").string()); }, "cut.gz");
    // Uncompressed but short of data.
    std::vector<uint8_t> raw = idx_images(4);
    raw.resize(raw.size() - 10);
    write_bytes(d / "short.raw", raw);
    expect_error_mentioning([&] { load_idx_pair((d / "short.raw").string(), (d / "lab.gz").string()); }, "truncated");
    // Labels where images belong.
    expect_error_mentioning([&] { load_idx_pair((d / "lab.gz").string(), (d / "lab.gz").string()); },
                            "not an IDX image");
    write_gzip(d / "img5.gz", idx_images(5));
    expect_error_mentioning([&] { load_idx_pair((d / "img5.gz").string(), (d / "lab.gz").string()); }, "5 images");
    expect_error_mentioning([&] { load_idx_pair((d / "nothing.gz").string(), (d / "lab.gz").string()); }, "nothing.gz");
    fs::remove_all(d);
}

TEST(FashionMnistLoader, RealFilesMatchTheDocumentedStatistics) {
    if (!fs::exists(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz"))
        GTEST_SKIP() << kFashionMnistDir << " absent (apt-get install dataset-fashion-mnist)";
    const ImageDataset train = load_fashion_mnist(kFashionMnistDir, true);
    const ImageDataset test = load_fashion_mnist(kFashionMnistDir, false);
    EXPECT_EQ(train.size(), 60000);
    EXPECT_EQ(test.size(), 10000);
    const torch::Tensor px = train.images.to(torch::kDouble) / 255.0;
    const Normalization n = fashion_mnist_normalization();
    EXPECT_NEAR(px.mean().item<double>(), n.mean[0], 5e-4);
    EXPECT_NEAR(px.std().item<double>(), n.std[0], 5e-4);
    EXPECT_EQ(torch::bincount(train.labels).min().item<int64_t>(), 6000);  // balanced classes
}

TEST(Batches, NormaliseAndAugmentAsDocumented) {
    ImageDataset ds;
    ds.images = torch::randint(0, 256, {6, 3, 32, 32}, torch::kLong).to(torch::kUInt8);
    ds.labels = torch::arange(6);
    const Normalization norm = cifar10_normalization();
    torch::Tensor labels;
    const torch::Tensor plain = normalized_range(ds, 0, 6, norm, &labels);
    EXPECT_NEAR(plain[1][2][3][4].item<float>(), (ds.images[1][2][3][4].item<uint8_t>() / 255.0 - 0.406) / 0.225, 1e-5);

    std::mt19937_64 rng(3);
    const std::vector<int64_t> idx = {5, 0, 3};
    const torch::Tensor aug = make_batch(ds, idx, norm, {4, true}, rng, &labels);
    EXPECT_EQ(labels[0].item<int64_t>(), 5);
    // Each augmented image is a window of the zero-padded (raw 0) image, maybe mirrored.
    const torch::Tensor padded = torch::constant_pad_nd(normalized_range(ds, 0, 6, norm, nullptr), {4, 4, 4, 4}, 0);
    const torch::Tensor zero_px = ((torch::zeros({1, 3, 1, 1}) - torch::tensor(norm.mean).view({1, 3, 1, 1})) /
                                   torch::tensor(norm.std).view({1, 3, 1, 1}));
    torch::Tensor padded_raw0 = normalized_range(ds, 0, 6, norm, nullptr);
    padded_raw0 = torch::constant_pad_nd(padded_raw0 - zero_px, {4, 4, 4, 4}, 0) + zero_px;
    for (size_t i = 0; i < idx.size(); ++i) {
        bool found = false;
        for (int oy = 0; oy <= 8 && !found; ++oy)
            for (int ox = 0; ox <= 8 && !found; ++ox) {
                const torch::Tensor win = padded_raw0[idx[i]].narrow(1, oy, 32).narrow(2, ox, 32);
                found = torch::allclose(aug[i], win, 1e-5, 1e-5) || torch::allclose(aug[i], win.flip({2}), 1e-5, 1e-5);
            }
        EXPECT_TRUE(found) << "image " << i;
    }
    (void)padded;
}

TEST(Batches, EpochOrderIsASeededPermutation) {
    const auto a = epoch_order(100, 7, 3, true), b = epoch_order(100, 7, 3, true), c = epoch_order(100, 7, 4, true);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    std::vector<int64_t> s = a;
    std::sort(s.begin(), s.end());
    for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(s[i], i);
    EXPECT_EQ(epoch_order(5, 1, 1, false), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace winoq::train
