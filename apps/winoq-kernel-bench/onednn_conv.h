// The peer: oneDNN's int8 direct convolution of the same layer as a winoq DirectConvParams
// (same int8 weights and int32 bias, output scale mult / 2^shift per channel, fused ReLU,
// NHWC int8 output). oneDNN rounds in float, so results may differ from winoq's integer
// requantizer by one step. The primitive and the reordered weights are made once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "winoq/numerics/conv_params.h"

namespace winoq::bench {

enum class OneDnnSrc { kU8, kS8 };  // source data type; u8 suits post-ReLU activations

class OneDnnConv {
public:
    OneDnnConv(const DirectConvParams& p, OneDnnSrc src_type);
    ~OneDnnConv();
    OneDnnConv(OneDnnConv&&) noexcept;
    OneDnnConv& operator=(OneDnnConv&&) noexcept;

    // in: NHWC [N][H][W][C] (u8 or s8 as constructed; int8 values in [0, 127] read the same);
    // out: NHWC int8 [N][out_h][out_w][K]. Runs synchronously.
    void run(const void* in, int8_t* out);

    // The implementation oneDNN picked, e.g. "brg:avx512_core_amx" or "jit_int8:avx512_core_vnni".
    std::string impl_name() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace winoq::bench
