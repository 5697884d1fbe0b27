// A kernel generator compiled in this process with Halide's JIT: the same registered generator
// (generators/*_generator.cpp, linked into winoq-tune) the AOT build runs, with the schedule
// knobs of one candidate. Its argv entry point replaces an engine's AOT pipeline
// (kernels::detail::ConvEngine::use_pipeline), so a candidate runs on the engine's own packing.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "conv_kernels_impl.h"

namespace winoq::tune {

// GeneratorParam name -> value, as the AOT build's PARAMS k=v spell them.
using GeneratorParams = std::map<std::string, std::string>;

class JitPipeline {
public:
    // Compiles generator (a registered name, e.g. "winoq_winograd_conv") with params for the
    // Halide target string halide_target. Throws std::invalid_argument when the generator
    // refuses the params (e.g. a k_block the register tile does not divide).
    JitPipeline(const std::string& generator, const GeneratorParams& params, const std::string& halide_target);
    ~JitPipeline();
    JitPipeline(const JitPipeline&) = delete;
    JitPipeline& operator=(const JitPipeline&) = delete;

    kernels::detail::PipelineFn fn() const;

private:
    struct Module;
    std::unique_ptr<Module> module_;
    std::string name_;
};

// "k=v k=v" in key order: the log's and the progress line's spelling of a knob set.
std::string format_params(const GeneratorParams& p);
// format_params back to the map. Throws std::invalid_argument for an item that is not k=v.
GeneratorParams parse_params(const std::string& spelled);

}  // namespace winoq::tune
