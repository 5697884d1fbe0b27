#include "trainer/layers/tiles.h"

namespace winoq::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The positions of tap (u, v) of every tile inside the padded map: a strided view.
torch::Tensor tap_view(const torch::Tensor& xp, int64_t u, int64_t v, int64_t m, int64_t th, int64_t tw) {
    return xp.slice(2, u, u + m * (th - 1) + 1, m).slice(3, v, v + m * (tw - 1) + 1, m).transpose(0, 1);
}

struct ExtractTiles : public torch::autograd::Function<ExtractTiles> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, int64_t m, int64_t n, int64_t th,
                                 int64_t tw) {
        const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
        ctx->saved_data["shape"] = std::vector<int64_t>{N, C, H, W, m, n, th, tw};
        const torch::Tensor xp = torch::constant_pad_nd(x, {1, tw * m + 1 - W, 1, th * m + 1 - H}, 0);
        torch::Tensor out = torch::empty({n * n, C, N, th, tw}, x.options());
        for (int64_t u = 0; u < n; ++u)
            for (int64_t v = 0; v < n; ++v) out[u * n + v].copy_(tap_view(xp, u, v, m, th, tw));
        return out.view({n * n, C, N * th * tw});
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const std::vector<int64_t> s = ctx->saved_data["shape"].toIntVector();
        const int64_t N = s[0], C = s[1], H = s[2], W = s[3], m = s[4], n = s[5], th = s[6], tw = s[7];
        const torch::Tensor g = grads[0].reshape({n * n, C, N, th, tw});
        torch::Tensor gp = torch::zeros({N, C, th * m + 2, tw * m + 2}, g.options());
        for (int64_t u = 0; u < n; ++u)
            for (int64_t v = 0; v < n; ++v) tap_view(gp, u, v, m, th, tw).add_(g[u * n + v]);
        return {gp.narrow(2, 1, H).narrow(3, 1, W), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor extract_tiles(const torch::Tensor& x, int64_t m, int64_t n, int64_t th, int64_t tw) {
    return ExtractTiles::apply(x, m, n, th, tw);
}

}  // namespace winoq::train
