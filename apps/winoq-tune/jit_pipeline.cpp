#include "jit_pipeline.h"

#include <stdexcept>

#include "Halide.h"

namespace winoq::tune {

struct JitPipeline::Module {
    Halide::Internal::JITModule jit;
};

JitPipeline::JitPipeline(const std::string& generator, const GeneratorParams& params, const std::string& halide_target)
    : name_("winoq_tune_" + generator) {
    const Halide::Target target = Halide::Target(halide_target).with_feature(Halide::Target::JIT);
    try {
        const Halide::GeneratorContext context(target);
        std::unique_ptr<Halide::Internal::GeneratorBase> gen =
            Halide::Internal::GeneratorRegistry::create(generator, context);
        Halide::Internal::GeneratorParamsMap values;
        for (const auto& [k, v] : params) values[k] = Halide::Internal::StringOrLoopLevel(v);
        gen->set_generator_param_values(values);
        const Halide::Module m = gen->build_module(name_);
        module_ = std::make_unique<Module>(Module{Halide::Internal::JITModule(m, m.get_function_by_name(name_))});
    } catch (const Halide::Error& e) {  // CompileError, InternalError: the knobs do not compile
        throw std::invalid_argument(generator + " (" + format_params(params) + "): " + e.what());
    }
}

JitPipeline::~JitPipeline() = default;

kernels::detail::PipelineFn JitPipeline::fn() const {
    kernels::detail::PipelineFn f;
    // Halide declares the JIT entry point with const void ** (the AOT one with void **); the
    // pointers are the same arguments either way.
    f.argv = reinterpret_cast<int (*)(void**)>(module_->jit.argv_function());
    f.name = name_.c_str();
    return f;
}

std::string format_params(const GeneratorParams& p) {
    std::string s;
    for (const auto& [k, v] : p) s += (s.empty() ? "" : " ") + k + "=" + v;
    return s.empty() ? "(hand schedule)" : s;
}

}  // namespace winoq::tune
