// winoq::ConvKernel: dispatch to one engine per algorithm (conv_kernels_impl.h), and the
// output-stage buffers and error checks the engines share.
#include "winoq/kernels/conv_kernels.h"

#include <stdexcept>
#include <string>

#include "conv_kernels_impl.h"

namespace winoq {
namespace kernels::detail {

namespace {
// A K-long int32 buffer (dim 0 = k) holding v, whose size validate_output_stage checked.
Halide::Runtime::Buffer<int32_t> k_buffer(const std::vector<int32_t>& v, int K) {
    Halide::Runtime::Buffer<int32_t> b = allocate_buffer<int32_t>(K);
    for (int k = 0; k < K; ++k) b(k) = v[k];
    return b;
}
}  // namespace

OutputStageBuffers::OutputStageBuffers(const OutputStage& s, int K) : relu(s.relu), residual(s.residual) {
    validate_output_stage(s, K);
    bias = k_buffer(s.bias, K);
    mult = k_buffer(s.mult, K);
    shift = k_buffer(s.shift, K);
    res_mult = allocate_buffer<int32_t>(K);
    res_mult.fill(0);  // without a residual the stage adds exactly 0
    if (s.residual) res_mult = k_buffer(s.res_mult, K);
}

void check_halide(int rc, const char* pipeline) {
    if (rc != 0)
        throw std::runtime_error(std::string("winoq: Halide pipeline ") + pipeline + " failed with error " +
                                 std::to_string(rc));
}

void check_residual_arg(const int8_t* residual, bool has_residual) {
    if (has_residual && !residual) throw std::invalid_argument("winoq: this layer needs a residual input");
    if (!has_residual && residual) throw std::invalid_argument("winoq: this layer has no residual input");
}

#ifdef WINOQ_NO_DIRECT_KERNEL
// conv_kernels_direct.cpp is not part of this build.
std::unique_ptr<ConvEngine> make_direct_engine(const DirectConvParams&) {
    throw std::runtime_error("winoq: the direct convolution kernel is not built");
}
uint64_t direct_engine_bytes(const ConvShape&) { return 0; }
#endif

}  // namespace kernels::detail

ConvKernel::ConvKernel(const DirectConvParams& p, ScheduleChoice c) : impl_(std::make_unique<Impl>()) {
    impl_->variant = Variant::kDirect;
    impl_->shape = p.shape;
    impl_->engine = kernels::detail::make_direct_engine(p);
    if (c == ScheduleChoice::kTuned) use_tuned_schedule(p.out.residual);
}

ConvKernel::ConvKernel(const WinogradConvParams& p, ScheduleChoice c) : impl_(std::make_unique<Impl>()) {
    impl_->variant = p.variant;
    impl_->shape = p.shape;
    impl_->engine = kernels::detail::make_winograd_engine(p);
    if (c == ScheduleChoice::kTuned) use_tuned_schedule(p.out.residual);
}

void ConvKernel::use_tuned_schedule(bool residual) {
    kernels::detail::PipelineFn fn = impl_->engine->pipeline();
    impl_->schedule = kernels::detail::tuned_pipeline(impl_->variant, impl_->shape, residual, fn);
    impl_->engine->use_pipeline(fn);
}

ConvKernel::~ConvKernel() = default;
ConvKernel::ConvKernel(ConvKernel&&) noexcept = default;
ConvKernel& ConvKernel::operator=(ConvKernel&&) noexcept = default;

uint64_t ConvKernel::planned_bytes(Variant v, const ConvShape& s) {
    return v == Variant::kDirect ? kernels::detail::direct_engine_bytes(s)
                                 : kernels::detail::winograd_engine_bytes(v, s);
}

Variant ConvKernel::variant() const {
    if (!impl_) throw std::logic_error("winoq: ConvKernel used after move");
    return impl_->variant;
}

const std::string& ConvKernel::schedule() const {
    if (!impl_) throw std::logic_error("winoq: ConvKernel used after move");
    return impl_->schedule;
}

const ConvShape& ConvKernel::shape() const {
    if (!impl_) throw std::logic_error("winoq: ConvKernel used after move");
    return impl_->shape;
}

void ConvKernel::run(const int8_t* in, const int8_t* residual, int8_t* out) {
    if (!impl_) throw std::logic_error("winoq: ConvKernel used after move");
    if (!in || !out) throw std::invalid_argument("winoq: ConvKernel::run needs input and output pointers");
    impl_->engine->run(in, residual, out);
}

}  // namespace winoq
