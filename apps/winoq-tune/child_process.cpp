#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace winoq::tune {

std::string self_executable() {
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
    return std::string(buf, size_t(n));
}

ChildResult run_child(const std::vector<std::string>& argv, double timeout_s) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    // stderr to a temporary file: the autoschedulers are chatty; a Halide error's line is kept.
    char err_path[] = "/tmp/winoq-tune-child-XXXXXX";
    const int err_fd = mkstemp(err_path);
    if (err_fd >= 0) {
        posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    auto error_line = [&] {
        if (err_fd < 0) return std::string();
        std::string text, last;
        char buf[4096];
        lseek(err_fd, 0, SEEK_SET);
        for (ssize_t n; (n = read(err_fd, buf, sizeof buf)) > 0;)
            if (text.size() < (8u << 20)) text.append(buf, size_t(n));
        close(err_fd);
        unlink(err_path);
        for (size_t pos = 0; pos < text.size();) {
            const size_t end = std::min(text.find('\n', pos), text.size());
            if (text.compare(pos, 5, "Error") == 0) last = text.substr(pos, std::min<size_t>(end - pos, 300));
            pos = end + 1;
        }
        return last;
    };
    if (rc != 0) {
        error_line();
        close(fds[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    ChildResult r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
        const double left_ms =
            std::chrono::duration<double, std::milli>(deadline - std::chrono::steady_clock::now()).count();
        if (left_ms <= 0) {
            r.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = poll(&p, 1, int(std::min(left_ms, 1000.0)) + 1);
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        char buf[4096];
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;  // end of file: it closed stdout, normally by exiting
        if (r.out.size() < (1u << 20)) r.out.append(buf, size_t(n));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.error = error_line();
    return r;
}

}  // namespace winoq::tune
