// Halide::Expr instantiation of the numerics core's templates (requantize.h), and small helpers
// the Winograd generators share.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "Halide.h"
#include "kernel_layout.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/variant.h"

namespace winoq::halide {

// Ops for winoq::requantize<Halide::Expr, HalideOps>; every Expr is int64.
struct HalideOps {
    static Halide::Expr one_like(const Halide::Expr& x) { return Halide::Internal::make_one(x.type()); }
    // Shift amounts are in [0, 62]: unsigned amounts spare Halide the negative-shift select.
    static Halide::Expr shl(const Halide::Expr& x, const Halide::Expr& s) { return x << amount(x, s); }
    static Halide::Expr shr(const Halide::Expr& x, const Halide::Expr& s) { return x >> amount(x, s); }  // arithmetic
    static Halide::Expr amount(const Halide::Expr& x, const Halide::Expr& s) {
        return Halide::cast(Halide::UInt(x.type().bits()), s);
    }
    static Halide::Expr min(const Halide::Expr& a, const Halide::Expr& b) { return Halide::min(a, b); }
    static Halide::Expr max(const Halide::Expr& a, const Halide::Expr& b) { return Halide::max(a, b); }
};

inline Halide::Expr i64(const Halide::Expr& e) { return Halide::cast<int64_t>(e); }

// The activation encoding of the int8 dot products for the target being generated
// (kernel_layout.h defines it): its offset and its storage type (u8 on x86, s8 on ARM).
inline bool is_arm(const Halide::Target& t) { return t.arch == Halide::Target::ARM; }
inline int act_offset(const Halide::Target& t) { return winoq::kernels::act_offset(is_arm(t)); }
inline Halide::Type act_type(const Halide::Target& t) {
    return winoq::kernels::act_is_unsigned(is_arm(t)) ? Halide::UInt(8) : Halide::Int(8);
}

// THE requantization rule on Exprs: clamp((sum + 2^(shift-1)) >> shift, lo, 127) with sum the
// int64 sum of x_j * mult_j (the caller widens before multiplying). Returns int32.
inline Halide::Expr requantize_expr(const Halide::Expr& sum64, const Halide::Expr& shift, const Halide::Expr& lo) {
    const Halide::Expr r =
        requantize<Halide::Expr, HalideOps>(sum64, i64(shift), i64(lo), Halide::Expr(int64_t(kQMax)));
    return Halide::cast<int32_t>(r);
}

// The GeneratorParam mapping of variant names (variant.h is the one list of names).
inline std::map<std::string, Variant> winograd_variant_names() {
    std::map<std::string, Variant> m;
    for (Variant v : kWinogradVariants) m[variant_name(v)] = v;
    return m;
}

// mux over a compile-time int table: table[id] (a select chain; id is loop-invariant where used).
inline Halide::Expr table_lookup(const Halide::Expr& id, const std::vector<int>& table) {
    if (table.size() == 1) return Halide::Expr(table[0]);
    std::vector<Halide::Expr> vals;
    for (int v : table) vals.emplace_back(v);
    return Halide::mux(id, vals);
}

}  // namespace winoq::halide
