// Post-training calibration: the clipping factor (alpha, scale = alpha / 127) of every int8
// stage of a layer, chosen from the exact float values that stage holds on calibration data.
//
// Methods, applied to the observed values of one group of planes:
//   max        alpha = max |v| (no clipping: the whole range is kept);
//   percentile alpha = the p-th percentile of |v| (nearest rank), e.g. p = 99.99;
//   mse        alpha minimising the quantization MSE of the observed values,
//              mean (v - Q_alpha(v))^2 with Q the int8 quantizer of requantize.h, searched over
//              a log-spaced grid of candidates in [max / 4096, max], refined around the best.
// Granularity of the Winograd-domain scales (the input x and the output y always have one
// scale each):
//   per tensor: one clipping factor for all transformed-input planes, one for all
//               transformed-filter planes (the Gauss operands of cf43, which have twice the
//               range, are a tensor of their own on each side) and one for M;
//   per tap:    one clipping factor per tap and kind (re and im of a complex tap share it),
//               M included (WinogradScales::m_plane, put on a power-of-two grid by
//               quantize_winograd_conv so the integer output transform stays exact).
// The direct convolution has no taps: its weights have one scale per tensor in both modes.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/enum_names.h"
#include "winoq/numerics/variant.h"

namespace winoq {

enum class ClipMethod { kMax, kPercentile, kMse };
enum class ScaleGranularity { kPerTensor, kPerTap };

// The names (CLI, reports) and their parsing come from these tables (enum_names.h).
inline constexpr EnumName<ClipMethod> kClipMethodNames[] = {
    {ClipMethod::kMax, "max"}, {ClipMethod::kPercentile, "percentile"}, {ClipMethod::kMse, "mse"}};
inline constexpr EnumName<ScaleGranularity> kGranularityNames[] = {{ScaleGranularity::kPerTensor, "tensor"},
                                                                   {ScaleGranularity::kPerTap, "tap"}};

const char* clip_method_name(ClipMethod m);  // "max", "percentile", "mse"
std::optional<ClipMethod> parse_clip_method(std::string_view s);
const char* granularity_name(ScaleGranularity g);  // "tensor", "tap"
std::optional<ScaleGranularity> parse_granularity(std::string_view s);

struct CalibrationOptions {
    ClipMethod method = ClipMethod::kMax;
    double percentile = 99.99;  // of |v|, in percent (kPercentile)
    ScaleGranularity granularity = ScaleGranularity::kPerTensor;
    bool per_channel_u = false;  // Winograd: U's scales per (product plane group, output channel)
    int mse_grid = 64;           // kMse: log-spaced candidates in [max / 4096, max], then as many around the best
};

// Clipping factors of a set of observed values (0 when every value is 0).
double clip_max(const std::vector<double>& v);
double clip_percentile(const std::vector<double>& v, double percent);
double clip_mse(const std::vector<double>& v, int grid);
double choose_clip(const std::vector<double>& v, const CalibrationOptions& o);
// mean (v - Q(v))^2 for the int8 quantizer with clipping factor alpha.
double quantization_mse(const std::vector<double>& v, double alpha);

// The exact float values every stage of a Winograd layer holds on calibration input x
// (NHWC, s.N images: the values the layer sees, i.e. already dequantized from int8).
struct WinogradStageValues {
    Variant variant = Variant::kCF43;
    int K = 0;                             // output channels
    std::vector<std::vector<double>> act;  // per activation plane: its value for every (tile, c)
    std::vector<std::vector<double>> w;    // per product plane: the filter part for every (k, c)
    std::vector<std::vector<double>> m;    // per output plane: M = sum_c U V for every (tile, k)
};
WinogradStageValues winograd_stage_values(Variant v, const ConvShape& s, const float* weights, const double* x);
// y: the float layer output on the same input (float_conv: bias included, no ReLU); it does
// not depend on the variant, so callers comparing variants compute it once.
WinogradScales winograd_scales_from_values(const WinogradStageValues& values, const std::vector<double>& y,
                                           double x_scale, const CalibrationOptions& o);

struct DirectConvScales {
    double x = 1.0;
    std::vector<double> w;  // per output channel (all equal: per tensor)
    OutputScales out;
};

// Direct-convolution scales from its float weights ([K][C][kh][kw], K * weights_per_k values)
// and float output y.
DirectConvScales direct_scales_from_values(const std::vector<double>& weights, int K, const std::vector<double>& y,
                                           double x_scale, const CalibrationOptions& o);

// The scale of a layer's int8 input from float activations.
double calibrate_activation_scale(const std::vector<double>& x, const CalibrationOptions& o);

// Whole-layer calibration from float input x (NHWC, s.N images), which is first rounded to
// int8 with x_scale exactly as the layer's input will be.
WinogradScales calibrate_winograd_conv(Variant v, const ConvShape& s, const float* weights, const float* bias,
                                       const std::vector<double>& x, double x_scale, const CalibrationOptions& o);
DirectConvScales calibrate_direct_conv(const ConvShape& s, const float* weights, const float* bias,
                                       const std::vector<double>& x, double x_scale, const CalibrationOptions& o);

}  // namespace winoq
