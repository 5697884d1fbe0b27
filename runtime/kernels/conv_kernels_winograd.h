// Private: the Winograd engine of ConvKernel, with its stages exposed for the tests
// (tests/winograd_kernels_test.cpp compares each stage with winoq::reference).
#pragma once

#include <cstdint>
#include <vector>

#include <HalideRuntime.h>

#include "conv_kernels_impl.h"
#include "kernel_layout.h"

namespace winoq::kernels::detail {

class WinogradEngine final : public ConvEngine {
public:
    explicit WinogradEngine(const WinogradConvParams& p);  // validates and packs
    // Channel counts padded to the pipelines' alignments (winograd_engine_bytes counts with them).
    struct Sizes {
        int c4, c16, k16, kp;
        explicit Sizes(const ConvShape& s);
    };
    // The fused pipeline: one call for the whole layer.
    void run(const int8_t* in, const int8_t* residual, int8_t* out) override;
    PipelineFn pipeline() const override { return fused_; }
    void use_pipeline(const PipelineFn& fn) override { fused_ = fn; }
    // The same through the three stage pipelines (X and M in the engine's scratch).
    void run_stages(const int8_t* in, const int8_t* residual, int8_t* out);

    // The three stages run_stages() chains (scratch allocated on first use).
    void input_transform(const int8_t* in);                      // in -> X
    void gemm();                                                 // X -> M
    void output_transform(const int8_t* residual, int8_t* out);  // M -> out

    // X: (c4, t, pa) in the activation encoding (kernels::ActStorage, value + kernels::kActOffset),
    // element [(pa*T + t)*c4 + c].
    const std::vector<kernels::ActStorage>& X() const { return X_; }
    // M: int8 (k16, t, o'), o' the internal plane order, element [(o'*T + t)*k16 + k].
    const std::vector<int8_t>& M() const { return M_; }
    const kernels::KernelLayout& layout() const { return KL_; }
    int c4() const { return c4_; }
    int k16() const { return k16_; }
    int tiles() const { return T_; }

private:
    struct Section {
        const kernels::GemmSection* sec = nullptr;
        int (*fn)(halide_buffer_t*, halide_buffer_t*, halide_buffer_t*, halide_buffer_t*, halide_buffer_t*,
                  halide_buffer_t*, halide_buffer_t*) = nullptr;
        const char* name = "";
        std::vector<int32_t> act_map;  // (j, g)
    };
    // Construction, after validation: the parameters in the pipelines' layouts.
    void pack_weights();
    void pack_m_requantization();
    void bind_gemm_sections();
    void gemm_section(Section& s);
    void allocate_stage_scratch();

    WinogradConvParams p_;
    PipelineFn fused_;  // the fused pipeline run() calls
    kernels::KernelLayout KL_;
    int c4_ = 0, c16_ = 0, k16_ = 0, kp_ = 0, T_ = 0, tw_ = 0, th_ = 0, P_ = 0, O_ = 0;
    std::vector<int32_t> in_mult_, in_shift_;  // (pa)
    // Packed with kp_ = round_up(K, kWinogradKPadding) output channels and c16_ =
    // round_up(C, kFusedChannelAlign) input channels (zeros beyond K and C).
    std::vector<int8_t> W_;            // (4, kp, c16/4, q')
    std::vector<int32_t> acc_offset_;  // (kp, q')
    std::vector<int32_t> m_mult_;      // (kp, 2, o')
    std::vector<int32_t> m_shift_;     // (kp, o')
    std::vector<int32_t> m_lshift_;    // (o')
    OutputStageBuffers stage_;
    std::vector<int8_t> padded_input_;  // the fused pipeline's input when C % kFusedChannelAlign != 0
    std::vector<kernels::ActStorage> X_;
    std::vector<int8_t> M_;
    Section real_, complex_;
};

}  // namespace winoq::kernels::detail
