// The counting first pass over untrusted JSON (json_limits.h).
#include "winoq/io/json_limits.h"

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace winoq {
namespace {

struct Counter {
    Counter(size_t values_limit, size_t depth_limit) : max_values(values_limit), max_depth(depth_limit) {}
    size_t max_values, max_depth;
    size_t values = 0, depth = 0;
    std::string problem;

    bool value() {
        if (++values <= max_values) return true;
        problem = "holds more than " + std::to_string(max_values) + " JSON values";
        return false;
    }
    bool open() {
        if (!value()) return false;
        if (++depth <= max_depth) return true;
        problem = "nests deeper than " + std::to_string(max_depth) + " levels";
        return false;
    }
    bool null() { return value(); }
    bool boolean(bool) { return value(); }
    bool number_integer(int64_t) { return value(); }
    bool number_unsigned(uint64_t) { return value(); }
    bool number_float(double, const std::string&) { return value(); }
    bool string(std::string&) { return value(); }
    bool binary(std::vector<uint8_t>&) { return value(); }
    bool start_object(size_t) { return open(); }
    bool start_array(size_t) { return open(); }
    bool key(std::string&) { return value(); }
    bool end_object() { return --depth, true; }
    bool end_array() { return --depth, true; }
    bool parse_error(size_t, const std::string&, const nlohmann::json::exception& e) {
        problem = std::string("is not valid JSON: ") + e.what();
        return false;
    }
};

}  // namespace

std::string json_limit_problem(std::string_view text, size_t max_values, size_t max_depth) {
    Counter c(max_values, max_depth);
    if (!nlohmann::json::sax_parse(text.begin(), text.end(), &c) && c.problem.empty()) c.problem = "is not valid JSON";
    return c.problem;
}

}  // namespace winoq
