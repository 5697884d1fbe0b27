#include "trainer/layers/integer_conv.h"

#include <stdexcept>
#include <vector>

#include "trainer/layers/torch_ops.h"
#include "winoq/numerics/requantize.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace winoq::train {
namespace {

torch::Tensor long_tensor(const std::vector<int32_t>& v, const torch::Device& dev) {
    return torch::tensor(std::vector<int64_t>(v.begin(), v.end()), torch::kLong).to(dev);
}

torch::Tensor scalar(int64_t v, const torch::Device& dev) {
    return torch::full({}, v, torch::dtype(torch::kLong).device(dev));
}

void check_input(const ConvShape& s, const torch::Tensor& x) {
    if (x.dim() != 4 || x.size(1) != s.C || x.size(2) != s.H || x.size(3) != s.W)
        throw std::invalid_argument("winoq-train: integer conv input does not match the layer shape");
    if (x.scalar_type() != torch::kLong) throw std::invalid_argument("winoq-train: integer conv input must be int64");
}

}  // namespace

torch::Tensor integer_output_stage(const OutputStage& st, const torch::Tensor& acc, const torch::Tensor& residual) {
    const torch::Device dev = acc.device();
    const auto per_k = [&](const std::vector<int32_t>& v) { return long_tensor(v, dev).view({1, -1, 1, 1}); };
    torch::Tensor sum = (acc + per_k(st.bias)) * per_k(st.mult);
    if (st.residual) {
        if (!residual.defined()) throw std::invalid_argument("winoq-train: the layer expects a residual input");
        sum = sum + residual * per_k(st.res_mult);
    }
    return requantize<torch::Tensor, TorchOps>(sum, per_k(st.shift), scalar(st.relu ? 0 : -kQMax, dev),
                                               scalar(kQMax, dev));
}

torch::Tensor integer_direct_conv(const DirectConvParams& p, const torch::Tensor& x, const torch::Tensor& residual) {
    const ConvShape& s = p.shape;
    check_input(s, x);
    validate_shape(Variant::kDirect, s);
    const int64_t kk = s.kernel, N = x.size(0);
    // weights [k][ky][kx][c] -> [K, C * kk * kk] in unfold's (c, ky, kx) order.
    const torch::Tensor w = torch::from_blob(const_cast<int8_t*>(p.weights.data()), {s.K, kk, kk, s.C}, torch::kInt8)
                                .permute({0, 3, 1, 2})
                                .reshape({s.K, s.C * kk * kk})
                                .to(x.device(), torch::kDouble);
    namespace F = torch::nn::functional;
    const torch::Tensor cols =
        F::unfold(x.to(torch::kDouble), F::UnfoldFuncOptions(kk).padding(s.pad).stride(s.stride));  // [N, C*kk*kk, L]
    const torch::Tensor acc = torch::matmul(w, cols).to(torch::kLong).view({N, s.K, s.out_h(), s.out_w()});
    return integer_output_stage(p.out, acc, residual);
}

torch::Tensor integer_input_transform(const WinogradConvParams& p, const torch::Tensor& x) {
    const ConvShape& s = p.shape;
    check_input(s, x);
    const WinogradMatrices& w = winograd_matrices(p.variant);
    const PlaneLayout& L = plane_layout(p.variant);
    const torch::Device dev = x.device();
    const int64_t m = w.m, n = w.n, th = p.tiles_h(), tw = p.tiles_w(), N = x.size(0), T = N * th * tw;
    const torch::Tensor xp = torch::constant_pad_nd(x, {1, tw * m + 1 - s.W, 1, th * m + 1 - s.H}, 0);
    const torch::Tensor tiles = xp.unfold(2, n, m).unfold(3, n, m).permute({4, 5, 1, 0, 2, 3}).reshape({n * n, s.C, T});
    std::vector<torch::Tensor> d;
    for (int64_t i = 0; i < n * n; ++i) d.push_back(tiles[i]);
    const torch::Tensor zero = torch::zeros({s.C, T}, torch::dtype(torch::kLong).device(dev));
    const std::vector<torch::Tensor> vals = act_plane_values(L, input_transform<torch::Tensor>(w, d, zero));
    std::vector<torch::Tensor> X;
    const torch::Tensor lo = scalar(-kQMax, dev), hi = scalar(kQMax, dev);
    for (size_t a = 0; a < vals.size(); ++a)
        X.push_back(
            requantize<torch::Tensor, TorchOps>(vals[a] * int64_t(p.in_mult[a]), scalar(p.in_shift[a], dev), lo, hi));
    return torch::stack(X);
}

torch::Tensor integer_winograd_gemm(const WinogradConvParams& p, const torch::Tensor& X) {
    const PlaneLayout& L = plane_layout(p.variant);
    const torch::Device dev = X.device();
    const int64_t Q = static_cast<int64_t>(L.prod.size()), K = p.shape.K, C = p.shape.C;
    std::vector<int64_t> act;
    for (const ProdPlane& q : L.prod) act.push_back(q.act);
    const torch::Tensor W =
        torch::from_blob(const_cast<int8_t*>(p.weights.data()), {Q, K, C}, torch::kInt8).to(dev, torch::kDouble);
    const torch::Tensor acc =
        torch::bmm(W, X.index_select(0, torch::tensor(act, torch::kLong).to(dev)).to(torch::kDouble)).to(torch::kLong);
    std::vector<torch::Tensor> M;
    const torch::Tensor lo = scalar(-kQMax, dev), hi = scalar(kQMax, dev);
    const torch::Tensor mult = long_tensor(p.m_mult, dev).view({-1, K, 2});
    const torch::Tensor shift = long_tensor(p.m_shift, dev).view({-1, K, 1});
    for (size_t o = 0; o < L.out.size(); ++o) {
        const OutPlane& op = L.out[o];
        torch::Tensor sum = acc[op.term[0]] * mult[o].select(1, 0).unsqueeze(1);
        if (op.nterms > 1) sum = sum + acc[op.term[1]] * mult[o].select(1, 1).unsqueeze(1);
        M.push_back(requantize<torch::Tensor, TorchOps>(sum, shift[o], lo, hi));
    }
    return torch::stack(M);
}

torch::Tensor integer_output_transform(const WinogradConvParams& p, const torch::Tensor& M, int64_t N,
                                       const torch::Tensor& residual) {
    const ConvShape& s = p.shape;
    const WinogradMatrices& w = winograd_matrices(p.variant);
    const PlaneLayout& L = plane_layout(p.variant);
    const int64_t m = w.m, th = p.tiles_h(), tw = p.tiles_w(), K = s.K;
    // Plane o enters the output transform as M_o << l_o (per-tap M scales on a common grid).
    std::vector<torch::Tensor> planes;
    for (int64_t o = 0; o < M.size(0); ++o) {
        const int l = p.m_left_shift(static_cast<int>(o));
        planes.push_back(l == 0 ? M[o] : M[o] * (int64_t(1) << l));
    }
    const torch::Tensor zero = torch::zeros_like(planes[0]);
    const std::vector<torch::Tensor> Y = output_transform<torch::Tensor>(
        w, tap_grid_from_out_planes<torch::Tensor>(L, planes, zero), tap_is_real(L), zero);
    const torch::Tensor acc = torch::stack(Y)
                                  .view({m, m, K, N, th, tw})
                                  .permute({3, 2, 4, 0, 5, 1})
                                  .reshape({N, K, th * m, tw * m})
                                  .narrow(2, 0, s.H)
                                  .narrow(3, 0, s.W);
    return integer_output_stage(p.out, acc, residual);
}

torch::Tensor integer_winograd_conv(const WinogradConvParams& p, const torch::Tensor& x,
                                    const torch::Tensor& residual) {
    validate_shape(p.variant, p.shape);
    return integer_output_transform(p, integer_winograd_gemm(p, integer_input_transform(p, x)), x.size(0), residual);
}

}  // namespace winoq::train
