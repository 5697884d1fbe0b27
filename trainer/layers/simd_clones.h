// Hot loops of the trainer are compiled for several x86 instruction sets and picked at load
// time (GCC function multi-versioning): the baseline x86-64 build alone runs them 3-5x slower.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WINOQ_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WINOQ_SIMD_CLONES
#endif
#define WINOQ_ALWAYS_INLINE inline __attribute__((always_inline))
