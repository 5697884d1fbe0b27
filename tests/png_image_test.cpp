// winoq_image: every PNG colour type / bit depth / interlace / tRNS read back to the expected
// 8-bit pixels (the PNGs are written here with libpng directly), bad files rejected with a
// runtime_error naming the file, and the resize + centre crop of the runner's input.
#include "winoq/io/png_image.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

using winoq::Image8;

struct PngSpec {
    int width = 0, height = 0, color_type = PNG_COLOR_TYPE_GRAY, bit_depth = 8;
    bool interlace = false;
    std::vector<std::vector<uint8_t>> rows;  // packed PNG row bytes (big-endian 16-bit samples)
    std::vector<png_color> palette;
    std::vector<uint8_t> trns_alpha;  // palette tRNS
    bool trns_colour = false;         // grey / RGB tRNS
    png_color_16 trns_value{};
};

void append_bytes(png_structp png, png_bytep data, size_t n) {
    auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}
void no_flush(png_structp) {}

// POD-only frame: libpng longjmps here on error.
bool write_phase(png_structp png, png_infop info, const PngSpec* s, png_bytep* rows) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_IHDR(png, info, s->width, s->height, s->bit_depth, s->color_type,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (!s->palette.empty()) png_set_PLTE(png, info, s->palette.data(), int(s->palette.size()));
    if (!s->trns_alpha.empty()) png_set_tRNS(png, info, s->trns_alpha.data(), int(s->trns_alpha.size()), nullptr);
    if (s->trns_colour) png_set_tRNS(png, info, nullptr, 0, &s->trns_value);
    png_write_info(png, info);
    if (s->interlace) png_set_interlace_handling(png);
    png_write_image(png, rows);
    png_write_end(png, nullptr);
    return true;
}

std::vector<uint8_t> encode(const PngSpec& s) {
    std::vector<uint8_t> out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_set_write_fn(png, &out, append_bytes, no_flush);
    std::vector<png_bytep> rows;
    for (auto& r : s.rows) rows.push_back(const_cast<png_bytep>(r.data()));
    const bool ok = write_phase(png, info, &s, rows.data());
    png_destroy_write_struct(&png, &info);
    EXPECT_TRUE(ok) << "the test could not write its PNG";
    return out;
}

Image8 decode(const std::vector<uint8_t>& bytes) { return winoq::decode_png(bytes.data(), bytes.size(), "test.png"); }

// Packs samples of `depth` bits (<= 8) MSB first, as PNG rows are stored.
std::vector<uint8_t> pack(const std::vector<int>& samples, int depth) {
    std::vector<uint8_t> row((samples.size() * depth + 7) / 8, 0);
    for (size_t i = 0; i < samples.size(); ++i) {
        const size_t bit = i * depth;
        row[bit / 8] |= uint8_t(samples[i] << (8 - depth - bit % 8));
    }
    return row;
}

std::string temp_path(const std::string& name) {
    return (std::filesystem::path(::testing::TempDir()) / ("winoq_png_test_" + name)).string();
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// The expected 8-bit value of a `depth`-bit sample: v * 255 / (2^depth - 1), rounded.
int to8(int v, int depth) { return int(std::lround(v * 255.0 / ((1 << depth) - 1))); }

TEST(PngRead, Grey8BitExact) {
    PngSpec s;
    s.width = 3;
    s.height = 2;
    s.rows = {{0, 17, 255}, {128, 200, 1}};
    const Image8 img = decode(encode(s));
    ASSERT_EQ(img.width, 3);
    ASSERT_EQ(img.height, 2);
    ASSERT_EQ(img.channels, 1);
    EXPECT_EQ(img.pixels, (std::vector<uint8_t>{0, 17, 255, 128, 200, 1}));
}

TEST(PngRead, GreyLowBitDepthsScaleToFullRange) {
    for (int depth : {1, 2, 4}) {
        const int max = (1 << depth) - 1;
        std::vector<int> samples;
        for (int v = 0; v <= max; ++v) samples.push_back(v);
        samples.push_back(max);  // odd widths exercise the partial last byte
        PngSpec s;
        s.width = int(samples.size());
        s.height = 1;
        s.bit_depth = depth;
        s.rows = {pack(samples, depth)};
        const Image8 img = decode(encode(s));
        ASSERT_EQ(img.channels, 1);
        for (size_t i = 0; i < samples.size(); ++i)
            EXPECT_EQ(img.pixels[i], to8(samples[i], depth)) << "depth " << depth << " sample " << samples[i];
    }
}

TEST(PngRead, Grey16BitRoundsTo8Bits) {
    const std::vector<int> samples = {0x0000, 0xFFFF, 0x1234, 0x8000, 0x00FF};
    std::vector<uint8_t> row;
    for (int v : samples) row.insert(row.end(), {uint8_t(v >> 8), uint8_t(v & 0xFF)});
    PngSpec s;
    s.width = int(samples.size());
    s.height = 1;
    s.bit_depth = 16;
    s.rows = {row};
    const Image8 img = decode(encode(s));
    for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(img.pixels[i], to8(samples[i], 16)) << samples[i];
}

TEST(PngRead, GreyAlphaCompositedOnWhite) {
    PngSpec s;
    s.width = 4;
    s.height = 1;
    s.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
    // (grey, alpha): opaque, fully transparent, 20% opaque black, 20% opaque 100.
    s.rows = {{10, 255, 10, 0, 0, 51, 100, 51}};
    const Image8 img = decode(encode(s));
    ASSERT_EQ(img.channels, 1);
    EXPECT_EQ(img.pixels, (std::vector<uint8_t>{10, 255, 204, 224}));  // 0.2*v + 0.8*255
}

TEST(PngRead, Rgb8And16Bit) {
    PngSpec s;
    s.width = 2;
    s.height = 1;
    s.color_type = PNG_COLOR_TYPE_RGB;
    s.rows = {{1, 2, 3, 250, 128, 0}};
    const Image8 img = decode(encode(s));
    ASSERT_EQ(img.channels, 3);
    EXPECT_EQ(img.pixels, (std::vector<uint8_t>{1, 2, 3, 250, 128, 0}));

    s.bit_depth = 16;
    s.rows = {{0xFF, 0xFF, 0x00, 0x00, 0x12, 0x34, 0x80, 0x00, 0x00, 0xFF, 0x40, 0x00}};
    const Image8 img16 = decode(encode(s));
    EXPECT_EQ(img16.pixels, (std::vector<uint8_t>{255, 0, uint8_t(to8(0x1234, 16)), uint8_t(to8(0x8000, 16)),
                                                  uint8_t(to8(0x00FF, 16)), uint8_t(to8(0x4000, 16))}));
}

TEST(PngRead, RgbaCompositedOnWhite) {
    PngSpec s;
    s.width = 3;
    s.height = 1;
    s.color_type = PNG_COLOR_TYPE_RGB_ALPHA;
    s.rows = {{10, 20, 30, 255, 10, 20, 30, 0, 0, 100, 255, 51}};
    const Image8 img = decode(encode(s));
    ASSERT_EQ(img.channels, 3);
    EXPECT_EQ(img.pixels, (std::vector<uint8_t>{10, 20, 30, 255, 255, 255, 204, 224, 255}));
}

TEST(PngRead, PaletteAllDepthsWithTransparency) {
    const std::vector<png_color> palette = {{0, 0, 0}, {255, 0, 0}, {0, 100, 0}, {7, 8, 9}};
    for (int depth : {2, 4, 8}) {
        PngSpec s;
        s.width = 4;
        s.height = 1;
        s.color_type = PNG_COLOR_TYPE_PALETTE;
        s.bit_depth = depth;
        s.palette = palette;
        s.trns_alpha = {255, 0, 51};  // entry 1 transparent, entry 2 20% opaque, entry 3 opaque
        s.rows = {pack({0, 1, 2, 3}, depth)};
        const Image8 img = decode(encode(s));
        ASSERT_EQ(img.channels, 3) << depth;
        EXPECT_EQ(img.pixels, (std::vector<uint8_t>{0, 0, 0, 255, 255, 255, 204, 224, 204, 7, 8, 9})) << depth;
    }
    PngSpec one;  // 1-bit palette, no tRNS
    one.width = 3;
    one.height = 1;
    one.color_type = PNG_COLOR_TYPE_PALETTE;
    one.bit_depth = 1;
    one.palette = {{10, 20, 30}, {40, 50, 60}};
    one.rows = {pack({1, 0, 1}, 1)};
    EXPECT_EQ(decode(encode(one)).pixels, (std::vector<uint8_t>{40, 50, 60, 10, 20, 30, 40, 50, 60}));
}

TEST(PngRead, GreyAndRgbTrnsColourBecomesWhite) {
    PngSpec g;
    g.width = 3;
    g.height = 1;
    g.trns_colour = true;
    g.trns_value.gray = 7;
    g.rows = {{7, 8, 0}};
    EXPECT_EQ(decode(encode(g)).pixels, (std::vector<uint8_t>{255, 8, 0}));

    PngSpec g4 = g;  // low bit depth: the tRNS value is in the file's own depth
    g4.bit_depth = 4;
    g4.trns_value.gray = 3;
    g4.rows = {pack({3, 1, 15}, 4)};
    EXPECT_EQ(decode(encode(g4)).pixels, (std::vector<uint8_t>{255, uint8_t(to8(1, 4)), 255}));

    PngSpec c;
    c.width = 2;
    c.height = 1;
    c.color_type = PNG_COLOR_TYPE_RGB;
    c.trns_colour = true;
    c.trns_value.red = 1;
    c.trns_value.green = 2;
    c.trns_value.blue = 3;
    c.rows = {{1, 2, 3, 1, 2, 4}};
    EXPECT_EQ(decode(encode(c)).pixels, (std::vector<uint8_t>{255, 255, 255, 1, 2, 4}));
}

TEST(PngRead, InterlacedEqualsNonInterlaced) {
    PngSpec s;
    s.width = 13;  // not a multiple of 8: partial Adam7 passes
    s.height = 11;
    s.color_type = PNG_COLOR_TYPE_RGB;
    for (int y = 0; y < s.height; ++y) {
        std::vector<uint8_t> row;
        for (int x = 0; x < s.width; ++x) row.insert(row.end(), {uint8_t(x * 19), uint8_t(y * 23), uint8_t(x * y)});
        s.rows.push_back(row);
    }
    const Image8 plain = decode(encode(s));
    s.interlace = true;
    const std::vector<uint8_t> bytes = encode(s);
    EXPECT_NE(bytes, encode([&] {
                  PngSpec p = s;
                  p.interlace = false;
                  return p;
              }()));
    const Image8 inter = decode(bytes);
    EXPECT_EQ(inter.pixels, plain.pixels);
    EXPECT_EQ(inter.at(10, 12, 0), uint8_t(12 * 19));
    EXPECT_EQ(inter.at(10, 12, 2), uint8_t(120));

    PngSpec bw;  // 1-bit grey, interlaced
    bw.width = 9;
    bw.height = 9;
    bw.bit_depth = 1;
    bw.interlace = true;
    for (int y = 0; y < 9; ++y) {
        std::vector<int> samples;
        for (int x = 0; x < 9; ++x) samples.push_back((x + y) % 2);
        bw.rows.push_back(pack(samples, 1));
    }
    const Image8 b = decode(encode(bw));
    for (int y = 0; y < 9; ++y)
        for (int x = 0; x < 9; ++x) EXPECT_EQ(b.at(y, x), (x + y) % 2 ? 255 : 0);
}

// ---- bad files --------------------------------------------------------------------------------

void expect_error_naming(const std::string& path, const std::string& needle) {
    try {
        winoq::read_png(path);
        ADD_FAILURE() << path << ": read_png did not throw";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
}

std::vector<uint8_t> small_rgb_png() {
    PngSpec s;
    s.width = 8;
    s.height = 8;
    s.color_type = PNG_COLOR_TYPE_RGB;
    for (int y = 0; y < 8; ++y) s.rows.push_back(std::vector<uint8_t>(24, uint8_t(y * 30)));
    return encode(s);
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int i = 3; i >= 0; --i) b.push_back(uint8_t(v >> (8 * i)));
}
void put_chunk(std::vector<uint8_t>& b, const char* type, const std::vector<uint8_t>& data) {
    put32(b, uint32_t(data.size()));
    std::vector<uint8_t> typed(type, type + 4);
    typed.insert(typed.end(), data.begin(), data.end());
    b.insert(b.end(), typed.begin(), typed.end());
    put32(b, uint32_t(crc32(0, typed.data(), uInt(typed.size()))));
}

TEST(PngRead, BadFilesGiveRuntimeErrorsNamingTheFile) {
    const std::vector<uint8_t> good = small_rgb_png();
    const std::string good_path = temp_path("good.png");
    write_file(good_path, good);
    EXPECT_EQ(winoq::read_png(good_path).width, 8);

    const std::string truncated = temp_path("truncated.png");
    write_file(truncated, std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 2));
    expect_error_naming(truncated, "truncated");

    const std::string no_iend = temp_path("no_iend.png");  // all pixels, the final chunk missing
    write_file(no_iend, std::vector<uint8_t>(good.begin(), good.end() - 12));
    expect_error_naming(no_iend, "truncated");

    const std::string text = temp_path("text.png");
    write_file(text, std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
    expect_error_naming(text, "not a PNG");

    const std::string tiny = temp_path("tiny.png");
    write_file(tiny, std::vector<uint8_t>{0x89, 'P'});
    expect_error_naming(tiny, "not a PNG");

    const std::string empty = temp_path("empty.png");
    write_file(empty, {});
    expect_error_naming(empty, "empty");

    // A hand-made PNG whose IHDR says 0 x 5 pixels (libpng refuses to write one).
    std::vector<uint8_t> zero = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> ihdr;
    put32(ihdr, 0);
    put32(ihdr, 5);
    ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
    put_chunk(zero, "IHDR", ihdr);
    put_chunk(zero, "IEND", {});
    const std::string zero_path = temp_path("zero.png");
    write_file(zero_path, zero);
    expect_error_naming(zero_path, "invalid PNG");

    std::vector<uint8_t> bad_crc = good;  // a flipped bit inside IHDR
    bad_crc[20] ^= 0x01;
    const std::string crc_path = temp_path("crc.png");
    write_file(crc_path, bad_crc);
    expect_error_naming(crc_path, "invalid PNG");

    expect_error_naming(temp_path("does_not_exist.png"), "no such file");
    expect_error_naming(::testing::TempDir(), "directory");
}

// ---- writing ----------------------------------------------------------------------------------

TEST(PngWrite, GreyAndRgbRoundTrip) {
    for (int channels : {1, 3}) {
        Image8 img;
        img.width = 5;
        img.height = 3;
        img.channels = channels;
        for (int i = 0; i < 5 * 3 * channels; ++i) img.pixels.push_back(uint8_t(i * 17 + 3));
        const std::string path = temp_path("roundtrip" + std::to_string(channels) + ".png");
        winoq::write_png(path, img);
        const Image8 back = winoq::read_png(path);
        EXPECT_EQ(back.width, 5);
        EXPECT_EQ(back.height, 3);
        EXPECT_EQ(back.channels, channels);
        EXPECT_EQ(back.pixels, img.pixels);
    }
    Image8 bad;
    bad.width = 2;
    bad.height = 2;
    bad.channels = 3;
    bad.pixels.resize(5);
    EXPECT_THROW(winoq::write_png(temp_path("bad.png"), bad), std::runtime_error);
    Image8 ok = bad;
    ok.pixels.resize(12);
    EXPECT_THROW(winoq::write_png("/nonexistent-dir/x.png", ok), std::runtime_error);
}

// ---- fit_image --------------------------------------------------------------------------------

Image8 make(int w, int h, int c, const std::function<uint8_t(int, int, int)>& f) {
    Image8 img;
    img.width = w;
    img.height = h;
    img.channels = c;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < c; ++k) img.pixels.push_back(f(y, x, k));
    return img;
}

TEST(FitImage, SameSizeIsIdentity) {
    const Image8 img = make(7, 7, 3, [](int y, int x, int c) { return uint8_t(y * 31 + x * 7 + c * 50); });
    EXPECT_EQ(winoq::fit_image(img, 7, 7, 3).pixels, img.pixels);
}

TEST(FitImage, CentreCropOfWideAndTallImages) {
    const Image8 wide = make(48, 32, 1, [](int, int x, int) { return uint8_t(x); });
    const Image8 a = winoq::fit_image(wide, 32, 32, 1);
    ASSERT_EQ(a.width, 32);
    ASSERT_EQ(a.height, 32);
    for (int x = 0; x < 32; ++x) EXPECT_EQ(a.at(5, x), 8 + x);  // columns 8..39 of 48
    const Image8 tall = make(4, 9, 1, [](int y, int, int) { return uint8_t(10 * y); });
    const Image8 b = winoq::fit_image(tall, 4, 4, 1);
    for (int y = 0; y < 4; ++y) EXPECT_EQ(b.at(y, 0), 10 * (2 + y));  // (9 - 4) / 2 = 2 rows dropped on top
}

TEST(FitImage, ShrinkingAveragesAreas) {
    // 2x2 blocks of distinct values: halving gives each block's mean.
    const Image8 img = make(
        8, 8, 1, [](int y, int x, int) { return uint8_t((y / 2) * 40 + (x / 2) * 10 + (x % 2) * 2 + (y % 2) * 4); });
    const Image8 half = winoq::fit_image(img, 4, 4, 1);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) EXPECT_EQ(half.at(y, x), y * 40 + x * 10 + 3);  // mean of +0, +2, +4, +6
    // A one-pixel checkerboard shrunk 9x (odd: areas hold 41 / 40 pixels) stays mid-grey (no aliasing).
    const Image8 board = make(288, 288, 1, [](int y, int x, int) { return uint8_t((x + y) % 2 ? 255 : 0); });
    const Image8 small = winoq::fit_image(board, 32, 32, 1);
    for (uint8_t v : small.pixels) EXPECT_NEAR(v, 127.5, 2.0);
}

TEST(FitImage, EnlargingIsBilinearBetweenCentres) {
    const Image8 img = make(2, 2, 1, [](int, int x, int) { return uint8_t(x * 100); });
    const Image8 big = winoq::fit_image(img, 4, 4, 1);
    // Output centres at input x = -0.25, 0.25, 0.75, 1.25 (edges clamped).
    const int expected[4] = {0, 25, 75, 100};
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) EXPECT_EQ(big.at(y, x), expected[x]) << y << "," << x;
}

TEST(FitImage, ChannelConversions) {
    const Image8 rgb = make(2, 1, 3, [](int, int x, int c) { return uint8_t(x == 0 ? (c == 0 ? 255 : 0) : 200); });
    const Image8 grey = winoq::fit_image(rgb, 2, 1, 1);
    ASSERT_EQ(grey.channels, 1);
    EXPECT_EQ(grey.at(0, 0), 76);   // ITU-R BT.601: 0.299 * 255 = 76.2
    EXPECT_EQ(grey.at(0, 1), 200);  // grey in, grey out (the weights sum to 1)
    const Image8 g = make(3, 1, 1, [](int, int x, int) { return uint8_t(x * 90 + 1); });
    const Image8 rgb2 = winoq::fit_image(g, 3, 1, 3);
    ASSERT_EQ(rgb2.channels, 3);
    for (int x = 0; x < 3; ++x)
        for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb2.at(0, x, c), x * 90 + 1);
    EXPECT_THROW(winoq::fit_image(g, 3, 1, 2), std::invalid_argument);
    EXPECT_THROW(winoq::fit_image(g, 0, 1, 1), std::invalid_argument);
}

// The resize as it was before it streamed (every source row resized horizontally first, then
// the vertical pass over all of them), kept here verbatim as the oracle: the streamed
// fit_image must equal it bit for bit.
std::vector<std::vector<std::pair<int, double>>> old_axis_taps(int in, int out, double scale, double offset) {
    std::vector<std::vector<std::pair<int, double>>> taps(out);
    for (int o = 0; o < out; ++o) {
        auto& t = taps[o];
        if (scale > 1.0) {
            const double a = offset + o * scale, b = a + scale;
            double sum = 0;
            for (int i = int(std::floor(a)); i < int(std::ceil(b)); ++i) {
                const double w = std::min(b, double(i + 1)) - std::max(a, double(i));
                if (w <= 0) continue;
                t.push_back({std::clamp(i, 0, in - 1), w});
                sum += w;
            }
            for (auto& x : t) x.second /= sum;
        } else {
            const double centre = offset + (o + 0.5) * scale - 0.5;
            const int i0 = int(std::floor(centre));
            const double f = centre - i0;
            t.push_back({std::clamp(i0, 0, in - 1), 1.0 - f});
            if (f > 0) t.push_back({std::clamp(i0 + 1, 0, in - 1), f});
        }
    }
    return taps;
}

Image8 old_fit_image(const Image8& image, int width, int height, int channels) {
    const double scale = std::min(double(image.width) / width, double(image.height) / height);
    double off_x = (image.width - width * scale) / 2, off_y = (image.height - height * scale) / 2;
    if (scale == 1.0) {
        off_x = std::floor(off_x);
        off_y = std::floor(off_y);
    }
    const auto tx = old_axis_taps(image.width, width, scale, off_x);
    const auto ty = old_axis_taps(image.height, height, scale, off_y);
    const int sc = image.channels;
    std::vector<double> rows(size_t(image.height) * width * sc, 0.0);
    for (int y = 0; y < image.height; ++y) {
        double* dst = &rows[size_t(y) * width * sc];
        for (int x = 0; x < width; ++x)
            for (const auto& t : tx[x]) {
                const uint8_t* s = &image.pixels[(size_t(y) * image.width + t.first) * sc];
                for (int c = 0; c < sc; ++c) dst[x * sc + c] += t.second * s[c];
            }
    }
    Image8 out;
    out.width = width;
    out.height = height;
    out.channels = channels;
    out.pixels.resize(size_t(width) * height * channels);
    auto to8 = [](double v) { return uint8_t(std::clamp(std::floor(v + 0.5), 0.0, 255.0)); };
    std::vector<double> px(sc);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            std::fill(px.begin(), px.end(), 0.0);
            for (const auto& t : ty[y])
                for (int c = 0; c < sc; ++c) px[c] += t.second * rows[(size_t(t.first) * width + x) * sc + c];
            uint8_t* d = &out.pixels[(size_t(y) * width + x) * channels];
            if (channels == sc) {
                for (int c = 0; c < sc; ++c) d[c] = to8(px[c]);
            } else if (channels == 1) {
                d[0] = to8(winoq::luma601(px[0], px[1], px[2]));
            } else {
                d[0] = d[1] = d[2] = to8(px[0]);
            }
        }
    return out;
}

TEST(FitImage, StreamedResizeEqualsTheWholeImagePassBitForBit) {
    uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
    const int sizes[][2] = {{7, 7},     {48, 32}, {32, 48},   {4, 9},     {288, 288}, {1, 300}, {300, 1},
                            {67, 1000}, {33, 97}, {640, 480}, {225, 224}, {31, 5},    {2, 2},   {500, 37}};
    const int outs[][2] = {{32, 32}, {28, 28}, {224, 224}, {5, 9}, {1, 1}, {64, 17}};
    int compared = 0;
    for (const auto& s : sizes)
        for (const auto& o : outs)
            for (int sc : {1, 3})
                for (int oc : {1, 3}) {
                    const Image8 img = make(s[0], s[1], sc, [&](int, int, int) { return uint8_t(next() >> 24); });
                    const Image8 got = winoq::fit_image(img, o[0], o[1], oc);
                    const Image8 want = old_fit_image(img, o[0], o[1], oc);
                    ASSERT_EQ(got.pixels, want.pixels)
                        << s[0] << "x" << s[1] << "x" << sc << " -> " << o[0] << "x" << o[1] << "x" << oc;
                    ++compared;
                }
    EXPECT_EQ(compared, 14 * 6 * 4);
}

}  // namespace
