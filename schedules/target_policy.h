// Target policy of the schedules, in one place (as hannk's get_accumulator_count(target)):
// how many vector registers a target has, how many int32 lanes one holds, and the register
// tiles of the int8 dot-product loops derived from them. Every schedule sizes its register
// blocks through these helpers instead of assuming AVX-512; docs/targets.md lists the result
// per target and the spill check behind it.
#pragma once

#include <algorithm>

#include "Halide.h"

namespace winoq::schedules {

// Architectural vector registers: 32 zmm with AVX-512, 16 ymm / xmm on AVX2 / SSE4.1, 32 on
// AArch64 NEON.
inline int vector_register_count(const Halide::Target& t) {
    if (t.arch == Halide::Target::ARM) return 32;
    return t.has_feature(Halide::Target::AVX512_Skylake) ? 32 : 16;
}

// int32 lanes of one vector register: 16 (AVX-512), 8 (AVX2), 4 (SSE4.1, NEON).
inline int int32_lanes(const Halide::Target& t) {
    if (t.arch == Halide::Target::ARM) return 4;
    if (t.has_feature(Halide::Target::AVX512_Skylake)) return 16;
    return t.has_feature(Halide::Target::AVX2) ? 8 : 4;
}

// Whether the target has a single-instruction 4-way int8 dot product (vpdpbusd / sdot). Without
// one the compiler widens to int16 and needs temporaries in the inner loop.
inline bool has_int8_dot(const Halide::Target& t) {
    if (t.arch == Halide::Target::ARM) return t.has_feature(Halide::Target::ARMDotProd);
    return t.has_feature(Halide::Target::AVX512_SapphireRapids);
}

// Accumulator registers per int32 vector of output channels: without a 4-way dot instruction
// the GEMMs keep two partial sums per channel (pmaddwd pairs), so two registers.
inline int registers_per_accumulator(const Halide::Target& t) { return has_int8_dot(t) ? 1 : 2; }

// Vector registers the inner loop of an int8 dot-product GEMM needs besides its accumulators:
// the weight vectors of one reduction step, an activation broadcast and, without a dot-product
// instruction, widening / product temporaries. x86 folds one load into each multiply (a memory
// operand), so only one product's weights are live; AArch64 has no memory operands, so every
// product's weights are, and without sdot each smull / smull2 writes an int16 product per
// weight vector before sadalp folds it (2 per weight vector: the count with no spill in the
// arm64 assembly, scripts/target-asm-stats.sh).
inline int gemm_overhead_registers(const Halide::Target& t, int k_vectors, int products) {
    const bool arm = t.arch == Halide::Target::ARM;
    const int weights = arm ? k_vectors * products : k_vectors * registers_per_accumulator(t);
    const int temps = has_int8_dot(t) ? 0 : (arm ? 2 * k_vectors * products : 1);
    return weights + 1 + temps;
}

// Columns (tiles) a GEMM register tile may have so that its pointers fit the general-purpose
// registers: each column and product broadcasts from its own X row, each product reads its own
// weight row, plus about 4 loop values. x86-64 has 15 usable (past that LLVM reloads pointers
// from the stack every iteration), AArch64 about 28.
inline int gemm_max_cols_for_pointers(const Halide::Target& t, int products) {
    const int gprs = t.arch == Halide::Target::ARM ? 28 : 15;
    return (gprs - products - 4) / products;
}

// A register tile of accumulators: k_vectors vectors of output channels x `cols` columns (tiles
// or pixels) x `products` accumulator sets per column (a complex Winograd group has 3 or 4).
struct RegisterTile {
    int k_vectors = 1;
    int cols = 1;
};

// The register tile with the highest arithmetic intensity (dot products per vector load:
// kv * cols / (kv + cols)) whose accumulators, loop values and pointers all fit in registers
// (no spills).
// k_vectors stays a power of two (channel blocks that divide 16, 32, 64, ... channel layers).
inline RegisterTile gemm_register_tile(const Halide::Target& t, int products, int max_k_vectors) {
    const int regs = vector_register_count(t);
    RegisterTile best;
    double best_intensity = 0;
    for (int kv = 1; kv <= max_k_vectors; kv *= 2) {
        const int vector_cols =
            (regs - gemm_overhead_registers(t, kv, products)) / (kv * products * registers_per_accumulator(t));
        const int cols = std::min(vector_cols, gemm_max_cols_for_pointers(t, products));
        if (cols < 1) break;
        const double intensity = double(kv * cols) / (kv + cols);
        if (intensity > best_intensity) {
            best_intensity = intensity;
            best = {kv, cols};
        }
    }
    return best;
}

// The direct convolution's register tile: tile_x x tile_y output pixels, each holding
// `vectors_per_pixel` accumulator registers (its k block), plus a 7-wide tile for widths that
// are multiples of 7 (0: none). Sized to the registers left after the loop's other values.
struct DirectTile {
    int tile_x = 1, tile_y = 1, tile_y_w7 = 0;
};

// Besides the weight vectors and a broadcast, without a dot instruction LLVM keeps the widened
// activation broadcasts of several pixels and the products live: 6 more registers (the largest
// count with no spill in the AVX2 assembly, scripts/target-asm-stats.sh).
inline DirectTile direct_register_tile(const Halide::Target& t, int vectors_per_pixel) {
    const int overhead = vectors_per_pixel + 1 + (has_int8_dot(t) ? 0 : 6);
    const int free = vector_register_count(t) - overhead;
    const int pixels = std::max(1, free / vectors_per_pixel);
    DirectTile d;
    d.tile_x = std::min(8, pixels);
    d.tile_y = std::max(1, std::min(3, pixels / d.tile_x));
    d.tile_y_w7 = pixels >= 14 ? std::min(4, pixels / 7) : 0;
    return d;
}

}  // namespace winoq::schedules
