// Gaussian numbers over any ring-like element type: int64_t (reference), double (float
// simulation), Halide::Expr (generators), torch::Tensor (trainer). The transforms in
// transform_apply.h are written once against this type.
#pragma once

#include <cstdint>

namespace winoq {

// A Gaussian integer constant: an entry of B^T, A^T, or of the integer-scaled G.
struct GaussInt {
    int64_t re = 0, im = 0;
    constexpr bool is_zero() const { return re == 0 && im == 0; }
    constexpr bool is_real() const { return im == 0; }
    constexpr GaussInt conj() const { return {re, -im}; }
    friend constexpr bool operator==(GaussInt a, GaussInt b) { return a.re == b.re && a.im == b.im; }
};

// Accumulates sum_i c_i * x_i for integer constants c_i without ever materialising a zero of
// type T (T may be a symbolic expression or a tensor without a natural zero), and without
// multiplying by +-1. `empty()` tells whether any term was added.
template <typename T>
class LinearSum {
public:
    void add(int64_t c, const T& x) {
        if (c == 0) return;
        if (!has_) {
            value_ = (c == 1) ? x : (c == -1) ? negate(x) : scale(x, c);
            has_ = true;
        } else if (c == 1) {
            value_ = value_ + x;
        } else if (c == -1) {
            value_ = value_ - x;
        } else {
            value_ = value_ + scale(x, c);
        }
    }
    void add(const LinearSum& o) {
        if (!o.has_) return;
        if (!has_) {
            *this = o;
        } else {
            value_ = value_ + o.value_;
        }
    }
    bool empty() const { return !has_; }
    // `zero` is returned when no term was added.
    T get_or(const T& zero) const { return has_ ? value_ : zero; }

private:
    static T negate(const T& x) { return T(x * static_cast<int>(-1)); }
    static T scale(const T& x, int64_t c) { return T(x * static_cast<int>(c)); }
    T value_{};
    bool has_ = false;
};

// A Gaussian value with parts of type T, built as sums of integer multiples of T values.
template <typename T>
struct GaussSum {
    LinearSum<T> re, im;
    // this += c * (x_re + i x_im), c a Gaussian integer constant. x_im may be absent (real x).
    void add(GaussInt c, const T& x_re, const T* x_im) {
        re.add(c.re, x_re);
        im.add(c.im, x_re);
        if (x_im) {
            re.add(-c.im, *x_im);
            im.add(c.re, *x_im);
        }
    }
};

}  // namespace winoq
