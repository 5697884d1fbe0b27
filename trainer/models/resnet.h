// ResNet-20 for CIFAR (He et al. 2016: 3x3 stem, 3 stages of 3 basic blocks with 16 / 32 / 64
// channels, option A shortcuts) and ResNet-18 with ImageNet shapes (7x7 stride-2 stem, 3x3
// max pool, 4 stages of 2 blocks with 64..512 channels, 1x1 projection shortcuts), built from
// QConv layers so that each convolution runs float, int8 direct or an int8 Winograd variant.
//
// Parameter names follow the PyTorch checkpoints (conv1, layer1.0.conv1, layer2.0.downsample,
// linear / fc): import.h maps them. The classifier (global average pool + linear) is float on
// the dequantized int8 features in float and fake-quant modes; integer mode computes the
// deployable model's exact int8 head (integer_head.h) and returns double logits.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "trainer/layers/act.h"
#include "trainer/layers/quant_conv.h"
#include "trainer/models/model_config.h"
#include "trainer/quant/quantizer.h"

namespace winoq::train {

class BasicBlockImpl : public torch::nn::Module {
public:
    // shortcut: "identity", "option_a" (subsample + zero channels) or "projection" (1x1 conv).
    BasicBlockImpl(const std::string& prefix, int in, int out, int stride, const std::string& shortcut,
                   const ModelConfig& cfg);
    Act forward(const Act& x);

    QConv conv1{nullptr}, conv2{nullptr}, downsample{nullptr};
    std::string shortcut;
};
TORCH_MODULE(BasicBlock);

// Option A shortcut: x[:, :, ::2, ::2] with (out - in) / 2 zero channels on each side.
Act option_a_shortcut(const Act& x, int out_channels);

class ResNetImpl : public torch::nn::Module {
public:
    explicit ResNetImpl(ModelConfig cfg);

    torch::Tensor forward(const torch::Tensor& images);  // normalised images -> logits
    Act quantize_input(const torch::Tensor& images);

    const ModelConfig& config() const { return cfg_; }
    void set_mode(Mode m);
    Mode mode() const { return mode_; }
    void set_quant_state(QuantState s);  // every quantizer (observe for calibration)
    void set_conv_observer(const ConvObserver& f);
    void fold_batchnorm();  // every conv; the config then says batchnorm = false

    std::vector<QConv> convs() const;  // in forward order
    std::vector<Quantizer> quantizers() const;
    const std::string& classifier_name() const { return classifier_name_; }

    Quantizer input_quant{nullptr};
    QConv stem{nullptr};
    std::vector<BasicBlock> blocks;
    torch::nn::Linear classifier{nullptr};

private:
    ModelConfig cfg_;
    Mode mode_ = Mode::kFloat;
    bool maxpool_ = false;
    std::string classifier_name_;
};
TORCH_MODULE(ResNet);

}  // namespace winoq::train
