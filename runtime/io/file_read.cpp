// Opening and reading input files within a size cap (file_read.h, docs/security.md).
//
// The path is stat'ed before it is opened, so a FIFO, a device or a socket is refused without
// being opened (opening some devices has effects of its own). It is then opened with
// O_NONBLOCK (a FIFO swapped in after the stat cannot block the open) and fstat'ed: it must
// still be a regular file, the same one.
#include "winoq/io/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace winoq {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error(path + ": " + problem);
}

std::string type_name(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// "a model file", "an IDX file".
std::string with_article(const std::string& kind) {
    return (!kind.empty() && std::strchr("AEIOUaeiou", kind[0]) ? "an " : "a ") + kind;
}

void check_type(const std::string& path, const struct stat& st, const std::string& kind) {
    if (S_ISREG(st.st_mode)) return;
    if (S_ISDIR(st.st_mode)) fail(path, "is a directory, not " + with_article(kind));
    fail(path, "is " + type_name(st.st_mode) + ", not a regular file; " + with_article(kind) +
                   " is read only from a regular file, whose size is known before reading");
}

}  // namespace

std::string format_limit(uint64_t bytes) {
    static const char* const kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    uint64_t v = bytes;
    while (unit < 4 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        ++unit;
    }
    return std::to_string(v) + " " + kUnits[unit];
}

std::string format_size(uint64_t bytes) {
    if (bytes < 1000) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    static const char* const kUnits[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double v = double(bytes) / 1000.0;
    int unit = 0;
    while (unit < 5 && v >= 999.95) {
        v /= 1000.0;
        ++unit;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f %s (%llu bytes)", v, kUnits[unit], static_cast<unsigned long long>(bytes));
    return buf;
}

RegularFile::RegularFile(std::string path, std::string kind, int fd, uint64_t size)
    : path_(std::move(path)), kind_(std::move(kind)), fd_(fd), size_(size) {}

RegularFile::RegularFile(RegularFile&& o) noexcept
    : path_(std::move(o.path_)),
      kind_(std::move(o.kind_)),
      fd_(std::exchange(o.fd_, -1)),
      size_(o.size_),
      pos_(o.pos_) {}

RegularFile& RegularFile::operator=(RegularFile&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(o.path_);
        kind_ = std::move(o.kind_);
        fd_ = std::exchange(o.fd_, -1);
        size_ = o.size_;
        pos_ = o.pos_;
    }
    return *this;
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

int RegularFile::release() { return std::exchange(fd_, -1); }

RegularFile RegularFile::open(const std::string& path, uint64_t max_bytes, const std::string& kind) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int e = errno;
        if (e == ENOENT || e == ENOTDIR) fail(path, "no such file");
        fail(path, "cannot open: " + std::string(std::strerror(e)));
    }
    check_type(path, st, kind);
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fail(path, "cannot open: " + std::string(std::strerror(errno)));
    RegularFile f(path, kind, fd, 0);  // closes fd on every error below
    struct stat now {};
    if (::fstat(fd, &now) != 0) fail(path, "cannot read its size: " + std::string(std::strerror(errno)));
    check_type(path, now, kind);
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino) fail(path, "was replaced while being opened");
    // Back to blocking reads (O_NONBLOCK means nothing for a regular file, but be plain).
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    const uint64_t size = uint64_t(now.st_size);
    if (size > max_bytes)
        fail(path, "file is " + format_size(size) + ", above the " + format_limit(max_bytes) + " limit for " +
                       with_article(kind));
    f.size_ = size;
    return f;
}

void RegularFile::read_exactly(void* dst, size_t n) {
    if (fd_ < 0) throw std::logic_error("RegularFile::read_exactly on a closed file");
    if (n > size_ - pos_) throw std::logic_error("RegularFile::read_exactly past the size of " + path_);
    auto* p = static_cast<uint8_t*>(dst);
    size_t done = 0;
    while (done < n) {
        const ssize_t r = ::read(fd_, p + done, n - done);
        if (r < 0) {
            if (errno == EINTR) continue;
            fail(path_, "read error: " + std::string(std::strerror(errno)));
        }
        if (r == 0)
            fail(path_, "file shrank while being read (truncated?): it was " + format_size(size_) + ", ended after " +
                            std::to_string(pos_ + done) + " bytes");
        done += size_t(r);
    }
    pos_ += n;
}

void RegularFile::expect_end() {
    if (fd_ < 0) throw std::logic_error("RegularFile::expect_end on a closed file");
    uint8_t extra;
    for (;;) {
        const ssize_t r = ::read(fd_, &extra, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail(path_, "read error: " + std::string(std::strerror(errno)));
        if (r > 0) fail(path_, "file grew while being read (it was " + format_size(size_) + ")");
        return;
    }
}

size_t RegularFile::read_at(uint64_t pos, void* dst, size_t n) const {
    if (fd_ < 0) throw std::logic_error("RegularFile::read_at on a closed file");
    if (pos >= size_) return 0;
    if (n > size_ - pos) n = size_t(size_ - pos);
    auto* p = static_cast<uint8_t*>(dst);
    size_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd_, p + done, n - done, off_t(pos + done));
        if (r < 0) {
            if (errno == EINTR) continue;
            fail(path_, "read error: " + std::string(std::strerror(errno)));
        }
        if (r == 0) break;
        done += size_t(r);
    }
    return done;
}

std::vector<uint8_t> read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& kind) {
    RegularFile f = RegularFile::open(path, max_bytes, kind);
    std::vector<uint8_t> bytes(static_cast<size_t>(f.size()));
    f.read_exactly(bytes.data(), bytes.size());
    f.expect_end();
    return bytes;
}

}  // namespace winoq
