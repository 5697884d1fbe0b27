// The one requantization rule of winoq (docs/numerics.md), and the choice of fixed-point
// multipliers from real scale ratios.
//
//   q = clamp((sum_j x_j * mult_j + 2^(shift-1)) >> shift, lo, hi)
//
// x_j int32 values widened to int64, mult_j signed int32 (|mult_j| < 2^31), one or two terms,
// shift in [1, 62], >> arithmetic (floor): round to nearest, ties toward +infinity.
// lo is -127 (or 0 when ReLU is fused), hi is 127: int8 outputs are symmetric.
// The template is instantiated with int64_t here, with Halide::Expr in the generators and
// with torch::Tensor in the trainer; Ops supplies min, max and the shifts for T.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace winoq {

inline constexpr int kQMax = 127;  // int8 tensors are symmetric: [-127, 127]
inline constexpr int kMaxShift = 62;

template <typename T, typename Ops>
T requantize(const T& sum, const T& shift, const T& lo, const T& hi) {
    const T half = Ops::shl(Ops::one_like(sum), shift - 1);
    return Ops::min(Ops::max(Ops::shr(sum + half, shift), lo), hi);
}

struct ScalarOps {
    static int64_t one_like(int64_t) { return 1; }
    static int64_t shl(int64_t x, int64_t s) { return static_cast<int64_t>(static_cast<uint64_t>(x) << s); }
    static int64_t shr(int64_t x, int64_t s) { return x >> s; }  // arithmetic on every target we build
    static int64_t min(int64_t a, int64_t b) { return std::min(a, b); }
    static int64_t max(int64_t a, int64_t b) { return std::max(a, b); }
};

// Scalar form: x * mult (one term).
inline int32_t requantize1(int64_t x, int32_t mult, int shift, int lo = -kQMax, int hi = kQMax) {
    return static_cast<int32_t>(requantize<int64_t, ScalarOps>(x * mult, shift, lo, hi));
}
// Scalar form: x0 * mult0 + x1 * mult1 (two terms, one rounding).
inline int32_t requantize2(int64_t x0, int32_t mult0, int64_t x1, int32_t mult1, int shift, int lo = -kQMax,
                           int hi = kQMax) {
    return static_cast<int32_t>(requantize<int64_t, ScalarOps>(x0 * mult0 + x1 * mult1, shift, lo, hi));
}

// A fixed-point representation of real ratios r_j ~= mult_j / 2^shift sharing one shift.
struct FixedPoint2 {
    int32_t mult[2] = {0, 0};
    int shift = 1;
};

// Chooses the largest shift (<= 62) for which every |mult_j| < 2^31. Throws if a ratio is
// too large (>= 2^30) or not finite. Zero ratios give mult 0.
inline FixedPoint2 make_fixed_point(double r0, double r1 = 0.0) {
    if (!std::isfinite(r0) || !std::isfinite(r1)) throw std::invalid_argument("winoq: non-finite scale ratio");
    const double big = std::max(std::fabs(r0), std::fabs(r1));
    FixedPoint2 fp;
    if (big == 0.0) return fp;
    if (big >= 1073741824.0) throw std::invalid_argument("winoq: scale ratio too large for a fixed-point multiplier");
    int e = 0;
    std::frexp(big, &e);  // big = f * 2^e, f in [0.5, 1)
    int shift = std::min(31 - e, kMaxShift);
    for (; shift >= 1; --shift) {
        const double m0 = std::nearbyint(std::ldexp(r0, shift)), m1 = std::nearbyint(std::ldexp(r1, shift));
        if (std::fabs(m0) < 2147483648.0 && std::fabs(m1) < 2147483648.0) {
            fp.mult[0] = static_cast<int32_t>(m0);
            fp.mult[1] = static_cast<int32_t>(m1);
            fp.shift = shift;
            return fp;
        }
    }
    throw std::invalid_argument("winoq: scale ratios not representable as fixed point");
}

// Float -> int8 quantization of offline values (weights, transformed weights) and of the
// bias into int32: round half to even (std::nearbyint, like torch::round), saturating.
inline int8_t quantize_float(double x, double scale) {
    const double q = std::nearbyint(x / scale);
    return static_cast<int8_t>(std::clamp(q, -double(kQMax), double(kQMax)));
}
inline int32_t quantize_bias(double b, double scale, int32_t limit = (1 << 30)) {
    const double q = std::nearbyint(b / scale);
    return static_cast<int32_t>(std::clamp(q, -double(limit), double(limit)));
}

}  // namespace winoq
