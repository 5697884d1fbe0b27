// winoq::ConvKernel: dispatch to one engine per algorithm (conv_kernels_impl.h), and the
// buffer helpers the engines share.
#include "winoq/kernels/conv_kernels.h"

#include <stdexcept>
#include <string>

#include "conv_kernels_impl.h"
#include "winoq/numerics/requantize.h"

namespace winoq {
namespace kernels_detail {

namespace {
template <typename T>
Halide::Runtime::Buffer<T> make_nhwc(T* data, int N, int H, int W, int C) {
    const halide_dimension_t shape[4] = {{0, C, 1, 0}, {0, W, C, 0}, {0, H, W * C, 0}, {0, N, H * W * C, 0}};
    return Halide::Runtime::Buffer<T>(data, 4, shape);
}

Halide::Runtime::Buffer<int32_t> k_buffer(const std::vector<int32_t>& v, int K, const char* what) {
    if (static_cast<int>(v.size()) != K)
        throw std::invalid_argument(std::string("winoq: output stage ") + what + " needs one value per output channel");
    Halide::Runtime::Buffer<int32_t> b(K);
    for (int k = 0; k < K; ++k) b(k) = v[k];
    return b;
}
}  // namespace

Halide::Runtime::Buffer<const int8_t> nhwc_view(const int8_t* data, int N, int H, int W, int C) {
    return make_nhwc(data, N, H, W, C);
}
Halide::Runtime::Buffer<int8_t> nhwc_view(int8_t* data, int N, int H, int W, int C) {
    return make_nhwc(data, N, H, W, C);
}

OutputStageBuffers::OutputStageBuffers(const OutputStage& s, int K)
    : bias(k_buffer(s.bias, K, "bias")),
      mult(k_buffer(s.mult, K, "mult")),
      res_mult(K),
      shift(k_buffer(s.shift, K, "shift")),
      relu(s.relu),
      residual(s.residual) {
    res_mult.fill(0);
    if (s.residual) res_mult = k_buffer(s.res_mult, K, "res_mult");
    for (int k = 0; k < K; ++k)
        if (shift(k) < 1 || shift(k) > kMaxShift)
            throw std::invalid_argument("winoq: output stage shift must be in [1, " + std::to_string(kMaxShift) + "]");
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
#endif

}  // namespace kernels_detail

ConvKernel::ConvKernel(const DirectConvParams& p) : impl_(std::make_unique<Impl>()) {
    impl_->variant = Variant::kDirect;
    impl_->shape = p.shape;
    impl_->engine = kernels_detail::make_direct_engine(p);
}

ConvKernel::ConvKernel(const WinogradConvParams& p) : impl_(std::make_unique<Impl>()) {
    impl_->variant = p.variant;
    impl_->shape = p.shape;
    impl_->engine = kernels_detail::make_winograd_engine(p);
}

ConvKernel::~ConvKernel() = default;
ConvKernel::ConvKernel(ConvKernel&&) noexcept = default;
ConvKernel& ConvKernel::operator=(ConvKernel&&) noexcept = default;

Variant ConvKernel::variant() const {
    if (!impl_) throw std::logic_error("winoq: ConvKernel used after move");
    return impl_->variant;
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
