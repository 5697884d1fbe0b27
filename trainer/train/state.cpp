#include "trainer/train/state.h"

namespace winoq::train {

StateDict state_dict(const torch::nn::Module& m) {
    StateDict out;
    for (const auto& p : m.named_parameters(true)) out[p.key()] = p.value().detach().to(torch::kCPU).clone();
    for (const auto& b : m.named_buffers(true)) out[b.key()] = b.value().detach().to(torch::kCPU).clone();
    return out;
}

LoadReport load_state_dict(torch::nn::Module& m, const StateDict& state) {
    LoadReport r;
    torch::NoGradGuard no_grad;
    auto load = [&](const std::string& name, torch::Tensor t) {
        const auto it = state.find(name);
        if (it == state.end()) {
            r.missing.push_back(name);
        } else if (it->second.sizes() != t.sizes()) {
            r.mismatched.push_back(name);
        } else {
            t.copy_(it->second.to(t.device(), t.scalar_type()));
            r.loaded.push_back(name);
        }
    };
    for (auto& p : m.named_parameters(true)) load(p.key(), p.value());
    for (auto& b : m.named_buffers(true)) load(b.key(), b.value());
    return r;
}

}  // namespace winoq::train
