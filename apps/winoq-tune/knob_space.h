// What winoq-tune searches: one kernel family per AOT pipeline (the fused Winograd convolution of
// a variant, the direct convolution of a kernel size and stride), each with its schedule knobs
// (the GeneratorParams of generators/winograd_conv_generator.cpp and direct_conv_generator.cpp)
// and the values tried. A candidate sets some knobs; the knobs it leaves out keep the
// generator's default, so the empty candidate is the hand schedule the AOT build compiles.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "jit_pipeline.h"
#include "winoq/numerics/conv_params.h"

namespace winoq::tune {

struct Knob {
    std::string name;
    std::vector<std::string> values;  // values[0]: the generator's default (the hand schedule's)
};

struct KernelFamily {
    std::string label;  // "cf43", "direct_k3_s1": the log's "variant" field
    Variant variant = Variant::kDirect;
    std::string generator;      // registered generator name
    GeneratorParams algorithm;  // the params that choose the algorithm (variant=cf43, kernel=3 ...)
    std::vector<Knob> knobs;
    // Its share of --budget relative to the others: about how long one candidate takes to
    // compile (seconds for a direct kernel, tens of seconds for the fused complex pipeline).
    double budget_weight = 1;

    bool applies_to(const ConvShape& s) const;  // Winograd: 3x3 stride 1; direct: its kernel and stride
};

KernelFamily winograd_family(Variant v);
KernelFamily direct_family(int kernel, int stride);
// The family a log or database names ("cf43", "direct_k3_s1"), or false for no such family.
bool family_from_label(const std::string& label, KernelFamily& out);

// A candidate: one value index per knob (0 = default); knobs() spells the non-default ones.
struct Candidate {
    std::vector<int> index;
    GeneratorParams knobs(const KernelFamily& f) const;
};

Candidate hand_candidate(const KernelFamily& f);
Candidate random_candidate(const KernelFamily& f, std::mt19937& rng);
// c with one knob moved to another of its values.
Candidate mutate(const KernelFamily& f, const Candidate& c, std::mt19937& rng);
// The candidate whose knobs() is `spelled` (a log's knob string), or false if none is.
bool parse_candidate(const KernelFamily& f, const std::string& spelled, Candidate& out);

}  // namespace winoq::tune
