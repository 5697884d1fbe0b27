// ARM only: the real-tap Winograd GEMM compiled for arm-64-linux-arm_dot_prod ALONE (no
// dispatch, no fallback; generators/CMakeLists.txt) on a small problem, checked against a
// scalar computation with the core's requantizer. ctest runs it twice under qemu:
//   QEMU_CPU=max         (has the dot product): must pass;
//   QEMU_CPU=cortex-a53  (ARMv8.0, no dot product): must die with SIGILL, which proves that
//                        this library really executes sdot (tests/expect_signal.cmake).
#include <cstdint>
#include <cstdio>

#include <HalideBuffer.h>

#include "kernel_layout.h"
#include "winoq/numerics/requantize.h"
#include "winoq_gemm_real_sdot_only.h"

int main() {
    using winoq::kernels::ActStorage;
    using winoq::kernels::kActOffset;
    const int C = 32, K = 32, T = 12, G = 2;  // channels, output channels, tiles, groups (= X planes)
    uint32_t seed = 12345;
    auto next = [&seed](int lo, int hi) {  // uniform in [lo, hi]
        seed = seed * 1664525u + 1013904223u;
        return lo + int((seed >> 8) % uint32_t(hi - lo + 1));
    };

    Halide::Runtime::Buffer<ActStorage> X(C, T, G);        // (c4, t, pa)
    Halide::Runtime::Buffer<int8_t> W(4, K, C / 4, 1, G);  // (4, k16, c4/4, j, g)
    Halide::Runtime::Buffer<int32_t> acc_offset(K, 1, G), act_map(1, G), m_mult(K, 1, 1, G), m_shift(K, 1, G);
    Halide::Runtime::Buffer<int8_t> M(K, T, 1, G);
    int value[G][T][C];
    for (int g = 0; g < G; ++g)
        for (int t = 0; t < T; ++t)
            for (int c = 0; c < C; ++c) {
                value[g][t][c] = next(-127, 127);
                X(c, t, g) = static_cast<ActStorage>(value[g][t][c] + kActOffset);
            }
    for (int g = 0; g < G; ++g) {
        act_map(0, g) = g;
        for (int k = 0; k < K; ++k) {
            int32_t sum = 0;
            for (int c = 0; c < C; ++c) {
                W(c % 4, k, c / 4, 0, g) = static_cast<int8_t>(next(-128, 127));
                sum += W(c % 4, k, c / 4, 0, g);
            }
            acc_offset(k, 0, g) = -kActOffset * sum;
            m_mult(k, 0, 0, g) = next(1 << 20, 1 << 24) * (k % 2 ? -1 : 1);
            m_shift(k, 0, g) = next(30, 32);
        }
    }
    const int rc = winoq_gemm_real_sdot_only(X, W, acc_offset, act_map, m_mult, m_shift, M);
    if (rc != 0) {
        std::printf("sdot_only: pipeline failed with %d\n", rc);
        return 1;
    }
    int bad = 0, inner = 0;
    for (int g = 0; g < G; ++g)
        for (int t = 0; t < T; ++t)
            for (int k = 0; k < K; ++k) {
                int64_t acc = 0;
                for (int c = 0; c < C; ++c) acc += int64_t(W(c % 4, k, c / 4, 0, g)) * value[g][t][c];
                const int want = winoq::requantize1(acc, m_mult(k, 0, 0, g), m_shift(k, 0, g));
                inner += want > -127 && want < 127;
                if (M(k, t, 0, g) != want && bad++ < 5)
                    std::printf("sdot_only: M(k=%d, t=%d, g=%d) = %d, want %d\n", k, t, g, int(M(k, t, 0, g)), want);
            }
    std::printf("sdot_only: %d of %d outputs wrong, %d unsaturated\n", bad, K * T * G, inner);
    return bad == 0 && inner > K * T * G / 4 ? 0 : 1;
}
