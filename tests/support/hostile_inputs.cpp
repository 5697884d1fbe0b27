// Hostile input files for the resource-limit tests (hostile_inputs.h).
#include "hostile_inputs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace winoq::test {
namespace {

void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// A PNG chunk: length, type, data, CRC of type + data.
void put_chunk(std::vector<uint8_t>& b, const char* type, const std::vector<uint8_t>& data, uint32_t declared_length) {
    put32(b, declared_length);
    std::vector<uint8_t> typed(type, type + 4);
    typed.insert(typed.end(), data.begin(), data.end());
    b.insert(b.end(), typed.begin(), typed.end());
    put32(b, uint32_t(crc32(0, typed.data(), uInt(typed.size()))));
}
void put_chunk(std::vector<uint8_t>& b, const char* type, const std::vector<uint8_t>& data) {
    put_chunk(b, type, data, uint32_t(data.size()));
}

std::vector<uint8_t> png_start(uint32_t width, uint32_t height, int channels) {
    std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> ihdr;
    put32(ihdr, width);
    put32(ihdr, height);
    ihdr.insert(ihdr.end(), {8, uint8_t(channels == 3 ? 2 : 0), 0, 0, 0});  // depth 8, grey / RGB
    put_chunk(b, "IHDR", ihdr);
    return b;
}

// Deflates `zeros` zero bytes after `prefix` (zlib or gzip wrapper) without holding them.
std::vector<uint8_t> deflate_zeros(const std::vector<uint8_t>& prefix, uint64_t zeros, bool gzip) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, gzip ? 31 : 15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    static const std::vector<uint8_t> kZeros(1 << 16, 0);
    std::vector<uint8_t> out;
    uint8_t buf[1 << 16];
    auto pump = [&](const uint8_t* in, size_t n, int flush) {
        z.next_in = const_cast<Bytef*>(in);
        z.avail_in = uInt(n);
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            deflate(&z, flush);
            out.insert(out.end(), buf, buf + (sizeof buf - z.avail_out));
        } while (z.avail_out == 0 || z.avail_in > 0);
    };
    pump(prefix.data(), prefix.size(), Z_NO_FLUSH);
    for (uint64_t left = zeros; left > 0;) {
        const size_t n = size_t(std::min<uint64_t>(left, kZeros.size()));
        pump(kZeros.data(), n, Z_NO_FLUSH);
        left -= n;
    }
    pump(nullptr, 0, Z_FINISH);
    deflateEnd(&z);
    return out;
}

}  // namespace

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<uint8_t> png_with_huge_text_chunk(uint32_t declared) {
    std::vector<uint8_t> b = png_start(8, 8, 1);
    std::vector<uint8_t> text(200, 'x');
    std::memcpy(text.data(), "Comment\0", 8);
    put_chunk(b, "tEXt", text, declared);  // the CRC is of the 200 bytes; the file ends soon after
    return b;
}

std::vector<uint8_t> png_of_zeros(uint32_t width, uint32_t height, int channels) {
    std::vector<uint8_t> b = png_start(width, height, channels);
    // Each row: filter byte 0, then width * channels zero samples; all zeros in a row.
    put_chunk(b, "IDAT", deflate_zeros({}, uint64_t(height) * (1 + uint64_t(width) * channels), false));
    put_chunk(b, "IEND", {});
    return b;
}

std::vector<uint8_t> png_header_only(uint32_t width, uint32_t height) {
    std::vector<uint8_t> b = png_start(width, height, 1);
    put_chunk(b, "IEND", {});
    return b;
}

void write_gzip_idx_bomb(const std::string& images_path, const std::string& labels_path, uint32_t count, uint32_t rows,
                         uint32_t cols, uint64_t total) {
    constexpr uint64_t kMember = uint64_t(1) << 20;
    std::vector<uint8_t> header;
    for (uint32_t v : {0x803u, count, rows, cols}) put32(header, v);
    std::ofstream out(images_path, std::ios::binary | std::ios::trunc);
    auto put = [&](const std::vector<uint8_t>& m) {
        out.write(reinterpret_cast<const char*>(m.data()), std::streamsize(m.size()));
    };
    const uint64_t first = std::min<uint64_t>(total, kMember);
    put(deflate_zeros(header, first, true));
    const std::vector<uint8_t> member = deflate_zeros({}, kMember, true);
    uint64_t left = total - first;
    for (; left >= kMember; left -= kMember) put(member);
    if (left > 0) put(deflate_zeros({}, left, true));
    if (!out) throw std::runtime_error("cannot write " + images_path);

    std::vector<uint8_t> labels;
    for (uint32_t v : {0x801u, count}) put32(labels, v);
    std::ofstream lab(labels_path, std::ios::binary | std::ios::trunc);
    const std::vector<uint8_t> gz = deflate_zeros(labels, std::min<uint64_t>(count, 1 << 20), true);
    lab.write(reinterpret_cast<const char*>(gz.data()), std::streamsize(gz.size()));
    if (!lab) throw std::runtime_error("cannot write " + labels_path);
}

std::vector<uint8_t> safetensors_declaring_header(uint64_t declared) {
    std::vector<uint8_t> b;
    for (int i = 0; i < 8; ++i) b.push_back(uint8_t(declared >> (8 * i)));
    b.push_back('{');
    b.push_back('}');
    return b;
}

std::vector<uint8_t> safetensors_with_dense_header(size_t bytes) {
    std::string h = "{\"a\":[";
    while (h.size() + 3 < bytes) h += "[],";
    h += "[]]}";
    h.append((8 - h.size() % 8) % 8, ' ');
    std::vector<uint8_t> b;
    for (int i = 0; i < 8; ++i) b.push_back(uint8_t(uint64_t(h.size()) >> (8 * i)));
    b.insert(b.end(), h.begin(), h.end());
    return b;
}

std::vector<uint8_t> png_with_ztxt_bomb(uint64_t inflated) {
    std::vector<uint8_t> b = png_start(8, 8, 1);
    std::vector<uint8_t> z = {'C', 'o', 'm', 'm', 'e', 'n', 't', 0, 0};  // keyword, compression method 0
    const std::vector<uint8_t> text = deflate_zeros({}, inflated, false);
    z.insert(z.end(), text.begin(), text.end());
    put_chunk(b, "zTXt", z);
    put_chunk(b, "IDAT", deflate_zeros({}, 8 * 9, false));
    put_chunk(b, "IEND", {});
    return b;
}

std::vector<uint8_t> png_with_bad_trns() {
    std::vector<uint8_t> b = png_start(8, 8, 1);
    put_chunk(b, "tRNS", {0});
    put_chunk(b, "IDAT", deflate_zeros({}, 8 * 9, false));
    put_chunk(b, "IEND", {});
    return b;
}

void make_sparse_file(const std::string& path, uint64_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    const int r = ::ftruncate(fd, off_t(size));
    ::close(fd);
    if (r != 0) throw std::runtime_error("cannot size " + path + ": " + std::strerror(errno));
}

void make_fifo(const std::string& path) {
    ::unlink(path.c_str());
    if (::mkfifo(path.c_str(), 0644) != 0)
        throw std::runtime_error("cannot make the FIFO " + path + ": " + std::strerror(errno));
}

}  // namespace winoq::test
