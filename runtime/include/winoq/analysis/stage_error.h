// Where the error of an int8 Winograd layer comes from: a float model of the integer
// pipeline in which each stage can be rounded to its int8 grid (fake quantization with the
// calibrated scale) or left exact. The model follows the plane layout exactly: activation
// planes (Gauss operand included), filter planes, the per-plane products combined into
// output planes, M, the output transform and the output. With every stage rounded it
// matches the integer reference up to the fixed-point multipliers.
//
// It also compares the scales of M: one per tensor, one per tap (free, a what-if), or one
// per tap on a power-of-two grid (Andri et al. 2022), which the integer pipeline applies
// exactly as left shifts before the output transform (m_lshift).
#pragma once

#include <vector>

#include "winoq/analysis/calibration.h"
#include "winoq/numerics/conv_params.h"
#include "winoq/analysis/layer_error.h"

namespace winoq {

// kPipeline: the M scales the integer pipeline uses for these WinogradScales (m_plane_grid).
enum class MScaleMode { kPerTensor, kPerTap, kPerTapPow2, kPipeline };

struct StageRounding {
    bool v = false;  // activation planes (transformed input)
    bool u = false;  // filter planes (transformed weights)
    bool m = false;  // M
    bool y = false;  // the output
    MScaleMode m_mode = MScaleMode::kPerTensor;
};

// Per output plane scale of M for the given mode (re and im of a tap share one).
std::vector<double> m_plane_scales(const WinogradStageValues& values, const WinogradScales& sc, MScaleMode mode,
                                   const CalibrationOptions& o);

// Float model of the layer on x (already the dequantized int8 input): NHWC output.
std::vector<double> simulate_winograd(Variant v, const ConvShape& s, const float* weights, const float* bias,
                                      const double* x, const WinogradScales& sc, const std::vector<double>& m_scales,
                                      const StageRounding& r);

// Relative RMS error of the float model against the float convolution, one entry per row.
struct StageErrorRow {
    const char* label;
    StageRounding rounding;
    double rel_rms = 0;
};
std::vector<StageErrorRow> stage_error_breakdown(const LayerData& data, Variant v, const CalibrationOptions& o);

}  // namespace winoq
