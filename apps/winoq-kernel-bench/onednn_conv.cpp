#include "onednn_conv.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

namespace winoq::bench {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct OneDnnConv::Impl {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    dnnl::convolution_forward conv;
    memory src, dst;  // wrap the caller's buffers: run() only swaps the pointers
    memory weights, bias;
    std::string impl;
};

OneDnnConv::OneDnnConv(const DirectConvParams& p, OneDnnSrc src_type) : impl_(std::make_unique<Impl>()) {
    const ConvShape& s = p.shape;
    validate_shape(Variant::kDirect, s);
    if (p.out.residual) throw std::invalid_argument("OneDnnConv: residual inputs are not wired up");
    Impl& I = *impl_;
    const int kk = s.kernel;
    const memory::dims src_dims = {s.N, s.C, s.H, s.W}, wei_dims = {s.K, s.C, kk, kk},
                       dst_dims = {s.N, s.K, s.out_h(), s.out_w()}, bias_dims = {s.K};
    const memory::desc src_md(src_dims, src_type == OneDnnSrc::kU8 ? dt::u8 : dt::s8, tag::nhwc);
    const memory::desc dst_md(dst_dims, dt::s8, tag::nhwc);
    const memory::desc wei_any(wei_dims, dt::s8, tag::any), bias_md(bias_dims, dt::s32, tag::x);

    // oneDNN 2.x int8: dst = saturate(round(relu(scale[k] * (acc + bias[k])))), the bias in
    // accumulator units like winoq's OutputStage.
    std::vector<float> scales(s.K);
    for (int k = 0; k < s.K; ++k) scales[k] = float(std::ldexp(double(p.out.mult[k]), -p.out.shift[k]));
    dnnl::primitive_attr attr;
    attr.set_output_scales(1 << 1, scales);  // per output channel (dimension 1 of dst)
    if (p.out.relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        attr.set_post_ops(ops);
    }
    const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                               src_md, wei_any, bias_md, dst_md, {s.stride, s.stride}, {s.pad, s.pad},
                                               {s.pad, s.pad});
    const dnnl::convolution_forward::primitive_desc pd(desc, attr, I.engine);
    I.conv = dnnl::convolution_forward(pd);
    I.impl = pd.impl_info_str();

    // winoq weights are [k][ky][kx][c]: oneDNN's ohwi. Reorder once into the kernel's layout.
    memory user_w({wei_dims, dt::s8, tag::ohwi}, I.engine, const_cast<int8_t*>(p.weights.data()));
    I.weights = memory(pd.weights_desc(), I.engine);
    dnnl::reorder(user_w, I.weights).execute(I.stream, user_w, I.weights);
    I.bias = memory(bias_md, I.engine);
    int32_t* b = static_cast<int32_t*>(I.bias.get_data_handle());
    for (int k = 0; k < s.K; ++k) b[k] = p.out.bias[k];
    I.stream.wait();
    I.src = memory(src_md, I.engine, DNNL_MEMORY_NONE);
    I.dst = memory(dst_md, I.engine, DNNL_MEMORY_NONE);
}

OneDnnConv::~OneDnnConv() = default;
OneDnnConv::OneDnnConv(OneDnnConv&&) noexcept = default;
OneDnnConv& OneDnnConv::operator=(OneDnnConv&&) noexcept = default;

void OneDnnConv::run(const void* in, int8_t* out) {
    Impl& I = *impl_;
    I.src.set_data_handle(const_cast<void*>(in));
    I.dst.set_data_handle(out);
    I.conv.execute(
        I.stream,
        {{DNNL_ARG_SRC, I.src}, {DNNL_ARG_WEIGHTS, I.weights}, {DNNL_ARG_BIAS, I.bias}, {DNNL_ARG_DST, I.dst}});
    I.stream.wait();
}

std::string OneDnnConv::impl_name() const { return impl_->impl; }

}  // namespace winoq::bench
