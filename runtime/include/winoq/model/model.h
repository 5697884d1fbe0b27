// A deployable int8 model: what `winoq-train export` writes and the runner executes.
// Stored as a safetensors file (docs/model-format.md, format "winoq-int8-model" version
// kModelFormatVersion): integer layer parameters as I8 / I32 tensors, float-only parts as
// F32, the layer graph and model facts as JSON in the header metadata.
//
// The graph is a list of ops in execution order. Every op writes one int8 NCHW-shaped
// activation (stored NHWC) named after the op, with real value q * out_scale; "input" names
// the quantized image. Op kinds:
//   conv       int8 direct or Winograd (DirectConvParams / WinogradConvParams as the kernels
//              take them), or float arithmetic between int8 tensors (ResNet-18's 7x7 stem,
//              which no int8 kernel runs), optional residual add (ConvImpl says which);
//   shortcut_a ResNet option-A shortcut: x[::2, ::2] with (out_c - in_c) / 2 zero channels on
//              each side (exact on int8, scale kept);
//   maxpool    max over a PoolWindow (kernel, stride, padding, ceil_mode; default ResNet-18's
//              3x3 stride-2 padding-1 pool); padded positions never take part (exact, scale kept);
//   clamp      clamp(q, clamp_lo, clamp_hi): a standalone ReLU / ReLU6 (exact, scale kept).
// The head is a global average pool and an int8 linear layer computed exactly:
//   logit[k] = double(sum_c W[k][c] * S[c] + bias[k]) * logit_scale[k],  S[c] = sum over
//   the last map of the int8 values of channel c.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/enum_names.h"

namespace winoq {

// The version save_model writes and Model::version holds; load_model also reads version-1 files
// (no clamp op, every maxpool the default PoolWindow).
inline constexpr int kModelFormatVersion = 2;
inline constexpr const char* kModelFormatName = "winoq-int8-model";

enum class OpKind { kConv, kShortcutA, kMaxPool, kClamp };
inline constexpr EnumName<OpKind> kOpKindNames[] = {{OpKind::kConv, "conv"},
                                                    {OpKind::kShortcutA, "shortcut_a"},
                                                    {OpKind::kMaxPool, "maxpool"},
                                                    {OpKind::kClamp, "clamp"}};
inline constexpr const char* op_kind_name(OpKind k) { return name_of(kOpKindNames, k); }

// How a conv op computes, and so which of its parameter sets holds: float_conv, direct or
// winograd (whose WinogradConvParams::variant says which Winograd variant).
enum class ConvImpl { kFloat, kDirect, kWinograd };
// The name a float conv has where files and reports name a conv's variant; int8 convs use
// variant_name() of their Variant ("direct", "f23", "f43", "cf43", "cf43m4").
inline constexpr const char* kFloatConvName = "float";

// A conv computed in float between int8 tensors (no int8 kernel for its shape):
//   y = conv(x_q * x_scale, weights) + bias (+ residual_q * res_scale); relu;
//   out = clamp(round_half_even(y / out_scale), relu ? 0 : -127, 127)
struct FloatConvParams {
    ConvShape shape;
    std::vector<float> weights;  // [K][C][k][k] (PyTorch order)
    std::vector<float> bias;     // K
    double x_scale = 1.0, res_scale = 0.0;
    bool relu = false;
};

// A max-pool window; default: 3x3, stride 2, padding 1 (ResNet-18's pool). The output is the
// max over the window's positions that lie inside the input (padding never takes part: PyTorch's
// max_pool2d with -inf padding). Valid: kernel and stride 1..kMaxPoolWindow, each pad in
// [0, kernel / 2] of its axis, an output of at least 1.
inline constexpr int kMaxPoolWindow = 64;
struct PoolWindow {
    int kernel_h = 3, kernel_w = 3, stride_h = 2, stride_w = 2;
    int pad_top = 1, pad_left = 1, pad_bottom = 1, pad_right = 1;
    bool ceil_mode = false;
    // PyTorch's rule: floor (or ceil with ceil_mode) of (in + pads - kernel) / stride, plus 1;
    // with ceil_mode the last window must start inside the input or its top / left padding.
    int out_h(int h) const;
    int out_w(int w) const;
};

struct ModelOp {
    OpKind kind = OpKind::kConv;
    std::string name;                     // unique; also the name of its output activation
    std::string input;                    // "input" or an earlier op's name
    std::string residual;                 // conv only: "" or an earlier op's name (same shape as the output)
    ConvImpl impl = ConvImpl::kDirect;    // conv only
    DirectConvParams direct;              // ConvImpl::kDirect (shape.N = 1)
    WinogradConvParams winograd;          // ConvImpl::kWinograd (shape.N = 1)
    FloatConvParams float_conv;           // ConvImpl::kFloat (shape.N = 1)
    PoolWindow pool;                      // maxpool only
    int clamp_lo = -127, clamp_hi = 127;  // clamp only: -127 <= lo <= hi <= 127, at the input's scale
    // The output activation, per image: C x H x W int8 with real value q * out_scale.
    int out_c = 0, out_h = 0, out_w = 0;
    double out_scale = 1.0;
    // The learned clipping factors (alpha = 127 * scale) this layer was quantized from, by
    // stage ("x", "w", "v", "u", "m", "y"): recorded for inspection, not used to run.
    std::map<std::string, std::vector<float>> clipping;

    const ConvShape& conv_shape() const;  // conv only: the shape of its parameters
    // conv only: the int8 variant it runs (kDirect or the Winograd one); nullopt for a float conv.
    std::optional<Variant> int8_variant() const;
    // The conv's variant as files and reports name it: kFloatConvName or variant_name(); "" for
    // other kinds.
    std::string variant_label() const;
    // conv only: sets impl (and winograd.variant) from a variant_label(); false if it names none.
    bool set_variant_label(const std::string& label);
};

struct ModelHead {
    int C = 0, classes = 0;
    std::vector<int8_t> weight;      // [classes][C]
    std::vector<int32_t> bias;       // [classes], in units of logit_scale
    std::vector<float> logit_scale;  // [classes]
};

struct Model {
    int version = kModelFormatVersion;
    std::string name;     // e.g. "resnet20-cifar10-cf43"; "untrained" in it when untrained
    std::string arch;     // "resnet20", "resnet18" or "graph" (imported from ONNX); not checked
    std::string dataset;  // "cifar10", "fashion-mnist", "imagenet-shapes"
    bool trained = true;  // false: random weights (latency / MAC measurements only)
    int in_channels = 3, image_size = 32;
    std::vector<float> mean, std;          // per channel: x = (pixel / 255 - mean) / std
    double input_scale = 1.0;              // the int8 image: q = clamp(rne(x / input_scale), -127, 127)
    std::vector<int8_t> input_lut;         // [in_channels][256]: q for each 8-bit pixel value
    std::vector<std::string> class_names;  // num_classes
    std::vector<ModelOp> ops;
    ModelHead head;
    std::map<std::string, std::string> info;  // free-form provenance (command, accuracy, date)

    int num_classes() const { return static_cast<int>(class_names.size()); }
    const ModelOp& op(const std::string& name) const;  // throws std::out_of_range
};

// The quantization of one 8-bit pixel value of channel c, by the shared rounding rule; the
// trainer's float32 normalisation order ((p / 255f - mean) / std, each op rounded to float).
int8_t quantize_pixel(uint8_t pixel, float mean, float std, double input_scale);
std::vector<int8_t> make_input_lut(const std::vector<float>& mean, const std::vector<float>& std, double input_scale);

// Multiply-accumulates of one image by docs/method.md section 3: Winograd-domain products only
// (whole tiles, transforms excluded), direct convs K*C*k*k per output pixel, plus the head.
struct OpMacs {
    std::string name, variant;
    int64_t direct = 0;  // the same conv as a direct convolution
    int64_t actual = 0;  // as the model runs it
};
struct ModelMacs {
    std::vector<OpMacs> ops;  // convs, then "head"
    int64_t direct = 0, actual = 0;
    double reduction() const { return double(direct) / double(actual); }
};
int64_t conv_macs(Variant v, const ConvShape& s);  // one image (s.N ignored)
ModelMacs count_macs(const Model& m);

// Checks everything a loaded or built model must satisfy (names, graph order, shapes chained
// from the input through every op, parameter sizes, the head); throws std::runtime_error
// naming the op and the problem.
void validate_model(const Model& m);

// Files. load_model validates the container (safetensors), the format name and version, every
// tensor's name / dtype / shape, the metadata JSON and then validate_model; any problem is a
// std::runtime_error naming the file. save_model writes atomically (temporary file + rename).
Model load_model(const std::string& path);
void save_model(const std::string& path, const Model& m);
std::vector<uint8_t> serialize_model(const Model& m);
Model parse_model(std::vector<uint8_t> bytes, const std::string& what = "<memory>");

}  // namespace winoq
