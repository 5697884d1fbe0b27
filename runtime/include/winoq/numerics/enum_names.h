// Names of enum values from one table per enum: the printing (name_of) and the parsing
// (parse_name) of an enum both read the same {value, name} pairs, so they cannot disagree.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace winoq {

template <typename E>
struct EnumName {
    E value;
    const char* name;
};

// The name of v in table, or "?" if the table lacks it.
template <typename E, size_t N>
constexpr const char* name_of(const EnumName<E> (&table)[N], E v) {
    for (const EnumName<E>& e : table)
        if (e.value == v) return e.name;
    return "?";
}

// The value named s in table, or nullopt.
template <typename E, size_t N>
constexpr std::optional<E> parse_name(const EnumName<E> (&table)[N], std::string_view s) {
    for (const EnumName<E>& e : table)
        if (s == e.name) return e.value;
    return std::nullopt;
}

}  // namespace winoq
