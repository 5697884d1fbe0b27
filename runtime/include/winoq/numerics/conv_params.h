// The integer parameters of one quantized convolution layer, as every executor (scalar
// reference, Halide kernels, trainer integer mode) consumes them. Tensors are NHWC int8.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "winoq/numerics/variant.h"

namespace winoq {

// Largest channel count any kernel accepts: keeps every int32 accumulator exact
// (docs/numerics.md, "Overflow").
inline constexpr int kMaxChannels = 4096;
// Per-tap scales of M are the tensor scale times 2^l, l in [0, kMaxMLeftShift]: the output
// transform then stays exact in int32 as (M << l) (docs/numerics.md, stage 5).
inline constexpr int kMaxMLeftShift = 12;

struct ConvShape {
    int N = 1, C = 0, H = 0, W = 0, K = 0;
    int kernel = 3, stride = 1, pad = 1;
    int out_h() const { return (H + 2 * pad - kernel) / stride + 1; }
    int out_w() const { return (W + 2 * pad - kernel) / stride + 1; }
    size_t in_size() const { return size_t(N) * H * W * C; }
    size_t out_size() const { return size_t(N) * out_h() * out_w() * K; }
};

// Throws std::invalid_argument with a clear message if `s` is not supported by `v`
// (Winograd: 3x3, stride 1, pad 1; direct: 3x3 or 1x1, stride 1 or 2).
void validate_shape(Variant v, const ConvShape& s);

// The kernel sizes the direct int8 kernels exist for (1x1, 3x3, and 7x7 for ResNet stems); the
// trainer asks the same question when it picks a layer's variant.
inline bool direct_kernel_supported(int kernel) { return kernel == 1 || kernel == 3 || kernel == 7; }

// Bias, requantization to the int8 output, optional residual add and ReLU, per output channel:
//   out = clamp((( acc + bias[k]) * mult[k] + res * res_mult[k] + 2^(shift-1)) >> shift[k], relu ? 0 : -127, 127)
struct OutputStage {
    std::vector<int32_t> bias, mult, res_mult, shift;  // each K long; res_mult all 0 without residual
    bool relu = false;
    bool residual = false;
};

struct DirectConvParams {
    ConvShape shape;
    std::vector<int8_t> weights;  // [k][ky][kx][c]
    OutputStage out;
};

struct WinogradConvParams {
    Variant variant = Variant::kCF43;
    ConvShape shape;
    std::vector<int8_t> weights;             // [q][k][c], q over PlaneLayout::prod
    std::vector<int32_t> in_mult, in_shift;  // per activation plane (PlaneLayout::act)
    std::vector<int32_t> m_mult;             // [o][k][2], o over PlaneLayout::out
    std::vector<int32_t> m_shift;            // [o][k]
    std::vector<int32_t> m_lshift;           // [o]: M plane o enters the output transform as M << l; empty = all 0
    OutputStage out;
    int m_left_shift(int o) const { return m_lshift.empty() ? 0 : m_lshift[o]; }
    int tiles_h() const;
    int tiles_w() const;
    int tiles() const { return shape.N * tiles_h() * tiles_w(); }
};

// The rules on the integer parameters, stated once for every consumer (the kernels' engines when
// they pack, the model loader): each throws std::invalid_argument("winoq: ...") naming the field
// and, for a range, its limits (kMaxShift, kMaxMLeftShift).
// An output stage of K channels: bias, mult and shift hold K values (res_mult too with a
// residual; without one it is never read), every shift in [1, kMaxShift].
void validate_output_stage(const OutputStage& st, int K);
// validate_shape, then every array's size, the shifts and m_lshift in [0, kMaxMLeftShift], and
// the output stage.
void validate(const DirectConvParams& p);
void validate(const WinogradConvParams& p);

// Real-valued quantization of a layer: the scales (clipping factor / 127) of every stage.
struct OutputScales {
    double y = 1.0;    // output scale
    double res = 0.0;  // residual input scale; 0: no residual
    bool relu = false;
};

struct WinogradScales {
    double x = 1.0;           // input scale
    std::vector<double> act;  // per activation plane (re and im of a tap must be equal)
    // The transformed filter U: one scale per product plane [Q], or per (product plane,
    // output channel) [Q][K] (q-major). The kernels need no change for the latter: its factor
    // lands in M's requantization multipliers, which are per output channel already.
    std::vector<double> w;
    bool w_per_channel = false;   // w is [Q][K]
    double m = 1.0;               // the accumulated product M, per tensor (used when m_plane is empty)
    std::vector<double> m_plane;  // optional: M per output plane (per tap); rounded to m_base * 2^l
    OutputScales out;
};

// The scale of U's product plane q for output channel k.
inline double weight_scale(const WinogradScales& sc, int q, int k, int K) {
    return sc.w_per_channel ? sc.w[size_t(q) * size_t(K) + size_t(k)] : sc.w[size_t(q)];
}

// The scale of each M output plane as the integer pipeline uses it: sc.m for all planes, or,
// with sc.m_plane, m_base * 2^l (l = lshift[o] in [0, kMaxMLeftShift]) nearest to m_plane[o].
struct MPlaneGrid {
    double base = 1.0;            // the common scale the output transform works in
    std::vector<double> scale;    // per output plane
    std::vector<int32_t> lshift;  // per output plane; empty for one scale per tensor
};
MPlaneGrid m_plane_grid(const WinogradScales& sc, int out_planes);

// Float weights [K][C][kh][kw] (PyTorch order) and bias [K] (nullptr: none) to integer params.
DirectConvParams quantize_direct_conv(const ConvShape& s, const float* weights, const float* bias, double x_scale,
                                      const std::vector<double>& w_scale /* per k */, const OutputScales& out);
WinogradConvParams quantize_winograd_conv(Variant v, const ConvShape& s, const float* weights, const float* bias,
                                          const WinogradScales& sc);

// The exact transformed filter U = G g G^T (double) of one 3x3 filter, and the value a
// product plane's weight holds (re, im, im-re or re+im of U at its tap).
struct ComplexD {
    double re = 0, im = 0;
};
std::vector<ComplexD> filter_transform(Variant v, const float* g3x3);
double filter_part_value(Variant v, int prod_plane, const std::vector<ComplexD>& U);

}  // namespace winoq
