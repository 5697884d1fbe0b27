// Resource limits of every reader (docs/security.md, "Readers"): hostile files made here at test
// time (a FIFO, a character device, sparse files above the caps, a PNG whose text chunk
// declares 2 GB, a 67 x 1,000,000 PNG, a 1 MB gzip IDX that inflates to 1 GiB, safetensors
// headers built to cost memory) are refused with one error naming the file and the limit, and
// each runs in a child process under an address-space ceiling (RLIMIT_AS, as `ulimit -v`), so a
// reader that allocated what the file claims would fail here, not on a user's machine. Every
// test also checks that it ended with an exception, never a signal, and within seconds.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hostile_inputs.h"
#include "memory_ceiling.h"
#include "winoq/io/datasets.h"
#include "winoq/io/file_read.h"
#include "winoq/io/json_limits.h"
#include "winoq/io/png_image.h"
#include "winoq/io/safetensors.h"
#include "winoq/model/model.h"

namespace winoq {
namespace {

namespace fs = std::filesystem;
using test::ChildOutcome;

constexpr unsigned long long kMiB = 1ull << 20;

std::string temp_dir(const std::string& name) {
    const fs::path dir = fs::path(::testing::TempDir()) / ("winoq_hostile_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

// Runs `body` under a ceiling of `extra` bytes (and a 20 s alarm: a blocked read ends as a
// signal, not a hung test) and expects a std::runtime_error whose message holds every needle.
void expect_refused(unsigned long long extra, const std::function<void()>& body,
                    const std::vector<std::string>& needles) {
    const auto start = std::chrono::steady_clock::now();
    const ChildOutcome r = test::run_with_memory_ceiling(extra, [&] {
        ::alarm(20);
        body();
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(r.kind, ChildOutcome::kRuntimeError) << r.describe();
    for (const std::string& n : needles) EXPECT_NE(r.message.find(n), std::string::npos) << r.message;
    EXPECT_LT(seconds, 5.0) << r.message;
    std::printf("    refused in %.2f s, peak RSS %ld KB, ceiling +%llu MiB: %s\n", seconds, r.peak_rss_kb, extra / kMiB,
                r.message.c_str());
}

// --- The one file-opening helper ---------------------------------------------------------

TEST(FileRead, RefusesFifoDeviceDirectoryAndMissingFilesWithoutReading) {
    const std::string dir = temp_dir("file_read");
    const std::string fifo = dir + "/pipe";
    test::make_fifo(fifo);  // nobody writes to it: opening it for reading would block forever
    expect_refused(8 * kMiB, [&] { read_regular_file(fifo, 1 << 20, "test file"); },
                   {fifo + ": is a FIFO (named pipe), not a regular file", "a test file is read only from a regular"});
    expect_refused(8 * kMiB, [&] { read_regular_file("/dev/zero", 1 << 20, "test file"); },
                   {"/dev/zero: is a character device, not a regular file"});
    expect_refused(8 * kMiB, [&] { read_regular_file(dir, 1 << 20, "test file"); },
                   {dir + ": is a directory, not a test file"});
    expect_refused(8 * kMiB, [&] { read_regular_file(dir + "/missing", 1 << 20, "test file"); },
                   {dir + "/missing: no such file"});
}

TEST(FileRead, SizeCapIsCheckedBeforeReadingAndNamed) {
    const std::string path = temp_dir("file_cap") + "/big";
    test::make_sparse_file(path, 1025);
    expect_refused(8 * kMiB, [&] { read_regular_file(path, 1024, "test file"); },
                   {path + ": file is 1.0 kB (1025 bytes), above the 1 KiB limit for a test file"});
    test::make_sparse_file(path, 1024);
    EXPECT_EQ(read_regular_file(path, 1024, "test file").size(), 1024u);
    EXPECT_TRUE(read_regular_file(path, 1024, "test file") == std::vector<uint8_t>(1024, 0));
}

TEST(FileRead, FilesThatChangeWhileReadAreErrors) {
    const std::string path = temp_dir("file_change") + "/f";
    test::write_file(path, std::vector<uint8_t>(100, 7));
    {
        RegularFile f = RegularFile::open(path, 1000, "test file");
        fs::resize_file(path, 40);
        std::vector<uint8_t> buf(100);
        try {
            f.read_exactly(buf.data(), 100);
            ADD_FAILURE() << "a shrunk file read whole";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(path + ": file shrank while being read"), std::string::npos)
                << e.what();
        }
    }
    test::write_file(path, std::vector<uint8_t>(100, 7));
    {
        RegularFile f = RegularFile::open(path, 1000, "test file");
        test::write_file(path, std::vector<uint8_t>(150, 7));
        std::vector<uint8_t> buf(100);
        f.read_exactly(buf.data(), 100);
        try {
            f.expect_end();
            ADD_FAILURE() << "a grown file went unnoticed";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(path + ": file grew while being read"), std::string::npos) << e.what();
        }
    }
}

TEST(FileRead, SizesAndLimitsInMessages) {
    EXPECT_EQ(format_limit(uint64_t(1) << 30), "1 GiB");
    EXPECT_EQ(format_limit(uint64_t(16) << 20), "16 MiB");
    EXPECT_EQ(format_limit(1000), "1000 bytes");
    EXPECT_EQ(format_size(12), "12 bytes");
    EXPECT_EQ(format_size(3100000000ull), "3.1 GB (3100000000 bytes)");
    EXPECT_EQ(format_size(999999), "1.0 MB (999999 bytes)");
}

// --- Every reader: non-regular files and files above its cap ------------------------------

struct Reader {
    const char* name;
    std::function<void(const std::string&)> read;
    uint64_t cap;
    const char* kind;
};

std::vector<Reader> readers() {
    return {
        {"load_model", [](const std::string& p) { load_model(p); }, kMaxSafetensorsFileBytes, "model file"},
        {"SafetensorsFile::load", [](const std::string& p) { SafetensorsFile::load(p); }, kMaxSafetensorsFileBytes,
         "safetensors file"},
        {"read_png", [](const std::string& p) { read_png(p); }, kMaxPngFileBytes, "PNG image"},
        {"read_cifar10", [](const std::string& p) { read_cifar10(p); }, kMaxCifarFileBytes, "CIFAR-10 batch"},
        {"read_idx_images (images)", [](const std::string& p) { read_idx_images(p, "/nonexistent/labels"); },
         kMaxIdxFileBytes, "IDX file"},
    };
}

TEST(EveryReader, RefusesFifoAndDeviceAtOnce) {
    const std::string fifo = temp_dir("readers_fifo") + "/pipe";
    test::make_fifo(fifo);
    for (const Reader& r : readers()) {
        SCOPED_TRACE(r.name);
        expect_refused(16 * kMiB, [&] { r.read(fifo); }, {fifo + ": is a FIFO (named pipe)", r.kind});
        expect_refused(16 * kMiB, [&] { r.read("/dev/zero"); }, {"/dev/zero: is a character device", r.kind});
    }
}

TEST(EveryReader, RefusesAFileAboveItsCapBeforeReading) {
    const std::string dir = temp_dir("readers_cap");
    for (const Reader& r : readers()) {
        SCOPED_TRACE(r.name);
        const std::string path = dir + "/sparse";
        test::make_sparse_file(path, r.cap + 1);  // no disk blocks; reading it would take the cap
        expect_refused(16 * kMiB, [&] { r.read(path); },
                       {path + ": file is ", "above the " + format_limit(r.cap) + " limit for " +
                                                 (r.kind[0] == 'I' ? "an " : "a ") + r.kind});
    }
    // The issue's example: a 3.1 GB model file.
    const std::string model = dir + "/model.safetensors";
    test::make_sparse_file(model, 3100000000ull);
    expect_refused(16 * kMiB, [&] { load_model(model); },
                   {model + ": file is 3.1 GB (3100000000 bytes), above the 1 GiB limit for a model file"});
}

TEST(EveryReader, FashionMnistDirectoryWithAFifo) {
    const std::string dir = temp_dir("fmnist_fifo");
    test::make_fifo(dir + "/t10k-images-idx3-ubyte.gz");
    test::make_fifo(dir + "/t10k-labels-idx1-ubyte.gz");
    expect_refused(16 * kMiB, [&] { read_fashion_mnist(dir); }, {"t10k-images-idx3-ubyte.gz: is a FIFO"});
}

// --- PNG ----------------------------------------------------------------------------------

TEST(HostilePng, TextChunkDeclaring2GBIsAnErrorNotAnAllocation) {
    const std::string path = temp_dir("png_text") + "/text.png";
    const std::vector<uint8_t> bytes = test::png_with_huge_text_chunk();
    EXPECT_LT(bytes.size(), 300u);
    test::write_file(path, bytes);
    // Before: libpng warned "chunk data is too large", the warning was swallowed and it
    // allocated and zeroed the 2 GB.
    expect_refused(32 * kMiB, [&] { read_png(path); },
                   {path + ": invalid PNG: ", "chunk data is too large", "the limit is 8 MiB per chunk"});
}

TEST(HostilePng, TallImageIsRefusedAtItsHeader) {
    const std::string path = temp_dir("png_tall") + "/tall.png";
    const std::vector<uint8_t> bytes = test::png_of_zeros(67, 1000000, 3);
    EXPECT_LT(bytes.size(), 300u * 1024);
    test::write_file(path, bytes);
    expect_refused(32 * kMiB, [&] { read_png(path); },
                   {path + ": image is 67x1000000 pixels, above the limit of 65536 pixels per side"});
    const std::string big = temp_dir("png_big") + "/big.png";
    test::write_file(big, test::png_header_only(8193, 8193));
    expect_refused(32 * kMiB, [&] { read_png(big); },
                   {big + ": image is 8193x8193 = 67125249 pixels, above the limit of 67108864 pixels"});
}

TEST(HostilePng, FileTooSmallForItsPixelsIsRefusedBeforeAllocating) {
    // 8000 x 8000 grey (64 MB of pixels) in 45 bytes: before, the pixels were allocated first.
    const std::string path = temp_dir("png_small") + "/small.png";
    std::vector<uint8_t> bytes = test::png_header_only(8000, 8000);
    test::write_file(path, bytes);
    expect_refused(16 * kMiB, [&] { read_png(path); },
                   {path + ": truncated: 8000x8000 pixels need at least 64.0 MB (64000000 bytes) of image data, "
                           "more than a file of 45 bytes can hold (deflate compresses at most 1032:1)"});
}

TEST(HostilePng, LargestImageFitsItsBudgetAndFailsCleanlyWithoutIt) {
    const std::string path = temp_dir("png_largest") + "/largest.png";
    test::write_file(path, test::png_of_zeros(8192, 8192, 1));  // exactly kMaxPngPixels, grey
    // With the memory it needs (64 MiB of pixels): read.
    const ChildOutcome ok = test::run_with_memory_ceiling(256 * kMiB, [&] {
        const Image8 img = read_png(path);
        if (img.width != 8192 || img.height != 8192 || img.pixels[12345] != 0) throw std::runtime_error("bad pixels");
    });
    EXPECT_EQ(ok.kind, ChildOutcome::kReturned) << ok.describe();
    // Without it: an exception (std::bad_alloc from the pixel buffer), never a signal.
    if (!test::memory_ceiling_supported()) GTEST_SKIP() << "no address-space ceiling under a sanitizer";
    const ChildOutcome starved = test::run_with_memory_ceiling(16 * kMiB, [&] { read_png(path); });
    EXPECT_TRUE(starved.kind == ChildOutcome::kBadAlloc || starved.kind == ChildOutcome::kRuntimeError)
        << starved.describe();
}

TEST(HostilePng, FitImageMemoryDoesNotGrowWithTheImageHeight) {
    // 1 x 4,000,000 grey to 224 x 224 RGB: the whole-height pass kept 4e6 x 224 doubles (7 GB).
    Image8 strip;
    strip.width = 1;
    strip.height = 4000000;
    strip.channels = 1;
    strip.pixels.assign(size_t(strip.height), 100);
    const ChildOutcome a = test::run_with_memory_ceiling(32 * kMiB, [&] {
        const Image8 out = fit_image(strip, 224, 224, 3);
        if (out.pixels.size() != 224u * 224 * 3 || out.pixels[7] != 100) throw std::runtime_error("bad output");
    });
    EXPECT_EQ(a.kind, ChildOutcome::kReturned) << a.describe();
    // 67 x 1,000,000 RGB to 32 x 32 (the issue's image): 1e6 x 32 x 3 doubles (768 MB) before.
    Image8 tall;
    tall.width = 67;
    tall.height = 1000000;
    tall.channels = 3;
    tall.pixels.assign(size_t(67) * 1000000 * 3, 200);
    const ChildOutcome b = test::run_with_memory_ceiling(32 * kMiB, [&] {
        const Image8 out = fit_image(tall, 32, 32, 3);
        if (out.pixels.size() != 32u * 32 * 3 || out.pixels[0] != 200) throw std::runtime_error("bad output");
    });
    EXPECT_EQ(b.kind, ChildOutcome::kReturned) << b.describe();
}

TEST(HostilePng, MetadataChunksAreSkippedUnread) {
    // A zTXt chunk inflating to 64 MiB before the pixels: skipped, the image reads as usual.
    const std::string path = temp_dir("png_ztxt") + "/ztxt.png";
    test::write_file(path, test::png_with_ztxt_bomb(64 << 20));
    const ChildOutcome r = test::run_with_memory_ceiling(16 * kMiB, [&] {
        const Image8 img = read_png(path);
        if (img.width != 8 || img.height != 8 || img.pixels[0] != 0) throw std::runtime_error("bad pixels");
    });
    EXPECT_EQ(r.kind, ChildOutcome::kReturned) << r.describe();
}

TEST(HostilePng, BenignErrorsAreErrors) {
    // A grey image with a 1-byte tRNS (grey needs 2): libpng's "benign" error, now an error.
    const std::string path = temp_dir("png_trns") + "/trns.png";
    test::write_file(path, test::png_with_bad_trns());
    expect_refused(16 * kMiB, [&] { read_png(path); }, {path + ": invalid PNG: ", "tRNS: invalid"});
}

// --- IDX (Fashion-MNIST) ------------------------------------------------------------------

TEST(HostileIdx, GzipBombStopsAtThePromisedSize) {
    const std::string dir = temp_dir("idx_bomb");
    // The header promises 60000 x 28 x 28 (47 MB, Fashion-MNIST's training set); the 1 MB
    // stream inflates to 1 GiB. Before: all of it was inflated into memory, then the size checked.
    const std::string img = dir + "/train-images-idx3-ubyte.gz", lab = dir + "/train-labels-idx1-ubyte.gz";
    test::write_gzip_idx_bomb(img, lab, 60000, 28, 28, uint64_t(1) << 30);
    EXPECT_LT(fs::file_size(img), 2u << 20);
    expect_refused(128 * kMiB, [&] { read_fashion_mnist(dir, "train"); },
                   {img + ": trailing data: more than 47040016 bytes, the header says 47040016"});
}

TEST(HostileIdx, HeaderCountsAreCheckedBeforeAllocating) {
    const std::string dir = temp_dir("idx_header");
    const std::string img = dir + "/img.gz", lab = dir + "/lab.gz";
    test::write_gzip_idx_bomb(img, lab, 400000, 28, 28, 1 << 20);  // 313 MB promised
    expect_refused(16 * kMiB, [&] { read_idx_images(img, lab); },
                   {img + ": the header says 400000 images of 28x28 = 313.6 MB (313600000 bytes), above the "
                          "256 MiB limit for IDX image data"});
    test::write_gzip_idx_bomb(img, lab, 0xffffffffu, 1, 1, 1 << 20);
    expect_refused(16 * kMiB, [&] { read_idx_images(img, lab); },
                   {img + ": the header says 4294967295 images, above the limit of 16777216"});
    test::write_gzip_idx_bomb(img, lab, 10, 5000, 28, 1 << 20);
    expect_refused(16 * kMiB, [&] { read_idx_images(img, lab); },
                   {img + ": implausible image size 5000x28 (the limit is 4096 per side)"});
}

// --- safetensors ------------------------------------------------------------------------------

TEST(HostileSafetensors, HeaderLengthAboveTheCap) {
    // A 99 MB header (under the specification's 100 MB) parsed to ~2.2 GB before.
    expect_refused(16 * kMiB, [&] { SafetensorsFile::parse(test::safetensors_declaring_header(99000000), "h.st"); },
                   {"h.st: header length 99000000 is above the 16 MiB limit for a safetensors header"});
}

TEST(HostileSafetensors, DenseHeaderStopsAtTheValueLimit) {
    // 16 MiB of "[],": 5.6 million JSON values, each an allocation when parsed.
    std::vector<uint8_t> bytes = test::safetensors_with_dense_header((16 << 20) - 64);
    expect_refused(160 * kMiB, [&] { SafetensorsFile::parse(std::move(bytes), "dense.st"); },
                   {"dense.st: header holds more than 1048576 JSON values, the limit for a safetensors header"});
}

TEST(HostileSafetensors, DeepNestingTooManyTensorsAndHighRank) {
    std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
    auto file = [](const std::string& h) {
        std::vector<uint8_t> b;
        for (int i = 0; i < 8; ++i) b.push_back(uint8_t(uint64_t(h.size()) >> (8 * i)));
        b.insert(b.end(), h.begin(), h.end());
        return b;
    };
    expect_refused(16 * kMiB, [&] { SafetensorsFile::parse(file(deep), "deep.st"); }, {"deep.st: header nests deeper"});
    std::string many = "{";
    for (size_t i = 0; i <= kMaxSafetensorsTensors; ++i)
        many += (i ? "," : "") + std::string("\"t") + std::to_string(i) +
                "\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[0,0]}";
    many += "}";
    expect_refused(128 * kMiB, [&] { SafetensorsFile::parse(file(many), "many.st"); },
                   {"many.st: header lists 65537 tensors, above the limit of 65536 for a safetensors file"});
    expect_refused(16 * kMiB,
                   [&] {
                       SafetensorsFile::parse(
                           file(R"({"a":{"dtype":"I8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}})"), "rank.st");
                   },
                   {"rank.st", "shape has 9 dimensions, above the limit of 8"});
}

TEST(JsonLimits, CountsValuesAndDepthWithoutBuilding) {
    EXPECT_EQ(json_limit_problem(R"({"a":[1,2,{"b":null}]})", 8, 3), "");  // {, a, [, 1, 2, {, b, null
    EXPECT_EQ(json_limit_problem(R"({"a":[1,2,{"b":null}]})", 7, 3), "holds more than 7 JSON values");
    EXPECT_EQ(json_limit_problem(R"({"a":[1,2,{"b":null}]})", 8, 2), "nests deeper than 2 levels");
    EXPECT_EQ(json_limit_problem("[1,", 100, 10).rfind("is not valid JSON: ", 0), 0u);
    EXPECT_EQ(json_limit_problem("", 100, 10).rfind("is not valid JSON", 0), 0u);
    // 100 MB of "[]," would be ~2 GB parsed; counting stops after the limit.
    std::string dense = "[" + std::string(3 * 2000000, ' ') + "]";
    for (size_t i = 1; i + 3 < dense.size(); i += 3) dense.replace(i, 3, "[],");
    EXPECT_EQ(json_limit_problem(dense, 1000, 10), "holds more than 1000 JSON values");
}

TEST(HostileSafetensors, ShapeProductOverflowIsRefusedEvenWithAZero) {
    const std::string h = R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})";
    std::vector<uint8_t> b;
    for (int i = 0; i < 8; ++i) b.push_back(uint8_t(uint64_t(h.size()) >> (8 * i)));
    b.insert(b.end(), h.begin(), h.end());
    expect_refused(16 * kMiB, [&] { SafetensorsFile::parse(b, "zero.st"); },
                   {"zero.st", "tensor 'a': the product of its shape's dimensions overflows a 64-bit count"});
    EXPECT_EQ(checked_numel({4294967296, 4294967296, 0}), std::nullopt);
    EXPECT_EQ(checked_numel({4294967296, 0, 7}), 0);
    EXPECT_EQ(checked_numel({3037000499, 3037000499}), int64_t(3037000499) * 3037000499);
    EXPECT_EQ(checked_numel({3037000500, 3037000500}), std::nullopt);
    EXPECT_EQ(checked_numel({-1}), std::nullopt);
    EXPECT_EQ(checked_numel({}), 1);
    TensorInfo t;
    t.shape = {int64_t(1) << 32, int64_t(1) << 32, 0};
    EXPECT_THROW(t.numel(), std::overflow_error);
}

TEST(HostileSafetensors, AllocationFailureIsAnException) {
    // A valid 64 MiB file read with 16 MiB to spare: std::bad_alloc, never a signal; load_model
    // keeps it a std::bad_alloc too (the CLI says "out of memory").
    const std::string path = temp_dir("st_oom") + "/big.safetensors";
    save_safetensors(path, {{"w", tensor_i8({64 << 20}, std::vector<int8_t>(64 << 20, 1))}});
    const ChildOutcome ok = test::run_with_memory_ceiling(256 * kMiB, [&] { SafetensorsFile::load(path).i8("w"); });
    EXPECT_EQ(ok.kind, ChildOutcome::kReturned) << ok.describe();
    if (!test::memory_ceiling_supported()) GTEST_SKIP() << "no address-space ceiling under a sanitizer";
    const ChildOutcome r = test::run_with_memory_ceiling(16 * kMiB, [&] { SafetensorsFile::load(path); });
    EXPECT_EQ(r.kind, ChildOutcome::kBadAlloc) << r.describe();
    const ChildOutcome m = test::run_with_memory_ceiling(16 * kMiB, [&] { load_model(path); });
    EXPECT_EQ(m.kind, ChildOutcome::kBadAlloc) << m.describe();
}

}  // namespace
}  // namespace winoq
