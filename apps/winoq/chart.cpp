#include "chart.h"

#include <unistd.h>

#include <csignal>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace winoq::cli {
namespace {

// gnuplot single-quoted string: only the quote itself needs doubling.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// Inside a double-quoted data-block field: no quotes or newlines.
std::string data_label(std::string s) {
    for (char& c : s)
        if (c == '"' || c == '\n' || c == '\r') c = '_';
    return "\"" + s + "\"";
}

bool is_png(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char sig[8] = {};
    return in.read(sig, 8) && std::string(sig, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

}  // namespace

std::string find_on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (!path) return "";
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        const std::string full = dir + "/" + program;
        if (::access(full.c_str(), X_OK) == 0 && !std::filesystem::is_directory(full)) return full;
    }
    return "";
}

void write_bar_chart(const std::string& png_path, const std::string& title, const std::string& y_label,
                     const std::vector<std::string>& categories, const std::vector<ChartSeries>& series) {
    const std::string gnuplot = find_on_path("gnuplot");
    if (gnuplot.empty())
        throw std::runtime_error("--chart needs gnuplot, which is not on PATH (Debian: apt-get install gnuplot-nox)");
    if (categories.empty() || series.empty()) throw std::runtime_error("--chart: nothing to draw");

    std::ostringstream script;
    script << "$data << EOD\n";
    for (size_t i = 0; i < categories.size(); ++i) {
        script << data_label(categories[i]);
        for (const ChartSeries& s : series) {
            const double v = i < s.values.size() ? s.values[i] : NAN;
            script << " " << (std::isfinite(v) ? std::to_string(v) : std::string("NaN"));
        }
        script << "\n";
    }
    script << "EOD\n";
    const int width = std::max(800, int(categories.size() * (series.size() + 1) * 14) + 200);
    // One layer far slower than the rest (ResNet-18's float 7x7 stem) would flatten every
    // other bar: switch to a log scale when the values span more than 30x.
    double lo = INFINITY, hi = 0;
    for (const ChartSeries& s : series)
        for (double v : s.values)
            if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    const bool log_scale = hi > 0 && hi / lo > 30;
    script << "set terminal pngcairo size " << width << ",600 noenhanced font 'sans,10'\n"
           << "set output " << quoted(png_path) << "\n"
           << "set title " << quoted(title) << "\n"
           << "set ylabel " << quoted(log_scale ? y_label + " (log scale)" : y_label) << "\n"
           << "set style data histograms\nset style histogram clustered gap 1\n"
           << "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
           << "set xtics rotate by 45 right scale 0\nset grid ytics\n"
           << (log_scale ? "set logscale y\nset yrange [" + std::to_string(lo / 2) + ":*]\n"
                         : std::string("set yrange [0:*]\n"))
           << "set key top right\nset datafile missing 'NaN'\n"
           << "plot ";
    for (size_t s = 0; s < series.size(); ++s) {
        script << (s ? ", '' " : "$data ") << "using " << s + 2;
        if (s == 0) script << ":xtic(1)";
        script << " title " << quoted(series[s].title);
    }
    script << "\nset output\n";

    std::error_code ec;
    std::filesystem::remove(png_path, ec);
    const std::string command = "'" + gnuplot + "'";  // found on PATH: no quote inside a dir name expected
    FILE* pipe = ::popen(command.c_str(), "w");
    if (!pipe) throw std::runtime_error("--chart: cannot start gnuplot");
    const std::string text = script.str();
    void (*old_handler)(int) = std::signal(SIGPIPE, SIG_IGN);  // gnuplot dying early must not kill us
    std::fwrite(text.data(), 1, text.size(), pipe);
    const int status = ::pclose(pipe);
    std::signal(SIGPIPE, old_handler);
    if (status != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("--chart: gnuplot failed (exit status " + std::to_string(WEXITSTATUS(status)) +
                                 ") writing " + png_path);
    if (!is_png(png_path)) throw std::runtime_error("--chart: gnuplot did not write the PNG " + png_path);
}

}  // namespace winoq::cli
