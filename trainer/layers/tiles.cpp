#include "trainer/layers/tiles.h"

#include <ATen/Parallel.h>

namespace winoq::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

bool cpu_fast(const torch::Tensor& t) {
    return t.device().is_cpu() && (t.scalar_type() == torch::kFloat || t.scalar_type() == torch::kDouble);
}

// Geometry of one tiling: map N x C x H x W, tiles th x tw of n x n at stride m, padding 1.
struct Tiling {
    int64_t N, C, H, W, m, n, th, tw;
    int64_t T() const { return th * tw; }
};

// For every image b and channel c (in parallel), visit every (tap u, v) and tile (ty, tx)
// whose input pixel lies inside the map: f(map offset, tile-array offset).
template <typename F>
void for_each_tap(const Tiling& g, F f) {
    at::parallel_for(0, g.N * g.C, 1, [&](int64_t begin, int64_t end) {
        for (int64_t bc = begin; bc < end; ++bc) {
            const int64_t b = bc / g.C, c = bc % g.C;
            for (int64_t u = 0; u < g.n; ++u)
                for (int64_t v = 0; v < g.n; ++v) {
                    const int64_t tile_base = ((u * g.n + v) * g.C + c) * g.N * g.T() + b * g.T();
                    for (int64_t ty = 0; ty < g.th; ++ty) {
                        const int64_t y = ty * g.m - 1 + u;
                        if (y < 0 || y >= g.H) continue;
                        const int64_t row = (bc * g.H + y) * g.W;
                        for (int64_t tx = 0; tx < g.tw; ++tx) {
                            const int64_t x = tx * g.m - 1 + v;
                            if (x >= 0 && x < g.W) f(row + x, tile_base + ty * g.tw + tx);
                        }
                    }
                }
        }
    });
}

torch::Tensor tap_view(const torch::Tensor& xp, int64_t u, int64_t v, int64_t m, int64_t th, int64_t tw) {
    return xp.slice(2, u, u + m * (th - 1) + 1, m).slice(3, v, v + m * (tw - 1) + 1, m).transpose(0, 1);
}

torch::Tensor tiles_forward(const torch::Tensor& x_in, const Tiling& g) {
    const torch::Tensor x = x_in.contiguous();
    if (cpu_fast(x)) {
        torch::Tensor out = torch::zeros({g.n * g.n, g.C, g.N * g.T()}, x.options());
        AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "extract_tiles", [&] {
            const scalar_t* src = x.data_ptr<scalar_t>();
            scalar_t* dst = out.data_ptr<scalar_t>();
            for_each_tap(g, [&](int64_t xi, int64_t ti) { dst[ti] = src[xi]; });
        });
        return out;
    }
    const torch::Tensor xp = torch::constant_pad_nd(x, {1, g.tw * g.m + 1 - g.W, 1, g.th * g.m + 1 - g.H}, 0);
    torch::Tensor out = torch::empty({g.n * g.n, g.C, g.N, g.th, g.tw}, x.options());
    for (int64_t u = 0; u < g.n; ++u)
        for (int64_t v = 0; v < g.n; ++v) out[u * g.n + v].copy_(tap_view(xp, u, v, g.m, g.th, g.tw));
    return out.view({g.n * g.n, g.C, g.N * g.T()});
}

// The adjoint: scatter-add the tiles back onto the map.
torch::Tensor tiles_backward(const torch::Tensor& t_in, const Tiling& g) {
    const torch::Tensor t = t_in.contiguous();
    if (cpu_fast(t)) {
        torch::Tensor gx = torch::zeros({g.N, g.C, g.H, g.W}, t.options());
        AT_DISPATCH_FLOATING_TYPES(t.scalar_type(), "extract_tiles_backward", [&] {
            const scalar_t* src = t.data_ptr<scalar_t>();
            scalar_t* dst = gx.data_ptr<scalar_t>();
            for_each_tap(g, [&](int64_t xi, int64_t ti) { dst[xi] += src[ti]; });
        });
        return gx;
    }
    const torch::Tensor tt = t.view({g.n * g.n, g.C, g.N, g.th, g.tw});
    torch::Tensor gp = torch::zeros({g.N, g.C, g.th * g.m + 2, g.tw * g.m + 2}, t.options());
    for (int64_t u = 0; u < g.n; ++u)
        for (int64_t v = 0; v < g.n; ++v) tap_view(gp, u, v, g.m, g.th, g.tw).add_(tt[u * g.n + v]);
    return gp.narrow(2, 1, g.H).narrow(3, 1, g.W);
}

// For every image b and channel k (in parallel), visit every output pixel of the map:
// f(map offset, offset in the tile array [m*m, K, N*T]).
template <typename F>
void for_each_output_pixel(const Tiling& g, F f) {
    at::parallel_for(0, g.N * g.C, 1, [&](int64_t begin, int64_t end) {
        for (int64_t bk = begin; bk < end; ++bk) {
            const int64_t b = bk / g.C, k = bk % g.C;
            for (int64_t yy = 0; yy < g.H; ++yy)
                for (int64_t xx = 0; xx < g.W; ++xx) {
                    const int64_t a = yy % g.m, c = xx % g.m, ty = yy / g.m, tx = xx / g.m;
                    f((bk * g.H + yy) * g.W + xx, ((a * g.m + c) * g.C + k) * g.N * g.T() + b * g.T() + ty * g.tw + tx);
                }
        }
    });
}

// Output tiles: y [m*m, K, N*T] <-> map [N, K, H, W] (a permutation with cropping).
torch::Tensor assemble_forward(const torch::Tensor& y_in, const Tiling& g) {
    const torch::Tensor y = y_in.contiguous();
    if (cpu_fast(y)) {
        torch::Tensor out = torch::empty({g.N, g.C, g.H, g.W}, y.options());
        AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "assemble_tiles", [&] {
            const scalar_t* src = y.data_ptr<scalar_t>();
            scalar_t* dst = out.data_ptr<scalar_t>();
            for_each_output_pixel(g, [&](int64_t mi, int64_t ti) { dst[mi] = src[ti]; });
        });
        return out;
    }
    return y.view({g.m, g.m, g.C, g.N, g.th, g.tw})
        .permute({3, 2, 4, 0, 5, 1})
        .reshape({g.N, g.C, g.th * g.m, g.tw * g.m})
        .narrow(2, 0, g.H)
        .narrow(3, 0, g.W)
        .contiguous();
}

torch::Tensor assemble_backward(const torch::Tensor& go_in, const Tiling& g) {
    const torch::Tensor go = go_in.contiguous();
    if (cpu_fast(go)) {
        torch::Tensor gy = torch::zeros({g.m * g.m, g.C, g.N * g.T()}, go.options());
        AT_DISPATCH_FLOATING_TYPES(go.scalar_type(), "assemble_tiles_backward", [&] {
            const scalar_t* src = go.data_ptr<scalar_t>();
            scalar_t* dst = gy.data_ptr<scalar_t>();
            for_each_output_pixel(g, [&](int64_t mi, int64_t ti) { dst[ti] = src[mi]; });
        });
        return gy;
    }
    const torch::Tensor full = torch::constant_pad_nd(go, {0, g.tw * g.m - g.W, 0, g.th * g.m - g.H}, 0);
    return full.view({g.N, g.C, g.th, g.m, g.tw, g.m})
        .permute({3, 5, 1, 0, 2, 4})
        .reshape({g.m * g.m, g.C, g.N * g.T()});
}

std::vector<int64_t> pack(const Tiling& g) { return {g.N, g.C, g.H, g.W, g.m, g.n, g.th, g.tw}; }
Tiling unpack(const std::vector<int64_t>& s) { return {s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]}; }

struct ExtractTiles : public torch::autograd::Function<ExtractTiles> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, int64_t m, int64_t n, int64_t th,
                                 int64_t tw) {
        const Tiling g{x.size(0), x.size(1), x.size(2), x.size(3), m, n, th, tw};
        ctx->saved_data["g"] = pack(g);
        return tiles_forward(x, g);
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const Tiling g = unpack(ctx->saved_data["g"].toIntVector());
        return {tiles_backward(grads[0], g), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

struct AssembleTiles : public torch::autograd::Function<AssembleTiles> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& y, int64_t m, int64_t N, int64_t H,
                                 int64_t W) {
        const int64_t th = (H + m - 1) / m, tw = (W + m - 1) / m;
        const Tiling g{N, y.size(1), H, W, m, m, th, tw};
        ctx->saved_data["g"] = pack(g);
        return assemble_forward(y, g);
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        const Tiling g = unpack(ctx->saved_data["g"].toIntVector());
        return {assemble_backward(grads[0], g), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor extract_tiles(const torch::Tensor& x, int64_t m, int64_t n, int64_t th, int64_t tw) {
    return ExtractTiles::apply(x, m, n, th, tw);
}

torch::Tensor assemble_tiles(const torch::Tensor& y, int64_t m, int64_t N, int64_t H, int64_t W) {
    return AssembleTiles::apply(y, m, N, H, W);
}

}  // namespace winoq::train
