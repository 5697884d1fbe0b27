// Hot CPU loops compiled for several x86 instruction sets and picked at load time (GCC function
// multi-versioning): the baseline x86-64 build alone runs them several times slower.
//   WINOQ_SIMD_CLONES  AVX-512F, AVX2 and baseline clones (the trainer's loops).
//   WINOQ_AVX2_CLONES  AVX2 and baseline only (the runner's float conv).
// Clones only change the vector width: ISO C++ mode (-std=c++17, CMAKE_CXX_EXTENSIONS OFF) keeps
// FP contraction off, so no clone fuses a multiply and an add into an FMA and the rounding of
// every clone is the baseline's.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WINOQ_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define WINOQ_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WINOQ_SIMD_CLONES
#define WINOQ_AVX2_CLONES
#endif
#define WINOQ_ALWAYS_INLINE inline __attribute__((always_inline))
