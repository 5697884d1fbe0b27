// 8-bit images for the `winoq` runner: read any PNG, fit it to a model's input, write PNGs.
//
// Reading (libpng) accepts every PNG colour type and bit depth: grey, grey+alpha, RGB, RGBA,
// palette, 1/2/4/8/16-bit, interlaced, with tRNS. The result is 8-bit grey (1 channel) for
// grey sources and 8-bit RGB (3 channels) for colour and palette sources. Transparency
// (an alpha channel or tRNS) is composited on WHITE, the usual page background, so a
// transparent pixel reads as 255. 16-bit samples are scaled to 8 bits with rounding.
// Every failure is a std::runtime_error whose message starts with the file name.
//
// Resource limits (docs/security.md, "Readers"), checked before the pixels are allocated. Only
// the chunks that define the pixels are read (IHDR, PLTE, tRNS, IDAT, IEND); every other chunk
// (text, ICC profile, Exif ...) is skipped unread, so nothing in one is decompressed or kept.
// libpng's "benign" errors are errors, and its allocation warnings too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace winoq {

// 256 MiB per PNG file (read_png holds the file in memory while decoding): a 64-Mpixel RGBA
// image stored nearly uncompressed still fits; photos are a few MB.
inline constexpr uint64_t kMaxPngFileBytes = uint64_t(256) << 20;
// 64 Mi pixels (2^26, e.g. 8192 x 8192): at most 256 MiB decoded (8-bit RGBA).
inline constexpr uint64_t kMaxPngPixels = uint64_t(1) << 26;
// 65,536 pixels per side (png_set_user_limits): beyond any photo, scan or panorama.
inline constexpr uint32_t kMaxPngSide = 65536;
// 8 MiB per chunk other than IDAT (png_set_chunk_malloc_max; libpng's own default is 8 MB):
// every such chunk is skipped, so a longer one is a broken or hostile file.
inline constexpr uint64_t kMaxPngChunkBytes = uint64_t(8) << 20;
// Ancillary chunks libpng may keep (png_set_chunk_cache_max); winoq keeps none.
inline constexpr uint32_t kMaxPngChunkCache = 32;

struct Image8 {
    int width = 0, height = 0, channels = 0;  // channels: 1 (grey) or 3 (RGB); 2 / 4 not read
    std::vector<uint8_t> pixels;              // height x width x channels, interleaved (HWC)

    uint8_t at(int y, int x, int c = 0) const { return pixels[(size_t(y) * width + x) * channels + c]; }
};

Image8 read_png(const std::string& path);
// `what` names the source in error messages.
Image8 decode_png(const uint8_t* data, size_t size, const std::string& what = "<memory>");

// Writes an 8-bit grey (1), grey+alpha (2), RGB (3) or RGBA (4) PNG; throws std::runtime_error.
void write_png(const std::string& path, const Image8& image);

// ITU-R BT.601 luma of an RGB pixel, unrounded: 0.299 R + 0.587 G + 0.114 B.
inline double luma601(double r, double g, double b) { return 0.299 * r + 0.587 * g + 0.114 * b; }

// The model input from any image: scaled (aspect kept) so that the shorter side becomes the
// output's, centre-cropped to width x height, converted to `channels` (1: BT.601 luma of RGB;
// 3: grey replicated). Enlarging is bilinear (pixel centres, edges clamped); shrinking is area
// averaging (each output pixel the exact mean of the input area it covers), which does not
// alias however much the image shrinks. All in double, rounded to 8 bits once at the end.
// Streams over the source rows: besides the output it keeps only the source rows that one
// output row reads (horizontally resized), so its memory does not grow with the image height.
Image8 fit_image(const Image8& image, int width, int height, int channels);

}  // namespace winoq
