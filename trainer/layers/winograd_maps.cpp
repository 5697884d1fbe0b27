#include "trainer/layers/winograd_maps.h"

#include <map>
#include <mutex>
#include <vector>

#include "winoq/numerics/conv_params.h"
#include "winoq/numerics/transform_apply.h"
#include "winoq/numerics/transforms.h"

namespace winoq::train {
namespace {

WinogradMaps build(Variant v) {
    const WinogradMatrices& w = winograd_matrices(v);
    const PlaneLayout& L = plane_layout(v);
    const int nn = w.n * w.n, A = int(L.act.size()), Q = int(L.prod.size()), O = int(L.out.size()), mm = w.m * w.m;
    WinogradMaps maps;
    maps.m = w.m;
    maps.n = w.n;
    maps.input = torch::zeros({A, nn}, torch::kDouble);
    for (int j = 0; j < nn; ++j) {
        std::vector<double> d(nn, 0.0);
        d[j] = 1.0;
        const std::vector<double> planes = act_plane_values(L, input_transform<double>(w, d, 0.0));
        for (int a = 0; a < A; ++a) maps.input[a][j] = planes[a];
    }
    maps.filter = torch::zeros({Q, 9}, torch::kDouble);
    for (int j = 0; j < 9; ++j) {
        float g[9] = {};
        g[j] = 1.0f;
        const std::vector<ComplexD> U = filter_transform(v, g);
        for (int q = 0; q < Q; ++q) maps.filter[q][j] = filter_part_value(v, q, U);
    }
    maps.combine = torch::zeros({O, Q}, torch::kDouble);
    for (int o = 0; o < O; ++o)
        for (int t = 0; t < L.out[o].nterms; ++t) maps.combine[o][L.out[o].term[t]] = double(L.out[o].sign[t]);
    maps.output = torch::zeros({mm, O}, torch::kDouble);
    const std::vector<bool> real = tap_is_real(L);
    for (int o = 0; o < O; ++o) {
        std::vector<double> planes(O, 0.0);
        planes[o] = 1.0;
        const std::vector<double> y =
            output_transform<double>(w, tap_grid_from_out_planes<double>(L, planes, 0.0), real, 0.0);
        for (int i = 0; i < mm; ++i) maps.output[i][o] = y[i];
    }
    std::vector<int64_t> act;
    for (const ProdPlane& p : L.prod) act.push_back(p.act);
    maps.act_of_prod = torch::tensor(act, torch::kLong);
    std::vector<int64_t> prod_of_act(A, -1);
    maps.one_to_one = Q == A;
    for (int q = 0; q < Q && maps.one_to_one; ++q) {
        if (prod_of_act[act[q]] != -1) maps.one_to_one = false;
        prod_of_act[act[q]] = q;
    }
    if (maps.one_to_one) {
        maps.prod_of_act = torch::tensor(prod_of_act, torch::kLong);
        maps.combine_by_act = maps.combine.index_select(1, maps.prod_of_act);
        maps.combine_by_act_map = std::make_shared<const SmallMap>(maps.combine_by_act);
    }
    maps.input_map = std::make_shared<const SmallMap>(maps.input);
    maps.combine_map = std::make_shared<const SmallMap>(maps.combine);
    maps.output_map = std::make_shared<const SmallMap>(maps.output);
    return maps;
}

}  // namespace

WinogradMaps WinogradMaps::to(torch::Device device, torch::Dtype dtype) const {
    WinogradMaps r = *this;
    r.input = input.to(device, dtype);
    r.filter = filter.to(device, dtype);
    r.combine = combine.to(device, dtype);
    r.output = output.to(device, dtype);
    r.act_of_prod = act_of_prod.to(device);
    if (one_to_one) {
        r.prod_of_act = prod_of_act.to(device);
        r.combine_by_act = combine_by_act.to(device, dtype);
    }
    return r;
}

const WinogradMaps& winograd_maps(Variant v) {
    static std::mutex mu;
    static std::map<Variant, WinogradMaps> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(v);
    if (it == cache.end()) it = cache.emplace(v, build(v)).first;
    return it->second;
}

}  // namespace winoq::train
