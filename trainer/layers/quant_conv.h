// A convolution of a trainer model, configurable per layer as float, int8 `direct` or an int8
// Winograd variant (f23, f43, cf43, cf43m4: 3x3 stride-1 only), with its output stage:
//
//   out = Q_y( relu( conv(x) + bias (+ residual) ) )
//
// Float and fake-quant modes (quant_conv.cpp) simulate the integer pipeline of
// docs/numerics.md in float with a fake quantizer at every int8 stage: the weights (direct:
// per tensor or per output channel), and for Winograd the transformed input V (one alpha per
// activation plane group), the transformed weights U (per product plane group), the
// channel-accumulated product M (per tensor) and the output y. The input x arrives already
// quantized (it is the previous layer's output). Integer mode (quant_conv_integer.cpp) turns
// the learned alphas into winoq::DirectConvParams / WinogradConvParams and runs the exact
// integer pipeline (integer_conv.h).
//
// A "float" layer in a quantized model computes in float between int8 input and output (used
// for the 7x7 stem of ResNet-18, which no int8 kernel supports).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "trainer/layers/act.h"
#include "trainer/layers/winograd_maps.h"
#include "trainer/quant/quantizer.h"
#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/variant.h"

namespace winoq::train {

struct QConvOptions {
    std::string name;
    int in = 0, out = 0, kernel = 3, stride = 1;
    std::string variant = "float";  // "float" or a winoq::Variant name
    bool relu = false;
    bool batchnorm = false;      // float BatchNorm after the conv, for training from scratch
    bool per_tap = false;        // Winograd: alpha per tap; direct: weight alpha per output channel
    bool per_channel_u = false;  // Winograd: U's alpha per (product plane group, output channel); others: unused
    int pad() const { return kernel / 2; }
};

// Whether `variant` may run a conv of this kernel and stride (Winograd: 3x3, stride 1).
bool variant_fits(const std::string& variant, int kernel, int stride);

class QConvImpl;
// Called after every forward with the layer, its input, residual (or nullptr) and output.
using ConvObserver = std::function<void(const QConvImpl&, const Act& x, const Act* residual, const Act& y)>;

class QConvImpl : public torch::nn::Module {
public:
    explicit QConvImpl(QConvOptions o);

    Act forward(const Act& x, const Act* residual = nullptr);
    void set_observer(ConvObserver f) { observer_ = std::move(f); }

    void set_mode(Mode m);
    Mode mode() const { return mode_; }
    void set_quant_state(QuantState s);
    std::vector<Quantizer> quantizers() const;

    // Folds the BatchNorm into weight and bias (w*g/sqrt(var+eps), (b-mean)*g/sqrt(var+eps)+beta).
    void fold_batchnorm();
    bool has_batchnorm() const { return !bn.is_empty(); }

    const QConvOptions& options() const { return opt_; }
    std::optional<Variant> variant() const { return variant_; }  // nullopt: float
    bool is_winograd() const { return variant_ && is_winograd_variant_; }

    // The integer parameters of this layer for an input of H x W with int8 scale x_scale,
    // a residual of scale res_scale (0: none); scales from the learned clipping factors.
    // The layer's shape for one image of H x W (N = 1).
    ConvShape shape(int H, int W) const;
    DirectConvParams direct_params(double x_scale, double res_scale, int H, int W) const;
    WinogradConvParams winograd_params(double x_scale, double res_scale, int H, int W) const;

    torch::Tensor weight, bias;  // [K, C, k, k], [K]
    torch::nn::BatchNorm2d bn{nullptr};
    Quantizer w_quant{
        nullptr};  // direct: weights; Winograd: U planes [prod planes, K, C] ([prod planes * K, C] per channel)
    Quantizer v_quant{nullptr};  // Winograd: V planes [act planes, C, tiles]
    Quantizer m_quant{nullptr};  // Winograd: M, per tensor
    Quantizer y_quant{nullptr};  // output, per tensor

private:
    Act forward_float(const Act& x, const Act* residual);
    torch::Tensor winograd_accumulate(const torch::Tensor& x);
    Act forward_integer(const Act& x, const Act* residual);
    const WinogradMaps& maps_for(const torch::Tensor& x);

    QConvOptions opt_;
    std::optional<Variant> variant_;
    bool is_winograd_variant_ = false;
    Mode mode_ = Mode::kFloat;
    WinogradMaps maps_;  // on the device / dtype of the last input
    ConvObserver observer_;
};
TORCH_MODULE(QConv);

}  // namespace winoq::train
