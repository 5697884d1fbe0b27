// The one way winoq's readers open an input file (docs/security.md, "Readers"). Before a byte
// is read or allocated: the path must name a regular file (a FIFO would block, a device such
// as /dev/zero never ends, a directory is not data) and its size must be within the reader's
// cap. Then exactly the size seen is read; a file that grows or shrinks meanwhile is an error.
// Every failure is a std::runtime_error of one line that starts with the path and names the
// kind of file and, for a size, the limit: "m.safetensors: file is 3.1 GB (3100000000 bytes),
// above the 1 GiB limit for a model file".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace winoq {

// A regular file opened for reading, its size known and within a cap. Move-only; closes itself.
class RegularFile {
public:
    // `kind` names the file in messages ("model file", "PNG image", "CIFAR-10 batch").
    static RegularFile open(const std::string& path, uint64_t max_bytes, const std::string& kind);

    RegularFile(RegularFile&& other) noexcept;
    RegularFile& operator=(RegularFile&& other) noexcept;
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;
    ~RegularFile();

    const std::string& path() const { return path_; }
    uint64_t size() const { return size_; }  // as stat'ed when opened
    uint64_t position() const { return pos_; }

    // Reads exactly n bytes from the current position; a file now shorter than its size is an
    // error ("shrank while being read"), as is reading past size().
    void read_exactly(void* dst, size_t n);
    // After size() bytes: checks that the file has not grown.
    void expect_end();
    // Up to n bytes at offset pos (pread; the position of read_exactly does not move), never
    // past size(); fewer only if the file has shrunk. For readers that seek (libtorch's).
    size_t read_at(uint64_t pos, void* dst, size_t n) const;
    // Hands the descriptor over (e.g. to gzdopen, which closes it); the object is then empty.
    int release();

private:
    RegularFile(std::string path, std::string kind, int fd, uint64_t size);
    std::string path_, kind_;
    int fd_ = -1;
    uint64_t size_ = 0, pos_ = 0;
};

// The whole file: RegularFile::open, read_exactly(size), expect_end.
std::vector<uint8_t> read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& kind);

// A limit in binary units, exact: "1 GiB", "16 MiB", "1000 bytes".
std::string format_limit(uint64_t bytes);
// A size, rounded, with the exact count: "3.1 GB (3100000000 bytes)"; "12 bytes".
std::string format_size(uint64_t bytes);

}  // namespace winoq
