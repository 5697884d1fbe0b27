// PNG reading / writing with libpng, and the resize + centre crop of the runner's input.
//
// libpng reports errors by longjmp. A longjmp must not skip C++ destructors, so every libpng
// call that may fail runs inside a small "phase" function that holds only trivially
// destructible locals and calls setjmp itself; the C++ objects (buffers, the error message)
// live in the callers, which longjmp never crosses.
#include "winoq/io/png_image.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "winoq/io/file_read.h"

namespace winoq {
namespace {

struct PngError {
    char message[256] = "unknown libpng error";
};

void on_png_error(png_structp png, png_const_charp msg) {
    auto* e = static_cast<PngError*>(png_get_error_ptr(png));
    std::snprintf(e->message, sizeof e->message, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

// Warnings about resources (a limit exceeded, a chunk too large, memory that libpng could not
// get) are errors: libpng would otherwise carry on without the data or with a huge buffer.
// Other warnings (a CRC error in a skipped chunk) do not stop reading; stay quiet.
void on_png_warning(png_structp png, png_const_charp msg) {
    if (!msg) return;
    for (const char* word : {"exceed", "too large", "memory", "limit"})
        if (std::strstr(msg, word)) png_error(png, msg);
}

// libpng's message, with the limit behind it where one applies.
std::string explain(const char* libpng_message) {
    std::string m = libpng_message;
    if (m.find("chunk data is too large") != std::string::npos)
        m += " (the limit is " + format_limit(kMaxPngChunkBytes) + " per chunk other than image data)";
    else if (m.find("user limit") != std::string::npos)
        m += " (the limit is " + std::to_string(kMaxPngSide) + " pixels per side)";
    else if (m.find("memory") != std::string::npos)
        m += " (out of memory)";
    return m;
}

uint32_t big_endian32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

struct MemoryReader {
    const uint8_t* data;
    size_t size, pos;
};

void read_from_memory(png_structp png, png_bytep out, size_t n) {
    auto* r = static_cast<MemoryReader*>(png_get_io_ptr(png));
    if (n > r->size - r->pos) png_error(png, "file is truncated");
    std::memcpy(out, r->data + r->pos, n);
    r->pos += n;
}

struct DecodedHeader {
    uint32_t width, height;
    int channels;  // after the transforms: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
};

// Phase 1: header, and the transforms that turn every PNG into 8-bit G / GA / RGB / RGBA.
bool read_header_phase(png_structp png, png_infop info, DecodedHeader* h) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_info(png, info);
    const int color = png_get_color_type(png, info);
    const int depth = png_get_bit_depth(png, info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16) png_set_scale_16(png);  // rounds 16 -> 8 bits (strip_16 would truncate)
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    h->width = png_get_image_width(png, info);
    h->height = png_get_image_height(png, info);
    h->channels = png_get_channels(png, info);
    if (png_get_bit_depth(png, info) != 8) png_error(png, "unsupported bit depth after conversion");
    return true;
}

// Phase 2: the pixels (all passes of an interlaced image) and the chunks after them.
bool read_rows_phase(png_structp png, png_infop info, png_bytep* rows) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_image(png, rows);
    png_read_end(png, info);
    return true;
}

struct ReadStructs {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~ReadStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// Composites 2 / 4 interleaved channels (colour + alpha) on white into 1 / 3 channels, in place
// (no second image-sized buffer): pixel p's output starts at p * colour <= p * channels, and
// each output byte is written after every input byte at or below it has been read.
void composite_on_white(std::vector<uint8_t>& px, size_t pixels, int channels) {
    const int colour = channels - 1;
    for (size_t p = 0; p < pixels; ++p) {
        const size_t in = p * channels, out = p * colour;
        const unsigned a = px[in + colour];
        for (int c = 0; c < colour; ++c) px[out + c] = uint8_t((px[in + c] * a + 255u * (255u - a) + 127u) / 255u);
    }
    px.resize(pixels * colour);  // keeps the capacity: shrink_to_fit would copy
}

[[noreturn]] void fail(const std::string& what, const std::string& problem) {
    throw std::runtime_error(what + ": " + problem);
}

// Resource limits (docs/security.md): sides, chunk sizes, kept chunks; benign errors (a
// chunk above the size limit, data after the image, a bad tRNS) are errors; every chunk
// but IHDR, PLTE, tRNS, IDAT and IEND is skipped unread (nothing else changes the pixels).
void set_read_limits(png_structp png) {
    png_set_user_limits(png, kMaxPngSide, kMaxPngSide);
    png_set_chunk_malloc_max(png, kMaxPngChunkBytes);
    png_set_chunk_cache_max(png, kMaxPngChunkCache);
    png_set_benign_errors(png, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
}

// The size limits, from the IHDR chunk (always first, at byte 8; 13 bytes and its CRC) before
// libpng runs: a message with the numbers. libpng checks the same limits again
// (png_set_user_limits), and reports a damaged IHDR itself.
void check_ihdr_limits(const uint8_t* data, size_t size, const std::string& what) {
    if (size >= 33 && big_endian32(data + 8) == 13 && std::memcmp(data + 12, "IHDR", 4) == 0 &&
        crc32(0, data + 12, 17) == big_endian32(data + 29)) {
        const uint32_t w = big_endian32(data + 16), hh = big_endian32(data + 20);
        if (w > kMaxPngSide || hh > kMaxPngSide)
            fail(what, "image is " + std::to_string(w) + "x" + std::to_string(hh) + " pixels, above the limit of " +
                           std::to_string(kMaxPngSide) + " pixels per side");
        if (uint64_t(w) * hh > kMaxPngPixels)
            fail(what, "image is " + std::to_string(w) + "x" + std::to_string(hh) + " = " +
                           std::to_string(uint64_t(w) * hh) + " pixels, above the limit of " +
                           std::to_string(kMaxPngPixels) + " pixels");
        // Deflate compresses at most 1032:1, so a file too small to hold the image data is
        // refused before the pixels are allocated (the stored samples alone take
        // width x height x channels x depth bits).
        static const int kChannels[] = {1, 0, 3, 1, 2, 0, 4};  // by colour type 0..6
        const int depth = data[24], colour = data[25];
        const int channels = colour <= 6 ? kChannels[colour] : 0;
        const uint64_t min_data = (uint64_t(w) * hh * channels * depth + 7) / 8;
        const bool known = channels > 0 && (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16);
        if (known && min_data > uint64_t(size) * 1032 + 65536)  // else libpng names the bad IHDR
            fail(what, "truncated: " + std::to_string(w) + "x" + std::to_string(hh) + " pixels need at least " +
                           format_size(min_data) + " of image data, more than a file of " + format_size(size) +
                           " can hold (deflate compresses at most 1032:1)");
    }
}

}  // namespace

Image8 decode_png(const uint8_t* data, size_t size, const std::string& what) {
    if (size == 0) fail(what, "empty file (not a PNG image)");
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) fail(what, "not a PNG file");

    check_ihdr_limits(data, size, what);

    PngError error;
    ReadStructs s;
    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, on_png_error, on_png_warning);
    if (!s.png) fail(what, "libpng could not start (out of memory)");
    s.info = png_create_info_struct(s.png);
    if (!s.info) fail(what, "libpng could not start (out of memory)");
    set_read_limits(s.png);
    MemoryReader reader{data, size, 0};
    png_set_read_fn(s.png, &reader, read_from_memory);

    DecodedHeader h{};
    if (!read_header_phase(s.png, s.info, &h)) fail(what, "invalid PNG: " + explain(error.message));
    if (uint64_t(h.width) * h.height > kMaxPngPixels)  // never: checked above from the same IHDR
        fail(what, "image is " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                       " pixels, above the limit of " + std::to_string(kMaxPngPixels) + " pixels");

    const size_t row_bytes = png_get_rowbytes(s.png, s.info);
    if (row_bytes != size_t(h.width) * h.channels) fail(what, "unexpected row size after conversion");
    std::vector<uint8_t> pixels(row_bytes * h.height);
    std::vector<png_bytep> rows(h.height);
    for (uint32_t y = 0; y < h.height; ++y) rows[y] = pixels.data() + y * row_bytes;
    if (!read_rows_phase(s.png, s.info, rows.data())) fail(what, "invalid PNG: " + explain(error.message));

    Image8 img;
    img.width = int(h.width);
    img.height = int(h.height);
    if (h.channels == 2 || h.channels == 4) {
        img.channels = h.channels - 1;
        composite_on_white(pixels, size_t(h.width) * h.height, h.channels);
    } else {
        img.channels = h.channels;
    }
    img.pixels = std::move(pixels);
    return img;
}

Image8 read_png(const std::string& path) {
    const std::vector<uint8_t> bytes = read_regular_file(path, kMaxPngFileBytes, "PNG image");
    return decode_png(bytes.data(), bytes.size(), path);
}

// ---------------------------------------------------------------------------------------------
// Writing.
namespace {

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

struct WriteStructs {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~WriteStructs() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

bool write_phase(png_structp png, png_infop info, FILE* file, const Image8* img, png_bytep* rows) {
    if (setjmp(png_jmpbuf(png))) return false;
    static const int kColorTypes[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                      PNG_COLOR_TYPE_RGB_ALPHA};
    png_init_io(png, file);
    png_set_IHDR(png, info, png_uint_32(img->width), png_uint_32(img->height), 8, kColorTypes[img->channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, nullptr);
    return true;
}

}  // namespace

void write_png(const std::string& path, const Image8& image) {
    if (image.channels < 1 || image.channels > 4)
        fail(path, "cannot write a PNG with " + std::to_string(image.channels) + " channels");
    if (image.width <= 0 || image.height <= 0) fail(path, "cannot write an empty image");
    if (image.pixels.size() != size_t(image.width) * image.height * image.channels)
        fail(path, "pixel buffer does not match width x height x channels");

    std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
    if (!file) fail(path, std::string("cannot create: ") + std::strerror(errno));
    PngError error;
    WriteStructs s;
    s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, on_png_error, on_png_warning);
    if (!s.png) fail(path, "libpng could not start (out of memory)");
    s.info = png_create_info_struct(s.png);
    if (!s.info) fail(path, "libpng could not start (out of memory)");
    std::vector<png_bytep> rows(image.height);
    const size_t row_bytes = size_t(image.width) * image.channels;
    for (int y = 0; y < image.height; ++y) rows[y] = const_cast<png_bytep>(image.pixels.data() + y * row_bytes);
    if (!write_phase(s.png, s.info, file.get(), &image, rows.data()))
        fail(path, std::string("PNG write failed: ") + error.message);
    if (std::fflush(file.get()) != 0 || std::ferror(file.get()))
        fail(path, std::string("write error: ") + std::strerror(errno));
}

// ---------------------------------------------------------------------------------------------
// Resize + centre crop.
namespace {

struct Tap {
    int index;
    double weight;
};

// Output pixel o of one axis covers the input interval [offset + o*scale, offset + (o+1)*scale).
std::vector<std::vector<Tap>> axis_taps(int in, int out, double scale, double offset) {
    std::vector<std::vector<Tap>> taps(out);
    for (int o = 0; o < out; ++o) {
        std::vector<Tap>& t = taps[o];
        if (scale > 1.0) {  // shrinking: the exact mean over the covered interval
            const double a = offset + o * scale, b = a + scale;
            double sum = 0;
            for (int i = int(std::floor(a)); i < int(std::ceil(b)); ++i) {
                const double w = std::min(b, double(i + 1)) - std::max(a, double(i));
                if (w <= 0) continue;
                t.push_back({std::clamp(i, 0, in - 1), w});
                sum += w;
            }
            for (Tap& x : t) x.weight /= sum;
        } else {  // enlarging (or same size): bilinear between pixel centres, edges clamped
            const double centre = offset + (o + 0.5) * scale - 0.5;
            const int i0 = int(std::floor(centre));
            const double f = centre - i0;
            t.push_back({std::clamp(i0, 0, in - 1), 1.0 - f});
            if (f > 0) t.push_back({std::clamp(i0 + 1, 0, in - 1), f});
        }
    }
    return taps;
}

// The horizontal pass, streamed: a source row is resized horizontally when an output row needs
// it, into a ring that holds the rows one output row spans (source row r in slot r mod ring
// size). The taps of successive output rows move down the source, so each row is resized once;
// the arithmetic is the same as resizing every source row first, in memory that does not grow
// with the image height.
class HorizontalRows {
public:
    HorizontalRows(const Image8& image, const std::vector<std::vector<Tap>>& tx,
                   const std::vector<std::vector<Tap>>& ty)
        : image_(image), tx_(tx), row_values_(tx.size() * size_t(image.channels)) {
        for (const std::vector<Tap>& t : ty) {
            if (t.empty()) throw std::logic_error("fit_image: an output row without source rows");
            ring_rows_ = std::max(ring_rows_, size_t(t.back().index - t.front().index + 1));
        }
        ring_.assign(ring_rows_ * row_values_, 0.0);
        held_.assign(ring_rows_, -1);
    }
    // Source rows first..last resized (each at most once while the window moves down).
    void prepare(int first, int last) {
        for (int y = first; y <= last; ++y) resize(y);
    }
    const double* row(int y) const { return &ring_[(size_t(y) % ring_rows_) * row_values_]; }

private:
    void resize(int y) {
        int& h = held_[size_t(y) % ring_rows_];
        if (h == y) return;
        h = y;
        double* dst = &ring_[(size_t(y) % ring_rows_) * row_values_];
        std::fill(dst, dst + row_values_, 0.0);
        const int sc = image_.channels;
        for (size_t x = 0; x < tx_.size(); ++x)
            for (const Tap& t : tx_[x]) {
                const uint8_t* s = &image_.pixels[(size_t(y) * image_.width + t.index) * sc];
                for (int c = 0; c < sc; ++c) dst[x * sc + c] += t.weight * s[c];
            }
    }

    const Image8& image_;
    const std::vector<std::vector<Tap>>& tx_;
    size_t row_values_, ring_rows_ = 1;
    std::vector<double> ring_;
    std::vector<int> held_;  // the source row in each slot
};

}  // namespace

Image8 fit_image(const Image8& image, int width, int height, int channels) {
    if (image.channels != 1 && image.channels != 3)
        throw std::invalid_argument("fit_image: the source must have 1 or 3 channels");
    if (channels != 1 && channels != 3) throw std::invalid_argument("fit_image: the output must have 1 or 3 channels");
    if (width <= 0 || height <= 0 || image.width <= 0 || image.height <= 0)
        throw std::invalid_argument("fit_image: empty source or output");
    if (image.pixels.size() != size_t(image.width) * image.height * image.channels)
        throw std::invalid_argument("fit_image: pixel buffer does not match the size");

    // Input pixels per output pixel: the shorter side (relative to the output) fills the output.
    const double scale = std::min(double(image.width) / width, double(image.height) / height);
    double off_x = (image.width - width * scale) / 2, off_y = (image.height - height * scale) / 2;
    if (scale == 1.0) {  // a plain crop: whole pixels, no half-pixel blur
        off_x = std::floor(off_x);
        off_y = std::floor(off_y);
    }
    const auto tx = axis_taps(image.width, width, scale, off_x);
    const auto ty = axis_taps(image.height, height, scale, off_y);
    const int sc = image.channels;
    HorizontalRows rows(image, tx, ty);
    Image8 out;
    out.width = width;
    out.height = height;
    out.channels = channels;
    out.pixels.resize(size_t(width) * height * channels);
    auto to8 = [](double v) { return uint8_t(std::clamp(std::floor(v + 0.5), 0.0, 255.0)); };
    std::vector<double> px(sc);
    for (int y = 0; y < height; ++y) {
        rows.prepare(ty[y].front().index, ty[y].back().index);
        for (int x = 0; x < width; ++x) {
            std::fill(px.begin(), px.end(), 0.0);
            for (const Tap& t : ty[y]) {
                const double* row = rows.row(t.index);
                for (int c = 0; c < sc; ++c) px[c] += t.weight * row[size_t(x) * sc + c];
            }
            uint8_t* d = &out.pixels[(size_t(y) * width + x) * channels];
            if (channels == sc) {
                for (int c = 0; c < sc; ++c) d[c] = to8(px[c]);
            } else if (channels == 1) {
                d[0] = to8(luma601(px[0], px[1], px[2]));
            } else {
                d[0] = d[1] = d[2] = to8(px[0]);
            }
        }
    }
    return out;
}

}  // namespace winoq
