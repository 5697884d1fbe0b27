// Runs a piece of test code in a forked child whose address space may grow by at most a given
// number of bytes beyond what the test process already maps (setrlimit RLIMIT_AS, what
// `ulimit -v` sets), and reports how it ended: normally, with an exception (and its message),
// or killed by a signal. An allocation above the ceiling fails in the child as it would on a
// machine without that memory: the code under test must turn it into an exception.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <new>
#include <string>

namespace winoq::test {

struct ChildOutcome {
    enum Kind { kReturned, kRuntimeError, kBadAlloc, kOtherException, kSignal, kExitCode } kind = kReturned;
    std::string message;   // the exception's what(), or a description
    long peak_rss_kb = 0;  // the child's peak resident set (getrusage), for reports
    std::string describe() const {
        static const char* const kNames[] = {"returned",    "runtime_error: ", "bad_alloc",
                                             "exception: ", "signal ",         "exit code "};
        return std::string(kNames[kind]) + message;
    }
};

// Bytes of address space the calling process maps now (/proc/self/statm, first field).
inline unsigned long long mapped_bytes() {
    std::ifstream statm("/proc/self/statm");
    unsigned long long pages = 0;
    statm >> pages;
    return pages * static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
}

// Whether the address-space ceiling means anything here (sanitizers reserve terabytes).
inline bool memory_ceiling_supported() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
    return false;
#else
    return true;
#endif
#else
    return true;
#endif
}

// Under a sanitizer the body runs in the child without a ceiling (the outcome is still checked).
inline ChildOutcome run_with_memory_ceiling(unsigned long long extra_bytes, const std::function<void()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) return {ChildOutcome::kOtherException, "pipe failed", 0};
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return {ChildOutcome::kOtherException, "fork failed", 0};
    if (pid == 0) {
        ::close(fds[0]);
        if (memory_ceiling_supported()) {
            const rlimit limit{mapped_bytes() + extra_bytes, mapped_bytes() + extra_bytes};
            ::setrlimit(RLIMIT_AS, &limit);
        }
        ChildOutcome::Kind kind = ChildOutcome::kReturned;
        std::string message;
        try {
            body();
        } catch (const std::bad_alloc&) {
            kind = ChildOutcome::kBadAlloc;
        } catch (const std::runtime_error& e) {
            kind = ChildOutcome::kRuntimeError;
            message = e.what();
        } catch (const std::exception& e) {
            kind = ChildOutcome::kOtherException;
            message = e.what();
        }
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        const std::string line = std::to_string(int(kind)) + " " + std::to_string(ru.ru_maxrss) + " " + message;
        const ssize_t ignored = ::write(fds[1], line.data(), line.size());
        (void)ignored;
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ChildOutcome out;
    if (WIFSIGNALED(status)) {
        out.kind = ChildOutcome::kSignal;
        out.message = std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
        return out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty()) {
        out.kind = ChildOutcome::kExitCode;
        out.message = std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return out;
    }
    const size_t a = text.find(' '), b = text.find(' ', a + 1);
    out.kind = ChildOutcome::Kind(std::stoi(text.substr(0, a)));
    out.peak_rss_kb = std::stol(text.substr(a + 1, b - a - 1));
    out.message = b == std::string::npos ? "" : text.substr(b + 1);
    return out;
}

}  // namespace winoq::test
