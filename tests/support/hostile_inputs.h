// Hostile input files for the resource-limit tests (docs/security.md, "Readers"), made at test
// time so that nothing large is committed: each is a few KB on disk (or sparse) however much
// it claims. Used by tests/hostile_input_test.cpp and the CLI tool winoq-make-hostile-input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace winoq::test {

void write_file(const std::string& path, const std::vector<uint8_t>& bytes);

// A grey 8x8 PNG whose tEXt chunk declares `declared` bytes (~2 GB) but holds only 200.
std::vector<uint8_t> png_with_huge_text_chunk(uint32_t declared = 0x7ffffff0u);
// A PNG of width x height pixels (8-bit grey or RGB), every pixel 0, as libpng would write it
// (the IDAT is the deflated rows: a few KB even for millions of pixels).
std::vector<uint8_t> png_of_zeros(uint32_t width, uint32_t height, int channels);
// A PNG whose IHDR says width x height (grey) and which has no pixel data: for limits checked
// before any pixel is read.
std::vector<uint8_t> png_header_only(uint32_t width, uint32_t height);
// A valid grey 8x8 PNG (all 0) with a zTXt chunk before the pixels inflating to `inflated` bytes.
std::vector<uint8_t> png_with_ztxt_bomb(uint64_t inflated);
// A grey 8x8 PNG with a 1-byte tRNS chunk (grey needs 2): a libpng "benign" error.
std::vector<uint8_t> png_with_bad_trns();

// A gzip IDX image file (magic 0x803, count x rows x cols as given) whose stream inflates to
// `total` bytes of zeros after the header: concatenated gzip members of 1 MiB each, so 1 GiB
// takes ~1 MB on disk and well under a second to write. Plus a label file saying `count` (holding
// at most 1 MiB of zero labels).
void write_gzip_idx_bomb(const std::string& images_path, const std::string& labels_path, uint32_t count, uint32_t rows,
                         uint32_t cols, uint64_t total);

// A safetensors file whose 8-byte header length says `declared` bytes (the file holds 2).
std::vector<uint8_t> safetensors_declaring_header(uint64_t declared);
// A safetensors file with a header of about `bytes` bytes of `[[],[],...]`: the most JSON
// values per byte (for the parsed-header bound).
std::vector<uint8_t> safetensors_with_dense_header(size_t bytes);

// A sparse file of `size` bytes (ftruncate): no disk blocks.
void make_sparse_file(const std::string& path, uint64_t size);
// A FIFO (named pipe); any previous file there is removed first.
void make_fifo(const std::string& path);

}  // namespace winoq::test
