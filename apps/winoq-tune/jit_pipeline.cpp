#include "jit_pipeline.h"

#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "Halide.h"

namespace winoq::tune {
namespace {

// The autoscheduler plugins of Halide 14 (paths from CMake), each loaded once; a candidate with
// autoscheduler=NAME runs the generator with auto_schedule=true under that autoscheduler.
void use_autoscheduler(const std::string& name) {
    static const std::map<std::string, std::string> plugins = {{"Adams2019", WINOQ_PLUGIN_ADAMS2019},
                                                               {"Li2018", WINOQ_PLUGIN_LI2018},
                                                               {"Mullapudi2016", WINOQ_PLUGIN_MULLAPUDI2016}};
    static std::set<std::string> loaded;
    const auto it = plugins.find(name);
    if (it == plugins.end()) throw std::invalid_argument("unknown autoscheduler '" + name + "'");
    if (loaded.insert(name).second) Halide::load_plugin(it->second);
    Halide::Pipeline::set_default_autoscheduler_name(name);
}

}  // namespace

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
        for (const auto& [k, v] : params) {
            if (k == "autoscheduler") {
                use_autoscheduler(v);
                values["auto_schedule"] = Halide::Internal::StringOrLoopLevel("true");
                continue;
            }
            values[k] = Halide::Internal::StringOrLoopLevel(v);
        }
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

GeneratorParams parse_params(const std::string& spelled) {
    GeneratorParams p;
    if (spelled == format_params({})) return p;
    std::stringstream ss(spelled);
    for (std::string item; ss >> item;) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw std::invalid_argument("knobs '" + spelled + "' are not k=v pairs");
        p[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return p;
}

}  // namespace winoq::tune
