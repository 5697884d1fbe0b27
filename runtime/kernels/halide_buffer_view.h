// Private to winoq_kernels: the one way the engines hand memory to the AOT pipelines. A
// halide_buffer_t over memory the engine owns or borrows (the caller's tensors, packed
// parameters, scratch): no allocation, no ownership, dims (extent, stride) from the innermost,
// mins 0. Owned buffers the engines allocate are Halide::Runtime::Buffer, made by
// allocate_buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <stdexcept>

#include <HalideBuffer.h>
#include <HalideRuntime.h>

namespace winoq::kernels::detail {

struct ViewDim {
    int extent, stride;
};

template <typename T>
class HalideBufferView {
public:
    HalideBufferView(const T* data, std::initializer_list<ViewDim> dims) {
        if (dims.size() > kMaxDims) throw std::logic_error("winoq: too many dimensions");
        buf_.host = reinterpret_cast<uint8_t*>(const_cast<T*>(data));
        buf_.type = halide_type_of<T>();
        buf_.dimensions = static_cast<int>(dims.size());
        int d = 0;
        for (const ViewDim& e : dims) dim_[d++] = halide_dimension_t(0, e.extent, e.stride);
        buf_.dim = dim_;
    }
    // buf_.dim points into this object: it never moves (returned only as a prvalue).
    HalideBufferView(const HalideBufferView&) = delete;
    HalideBufferView& operator=(const HalideBufferView&) = delete;
    halide_buffer_t* get() { return &buf_; }

private:
    static constexpr size_t kMaxDims = 5;
    halide_buffer_t buf_{};
    halide_dimension_t dim_[kMaxDims];
};

// An NHWC tensor [N][H][W][C] as dims (c, x, y, n), extents C, W, H, N.
template <typename T>
HalideBufferView<T> nhwc_view(const T* data, int N, int H, int W, int C) {
    return HalideBufferView<T>(data, {{C, 1}, {W, C}, {H, W * C}, {N, H * W * C}});
}

inline void* malloc_or_throw(size_t bytes) {
    void* p = std::malloc(bytes);
    if (!p) throw std::bad_alloc();
    return p;
}

// An owned buffer (dense, mins 0) whose failed allocation is std::bad_alloc: Halide's own
// Buffer constructors write through the pointer malloc returned without checking it.
template <typename T, typename... Extents>
Halide::Runtime::Buffer<T> allocate_buffer(int first, Extents... rest) {
    Halide::Runtime::Buffer<T> b(static_cast<T*>(nullptr), first, rest...);
    b.allocate(&malloc_or_throw, &std::free);
    return b;
}

}  // namespace winoq::kernels::detail
