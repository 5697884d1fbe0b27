#include "layer_cache.h"

#include <map>
#include <string>
#include <utility>

namespace winoq::bench {
namespace {

// Fixed seed per shape: every run times the same data.
uint32_t seed_of(const LayerShape& s) { return 1000u * s.channels + s.height; }

}  // namespace

const RandomLayer& cached_layer(const LayerShape& shape) {
    static std::map<std::string, RandomLayer> layers;
    auto it = layers.find(shape.name());
    if (it == layers.end()) it = layers.emplace(shape.name(), make_random_layer(shape.conv(), seed_of(shape))).first;
    return it->second;
}

const DirectConvParams& cached_direct_params(const LayerShape& shape) {
    static std::map<std::string, DirectConvParams> params;
    auto it = params.find(shape.name());
    if (it == params.end()) it = params.emplace(shape.name(), direct_params(cached_layer(shape))).first;
    return it->second;
}

const WinogradConvParams& cached_winograd_params(const LayerShape& shape, Variant v) {
    static std::map<std::pair<std::string, Variant>, WinogradConvParams> params;
    const auto key = std::make_pair(shape.name(), v);
    auto it = params.find(key);
    if (it == params.end()) it = params.emplace(key, winograd_params(v, cached_layer(shape))).first;
    return it->second;
}

}  // namespace winoq::bench
