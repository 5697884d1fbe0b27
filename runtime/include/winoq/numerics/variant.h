// Convolution variants and their names, used everywhere (CLI, tests, files, generator params).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "winoq/numerics/enum_names.h"

namespace winoq {

enum class Variant {
    kDirect,  // int8 direct convolution
    kF23,     // real F(2x2,3x3), points 0, +-1, inf
    kF43,     // real F(4x4,3x3) (Lavin), points 0, +-1, +-2, inf
    kCF43,    // complex F(4x4,3x3), points 0, +-1, +-i, inf, Gauss 3-multiplication products
    kCF43M4,  // complex F(4x4,3x3) with plain 4-multiplication complex products
};

inline constexpr std::array<Variant, 5> kAllVariants = {Variant::kDirect, Variant::kF23, Variant::kF43, Variant::kCF43,
                                                        Variant::kCF43M4};
inline constexpr std::array<Variant, 4> kWinogradVariants = {Variant::kF23, Variant::kF43, Variant::kCF43,
                                                             Variant::kCF43M4};

// The one name table of the variants (name_of / parse_name: enum_names.h).
inline constexpr EnumName<Variant> kVariantNames[] = {
    {Variant::kDirect, "direct"}, {Variant::kF23, "f23"},       {Variant::kF43, "f43"},
    {Variant::kCF43, "cf43"},     {Variant::kCF43M4, "cf43m4"},
};

inline constexpr const char* variant_name(Variant v) { return name_of(kVariantNames, v); }
inline constexpr std::optional<Variant> parse_variant(std::string_view s) { return parse_name(kVariantNames, s); }

inline constexpr bool is_winograd(Variant v) { return v != Variant::kDirect; }
inline constexpr bool is_complex(Variant v) { return v == Variant::kCF43 || v == Variant::kCF43M4; }

}  // namespace winoq
