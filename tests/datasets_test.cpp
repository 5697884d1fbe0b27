// winoq_datasets: CIFAR-10 binary and Fashion-MNIST IDX files generated here are read back to
// NHWC pixels and labels; empty, truncated and wrong-magic files are rejected naming the file.
// The real data sets are checked too when present (skipped otherwise).
#include "winoq/io/datasets.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string temp_dir(const std::string& name) {
    const fs::path dir = fs::path(::testing::TempDir()) / ("winoq_datasets_test_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    gzclose(f);
}

template <class F>
void expect_error(F&& f, const std::string& path, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no error for " << path;
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
}

// CIFAR-10 record i: label (i * 3) % 10; byte of plane c at pixel p: (i + 7c + p) mod 251.
uint8_t cifar_byte(int i, int c, int p) { return uint8_t((i + 7 * c + p) % 251); }
std::vector<uint8_t> cifar_records(int n) {
    std::vector<uint8_t> b;
    for (int i = 0; i < n; ++i) {
        b.push_back(uint8_t((i * 3) % 10));
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p) b.push_back(cifar_byte(i, c, p));
    }
    return b;
}

TEST(Cifar10, ReadsRecordsAsNhwc) {
    const std::string path = temp_dir("cifar") + "/batch.bin";
    write_file(path, cifar_records(3));
    const winoq::LabeledImages d = winoq::read_cifar10(path);
    ASSERT_EQ(d.count, 3);
    ASSERT_EQ(d.height, 32);
    ASSERT_EQ(d.width, 32);
    ASSERT_EQ(d.channels, 3);
    ASSERT_EQ(d.pixels.size(), 3u * 32 * 32 * 3);
    EXPECT_EQ(d.labels, (std::vector<int>{0, 3, 6}));
    for (int i = 0; i < 3; ++i)
        for (int y : {0, 5, 31})
            for (int x : {0, 17, 31})
                for (int c = 0; c < 3; ++c)
                    EXPECT_EQ(d.pixels[((size_t(i) * 32 + y) * 32 + x) * 3 + c], cifar_byte(i, c, y * 32 + x));
    EXPECT_EQ(d.class_names.size(), 10u);
    EXPECT_EQ(d.class_names[3], "cat");

    const winoq::LabeledImages two = winoq::read_cifar10(path, 2);
    EXPECT_EQ(two.count, 2);
    EXPECT_EQ(two.pixels.size(), 2u * 3072);
}

TEST(Cifar10, BadFiles) {
    const std::string dir = temp_dir("cifar_bad");
    std::vector<uint8_t> records = cifar_records(2);
    const std::string truncated = dir + "/truncated.bin";
    write_file(truncated, std::vector<uint8_t>(records.begin(), records.end() - 5));
    expect_error([&] { winoq::read_cifar10(truncated); }, truncated, "truncated");

    const std::string empty = dir + "/empty.bin";
    write_file(empty, {});
    expect_error([&] { winoq::read_cifar10(empty); }, empty, "empty");

    records[3073] = 12;  // the second record's label
    const std::string label = dir + "/label.bin";
    write_file(label, records);
    expect_error([&] { winoq::read_cifar10(label); }, label, "label 12");

    expect_error([&] { winoq::read_cifar10(dir + "/missing.bin"); }, dir + "/missing.bin", "no such file");
}

// IDX: n images of rows x cols, pixel (i, y, x) = (i * 31 + y * cols + x) mod 256, label i mod 10.
std::vector<uint8_t> idx_images(uint32_t magic, int n, int rows, int cols) {
    std::vector<uint8_t> b;
    for (uint32_t v : {magic, uint32_t(n), uint32_t(rows), uint32_t(cols)})
        for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
    for (int i = 0; i < n; ++i)
        for (int p = 0; p < rows * cols; ++p) b.push_back(uint8_t(i * 31 + p));
    return b;
}
std::vector<uint8_t> idx_labels(uint32_t magic, int n) {
    std::vector<uint8_t> b;
    for (uint32_t v : {magic, uint32_t(n)})
        for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
    for (int i = 0; i < n; ++i) b.push_back(uint8_t(i % 10));
    return b;
}

TEST(FashionMnist, ReadsGzipIdx) {
    const std::string dir = temp_dir("fmnist");
    write_gz(dir + "/t10k-images-idx3-ubyte.gz", idx_images(0x803, 12, 4, 5));
    write_gz(dir + "/t10k-labels-idx1-ubyte.gz", idx_labels(0x801, 12));
    const winoq::LabeledImages d = winoq::read_fashion_mnist(dir);
    ASSERT_EQ(d.count, 12);
    ASSERT_EQ(d.height, 4);
    ASSERT_EQ(d.width, 5);
    ASSERT_EQ(d.channels, 1);
    for (int i = 0; i < 12; ++i) {
        EXPECT_EQ(d.labels[i], i % 10);
        for (int p = 0; p < 20; ++p) EXPECT_EQ(d.pixels[size_t(i) * 20 + p], uint8_t(i * 31 + p));
    }
    EXPECT_EQ(d.class_names.at(9), "Ankle boot");
    EXPECT_EQ(winoq::read_fashion_mnist(dir, "t10k", 5).count, 5);
    EXPECT_THROW(winoq::read_fashion_mnist(dir, "train"), std::runtime_error);  // no train files here
    EXPECT_THROW(winoq::read_fashion_mnist(dir, "valid"), std::invalid_argument);

    // Plain (uncompressed) IDX reads the same.
    write_file(dir + "/plain-images", idx_images(0x803, 12, 4, 5));
    write_file(dir + "/plain-labels", idx_labels(0x801, 12));
    EXPECT_EQ(winoq::read_idx_images(dir + "/plain-images", dir + "/plain-labels").pixels, d.pixels);
}

TEST(FashionMnist, BadFiles) {
    const std::string dir = temp_dir("fmnist_bad");
    const std::string img = dir + "/img.gz", lab = dir + "/lab.gz";
    write_gz(lab, idx_labels(0x801, 3));

    write_gz(img, idx_images(0x801, 3, 4, 4));  // label magic on the image file
    expect_error([&] { winoq::read_idx_images(img, lab); }, img, "magic");
    write_gz(img, idx_images(0x803, 3, 4, 4));
    write_gz(lab, idx_labels(0x803, 3));
    expect_error([&] { winoq::read_idx_images(img, lab); }, lab, "magic");

    write_gz(lab, idx_labels(0x801, 4));  // 3 images, 4 labels
    expect_error([&] { winoq::read_idx_images(img, lab); }, img, "4 labels");

    write_gz(lab, idx_labels(0x801, 3));
    std::vector<uint8_t> short_images = idx_images(0x803, 3, 4, 4);
    short_images.resize(short_images.size() - 1);
    write_gz(img, short_images);
    expect_error([&] { winoq::read_idx_images(img, lab); }, img, "truncated");

    // A gzip stream cut short.
    write_gz(img, idx_images(0x803, 3, 4, 4));
    std::ifstream in(img, std::ios::binary);
    std::vector<uint8_t> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    gz.resize(gz.size() - 10);
    write_file(img, gz);
    expect_error([&] { winoq::read_idx_images(img, lab); }, img, "");

    write_file(img, {1, 2, 3});
    expect_error([&] { winoq::read_idx_images(img, lab); }, img, "too short");
}

TEST(RealData, FashionMnistTestSet) {
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(dir + "/t10k-images-idx3-ubyte.gz"))
        GTEST_SKIP() << dir << " absent (Debian package dataset-fashion-mnist)";
    const winoq::LabeledImages d = winoq::read_fashion_mnist(dir);
    EXPECT_EQ(d.count, 10000);
    EXPECT_EQ(d.height, 28);
    EXPECT_EQ(d.width, 28);
    std::vector<int> per_class(10, 0);
    for (int l : d.labels) per_class.at(l)++;
    for (int n : per_class) EXPECT_EQ(n, 1000);  // the test set is balanced
}

TEST(RealData, Cifar10Batch) {
    const std::string path = std::string(WINOQ_DEFAULT_CIFAR_DIR) + "/data_batch_1.bin";
    if (!fs::exists(path)) GTEST_SKIP() << path << " absent (scripts fetch CIFAR-10 into build/cifar)";
    const winoq::LabeledImages d = winoq::read_cifar10(path, 100);
    EXPECT_EQ(d.count, 100);
    EXPECT_EQ(winoq::read_cifar10(path).count, 10000);
}

}  // namespace
