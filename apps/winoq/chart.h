// Bar charts for `winoq bench --chart`, drawn by piping a script to gnuplot (gnuplot-nox).
#pragma once

#include <string>
#include <vector>

namespace winoq::cli {

struct ChartSeries {
    std::string title;
    std::vector<double> values;  // one per category; NaN: no bar
};

// The full path of `program` on PATH, or "" when it is not there.
std::string find_on_path(const std::string& program);

// A clustered bar chart (one cluster per category, one bar per series) written as PNG.
// Throws std::runtime_error when gnuplot is missing or fails, or the PNG was not written.
void write_bar_chart(const std::string& png_path, const std::string& title, const std::string& y_label,
                     const std::vector<std::string>& categories, const std::vector<ChartSeries>& series);

}  // namespace winoq::cli
