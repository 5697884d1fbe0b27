// winoq-fuzz-seeds OUT_DIR: the seed corpora of the fuzzers (tests/fuzz/), small valid inputs
// in OUT_DIR/<fuzzer>/ (scripts/run-fuzzers.sh writes build-fuzz/seeds/):
//   model        tiny models (a few channels, 8x8 input) with every op kind and conv variant,
//                quantized by the core's quantizers (conv_params.h) and written by serialize_model
//   safetensors  the same model files and plain safetensors files (F32 / I8 / I32, scalar,
//                empty tensor, no tensors)
//   png          every PNG colour type and bit depth, tRNS, palettes, Adam7 interlacing
//   cifar10      CIFAR-10 binary batches of one and two records
//   idx          IDX image + label pairs, plain and gzip, in the idx fuzzer's input layout
// Every seed is checked to be accepted by its reader before it is written. Deterministic.
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "winoq/model/random_model.h"
#include "winoq/io/datasets.h"
#include "winoq/io/png_image.h"
#include "winoq/io/safetensors.h"
#include "winoq/model/model.h"
#include "winoq/numerics/conv_params.h"

namespace fs = std::filesystem;
using namespace winoq;

namespace {

fs::path g_out;

void write_seed(const std::string& fuzzer, const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path dir = g_out / fuzzer;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

// --- Tiny models (runtime/model/random_model.cpp: every op kind, 3x3 stride-1 convs in v) ------
Model block_model(Variant v, int in_channels, uint64_t seed) {
    return make_random_model("block", variant_name(v), 8, in_channels, seed);
}
Model stem_model(Variant v, uint64_t seed) { return make_random_model("stem", variant_name(v), 8, 3, seed); }
// Format version 2's ops: clamps and max pools of non-default windows.
Model graph_model(Variant v, uint64_t seed) { return make_random_model("graph", variant_name(v), 8, 3, seed); }

void model_seeds() {
    std::vector<std::pair<std::string, Model>> models;
    uint64_t seed = 1;
    for (Variant v : kAllVariants) models.emplace_back(std::string(variant_name(v)), block_model(v, 3, seed++));
    models.emplace_back("grey-cf43", block_model(Variant::kCF43, 1, seed++));
    models.emplace_back("stem-f23", stem_model(Variant::kF23, seed++));
    models.emplace_back("graph-cf43", graph_model(Variant::kCF43, seed++));
    for (const auto& [name, m] : models) {
        const std::vector<uint8_t> bytes = serialize_model(m);
        parse_model(bytes, name);  // must load
        write_seed("model", name + ".winoq", bytes);
        write_seed("safetensors", "model-" + name + ".safetensors", bytes);
    }
}

// --- Plain safetensors -------------------------------------------------------------------------

void safetensors_seeds() {
    const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
        {"mixed.safetensors",
         serialize_safetensors({{"a.weight", tensor_f32({2, 3}, {0.5f, -1.f, 2.f, 1e-3f, -0.f, 3.25f})},
                                {"b", tensor_i8({4}, {-127, 0, 1, 127})},
                                {"c.bias", tensor_i32({1, 2}, {-70000, 2147483647})}},
                               {{"format", "test"}, {"note", "{\"json\": [1, 2]}"}})},
        {"scalar-and-empty.safetensors",
         serialize_safetensors({{"scalar", tensor_f32({}, {1.5f})}, {"empty", tensor_i8({0, 3}, {})}})},
        {"none.safetensors", serialize_safetensors({})},
    };
    for (const auto& [name, bytes] : files) {
        SafetensorsFile::parse(bytes, name);  // must load
        write_seed("safetensors", name, bytes);
    }
}

// --- PNGs --------------------------------------------------------------------------------------

struct PngSpec {
    std::string name;
    int width, height, color_type, bit_depth;
    bool interlaced = false, trns = false;
};

void append_png(png_structp png, png_bytep data, size_t n) {
    auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}
void flush_png(png_structp) {}

// libpng reports errors by longjmp: only trivially destructible locals here.
bool png_write_phase(png_structp png, png_infop info, const PngSpec* s, png_bytep* rows, png_colorp palette,
                     int num_palette, png_bytep trans_alpha, int num_trans, png_color_16p trans_color) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_IHDR(png, info, png_uint_32(s->width), png_uint_32(s->height), s->bit_depth, s->color_type,
                 s->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (s->color_type == PNG_COLOR_TYPE_PALETTE) png_set_PLTE(png, info, palette, num_palette);
    if (s->trns) png_set_tRNS(png, info, trans_alpha, num_trans, trans_color);
    png_write_info(png, info);
    if (s->interlaced) png_set_interlace_handling(png);
    png_write_image(png, rows);
    png_write_end(png, info);
    return true;
}

std::vector<uint8_t> encode_png(const PngSpec& s) {
    const int channels = s.color_type == PNG_COLOR_TYPE_GRAY         ? 1
                         : s.color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                         : s.color_type == PNG_COLOR_TYPE_RGB        ? 3
                         : s.color_type == PNG_COLOR_TYPE_RGB_ALPHA  ? 4
                                                                     : 1;  // palette indices
    const int max_sample = (1 << s.bit_depth) - 1;
    const int num_palette = s.color_type == PNG_COLOR_TYPE_PALETTE ? std::min(max_sample + 1, 7) : 0;
    const size_t row_bytes = (size_t(s.width) * channels * s.bit_depth + 7) / 8;
    std::vector<uint8_t> pixels(row_bytes * s.height, 0);
    for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
            for (int c = 0; c < channels; ++c) {
                const int i = x * channels + c;
                int v = (x * 37 + y * 11 + c * 71) % (max_sample + 1);
                if (num_palette) v = (x + 2 * y) % num_palette;
                uint8_t* row = &pixels[size_t(y) * row_bytes];
                if (s.bit_depth == 16) {
                    v = (x * 9001 + y * 433 + c * 20011) % 65536;
                    row[2 * i] = uint8_t(v >> 8), row[2 * i + 1] = uint8_t(v);
                } else if (s.bit_depth == 8) {
                    row[i] = uint8_t(v);
                } else {  // packed, most significant bits first
                    const int per_byte = 8 / s.bit_depth, shift = (per_byte - 1 - i % per_byte) * s.bit_depth;
                    row[i / per_byte] |= uint8_t(v << shift);
                }
            }
    std::vector<png_color> palette(size_t(std::max(num_palette, 1)));
    for (int i = 0; i < num_palette; ++i)
        palette[i] = {png_byte(40 * i), png_byte(255 - 30 * i), png_byte(90 + 20 * i)};
    png_byte trans_alpha[3] = {0, 128, 200};
    png_color_16 trans_color{};
    trans_color.gray = trans_color.red = png_uint_16(3 % (max_sample + 1));
    trans_color.green = png_uint_16(37 % (max_sample + 1));
    trans_color.blue = png_uint_16(71 % (max_sample + 1));

    std::vector<png_bytep> rows(s.height);
    for (int y = 0; y < s.height; ++y) rows[y] = &pixels[size_t(y) * row_bytes];
    std::vector<uint8_t> out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) throw std::runtime_error("libpng could not start");
    png_set_write_fn(png, &out, append_png, flush_png);
    const bool ok =
        png_write_phase(png, info, &s, rows.data(), palette.data(), num_palette, num_palette ? trans_alpha : nullptr,
                        num_palette ? 3 : 0, num_palette ? nullptr : &trans_color);
    png_destroy_write_struct(&png, &info);
    if (!ok) throw std::runtime_error("cannot encode " + s.name);
    return out;
}

void png_seeds() {
    const int G = PNG_COLOR_TYPE_GRAY, GA = PNG_COLOR_TYPE_GRAY_ALPHA, RGB = PNG_COLOR_TYPE_RGB,
              RGBA = PNG_COLOR_TYPE_RGB_ALPHA, P = PNG_COLOR_TYPE_PALETTE;
    const std::vector<PngSpec> specs = {
        {"grey1", 9, 5, G, 1},
        {"grey2", 7, 3, G, 2},
        {"grey4", 5, 4, G, 4},
        {"grey8", 6, 6, G, 8},
        {"grey16", 4, 4, G, 16},
        {"grey8-trns", 5, 3, G, 8, false, true},
        {"grey4-adam7", 9, 9, G, 4, true},
        {"grey-alpha8", 5, 5, GA, 8},
        {"grey-alpha16", 3, 3, GA, 16},
        {"rgb8", 8, 6, RGB, 8},
        {"rgb16", 4, 3, RGB, 16},
        {"rgb8-trns", 4, 4, RGB, 8, false, true},
        {"rgb8-adam7", 9, 7, RGB, 8, true},
        {"rgba8", 5, 4, RGBA, 8},
        {"rgba16", 3, 2, RGBA, 16},
        {"palette1", 10, 3, P, 1},
        {"palette2", 6, 5, P, 2},
        {"palette4", 7, 7, P, 4, false, true},
        {"palette8", 12, 2, P, 8, true, true},
        {"wide-grey8", 64, 1, G, 8},
        {"tall-rgb8", 1, 40, RGB, 8},
    };
    for (const PngSpec& s : specs) {
        const std::vector<uint8_t> bytes = encode_png(s);
        winoq::decode_png(bytes.data(), bytes.size(), s.name);  // must load
        write_seed("png", s.name + ".png", bytes);
    }
}

// --- CIFAR-10 and IDX ----------------------------------------------------------------------------

std::vector<uint8_t> cifar_records(int count) {
    std::vector<uint8_t> b;
    for (int i = 0; i < count; ++i) {
        b.push_back(uint8_t((3 + 6 * i) % 10));
        for (int p = 0; p < 3072; ++p) b.push_back(uint8_t(p * 7 + i * 13));
    }
    return b;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflate");
    std::vector<uint8_t> out(deflateBound(&z, uLong(in.size())) + 32);
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = uInt(in.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    const int r = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (r != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    return out;
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// The idx fuzzer's input: 4-byte little-endian length of the image file, the image file, the
// label file (idx_fuzzer.cpp). The pair must load (read_fashion_mnist on a scratch directory).
std::vector<uint8_t> idx_input(int count, int rows, int cols, bool gz_images, bool gz_labels) {
    std::vector<uint8_t> img, lab;
    put32(img, 0x803), put32(img, uint32_t(count)), put32(img, uint32_t(rows)), put32(img, uint32_t(cols));
    put32(lab, 0x801), put32(lab, uint32_t(count));
    for (int i = 0; i < count; ++i) {
        lab.push_back(uint8_t((i * 7) % 10));
        for (int p = 0; p < rows * cols; ++p) img.push_back(uint8_t(p * 3 + i));
    }
    if (gz_images) img = gzip(img);
    if (gz_labels) lab = gzip(lab);
    write_seed("idx-check", "t10k-images-idx3-ubyte", img);
    write_seed("idx-check", "t10k-labels-idx1-ubyte", lab);
    read_fashion_mnist((g_out / "idx-check").string(), "t10k");
    fs::remove_all(g_out / "idx-check");
    std::vector<uint8_t> b;
    for (int s = 0; s < 32; s += 8) b.push_back(uint8_t(img.size() >> s));
    b.insert(b.end(), img.begin(), img.end());
    b.insert(b.end(), lab.begin(), lab.end());
    return b;
}

void dataset_seeds() {
    for (int records : {1, 2}) {
        const std::string name = std::to_string(records) + "-records.bin";
        write_seed("cifar10", name, cifar_records(records));
        read_cifar10((g_out / "cifar10" / name).string());  // must load
    }
    write_seed("idx", "plain-2x3x3", idx_input(2, 3, 3, false, false));
    write_seed("idx", "gzip-3x4x4", idx_input(3, 4, 4, true, true));
    write_seed("idx", "mixed-4x5x2", idx_input(4, 5, 2, true, false));
    write_seed("idx", "plain-1x28x28", idx_input(1, 28, 28, false, false));
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    model_seeds();
    safetensors_seeds();
    png_seeds();
    dataset_seeds();
    size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(g_out)) files += e.is_regular_file();
    std::printf("winoq-fuzz-seeds: %zu seed files in %s\n", files, g_out.string().c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "winoq-fuzz-seeds: %s\n", e.what());
    return 1;
}
