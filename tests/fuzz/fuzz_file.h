// A file for the readers that take a path (datasets.h): an anonymous in-memory file
// (memfd_create) whose contents each fuzz run replaces, named /proc/self/fd/N, so that no run
// touches the disk. A failure to set it up aborts: it is the harness, not the reader, failing.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace winoq::fuzz {

class FuzzFile {
public:
    explicit FuzzFile(const char* name) : fd_(memfd_create(name, MFD_CLOEXEC)) {
        if (fd_ < 0) die("memfd_create");
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    FuzzFile(const FuzzFile&) = delete;
    FuzzFile& operator=(const FuzzFile&) = delete;
    ~FuzzFile() { close(fd_); }

    // Replaces the contents with data[0, size); returns the path.
    const std::string& write(const uint8_t* data, size_t size) {
        if (ftruncate(fd_, 0) != 0) die("ftruncate");
        size_t done = 0;
        while (done < size) {
            const ssize_t n = pwrite(fd_, data + done, size - done, off_t(done));
            if (n <= 0) die("pwrite");
            done += size_t(n);
        }
        return path_;
    }
    const std::string& path() const { return path_; }

private:
    [[noreturn]] static void die(const char* what) {
        std::perror(what);
        std::abort();
    }

    int fd_;
    std::string path_;
};

}  // namespace winoq::fuzz
