// winoq-kernel-bench: times every winoq variant (winoq::ConvKernel) and oneDNN's int8 direct
// convolution on the 3x3 stride-1 layers of ResNet-20 and ResNet-18. See docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "layer_cache.h"
#include "layer_shapes.h"
#include "onednn_conv.h"
#include "verify.h"
#ifdef WINOQ_BENCH_HAVE_KERNELS
#include "winoq/kernels/conv_kernels.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq/kernels/tuned_schedules.h"
#endif

namespace winoq::bench {
namespace {

OneDnnSrc g_onednn_src = OneDnnSrc::kU8;

// Time and work of one benchmark: every variant is credited with the direct convolution's MACs.
void set_counters(benchmark::State& st, const ConvShape& s) {
    const double macs = double(direct_macs(s));
    st.counters["MACs"] = benchmark::Counter(macs);
    st.counters["GMAC/s"] = benchmark::Counter(macs / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void bench_onednn(benchmark::State& st, LayerShape shape) {
    const RandomLayer& layer = cached_layer(shape);
    OneDnnConv conv(cached_direct_params(shape), g_onednn_src);  // primitive made outside the timed loop
    std::vector<int8_t> out(layer.shape.out_size());
    conv.run(layer.input.data(), out.data());  // warm-up: first-touch of buffers and scratchpad
    for (auto _ : st) {
        conv.run(layer.input.data(), out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetLabel(conv.impl_name());
    set_counters(st, layer.shape);
}

#ifdef WINOQ_BENCH_HAVE_KERNELS
// c = kHand: the "<variant>-hand" twin of a layer whose build holds a tuned schedule.
void bench_winoq(benchmark::State& st, LayerShape shape, Variant v, ScheduleChoice c) {
    const RandomLayer& layer = cached_layer(shape);
    std::unique_ptr<ConvKernel> kernel;
    try {  // weights are packed here, outside the timed loop
        kernel = is_winograd(v) ? std::make_unique<ConvKernel>(cached_winograd_params(shape, v), c)
                                : std::make_unique<ConvKernel>(cached_direct_params(shape), c);
    } catch (const std::exception& e) {  // e.g. a variant whose kernels are not built yet
        st.SkipWithError(e.what());
        return;
    }
    std::vector<int8_t> out(layer.shape.out_size());
    kernel->run(layer.input.data(), nullptr, out.data());  // warm-up: allocates the scratch buffers
    for (auto _ : st) {
        kernel->run(layer.input.data(), nullptr, out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    st.SetLabel(kernel->schedule());
    set_counters(st, layer.shape);
}
#endif

void register_benchmarks() {
    for (const LayerShape& shape : kLayerShapes) {
        const std::string prefix = "conv3x3/" + shape.name() + "/";
        std::vector<benchmark::internal::Benchmark*> added;
#ifdef WINOQ_BENCH_HAVE_KERNELS
        for (Variant v : kAllVariants) {
            added.push_back(benchmark::RegisterBenchmark((prefix + variant_name(v)).c_str(), bench_winoq, shape, v,
                                                         ScheduleChoice::kTuned));
            // Tuned schedules (docs/tuning.md) are timed next to the hand schedule they replace.
            if (kernels::planned_schedule(v, shape.conv(), false) != "hand")
                added.push_back(benchmark::RegisterBenchmark((prefix + variant_name(v) + "-hand").c_str(), bench_winoq,
                                                             shape, v, ScheduleChoice::kHand));
        }
#endif
        added.push_back(benchmark::RegisterBenchmark((prefix + "onednn").c_str(), bench_onednn, shape));
        for (auto* b : added) b->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
}

void print_help() {
    std::printf(
        "winoq-kernel-bench: 3x3 stride-1 int8 convolution layers of ResNet-20 and ResNet-18 (C = K,\n"
        "batch 1), timed for every winoq variant (direct f23 f43 cf43 cf43m4, Halide kernels) and for\n"
        "oneDNN's int8 direct convolution. Names: conv3x3/<model>_<C>x<H>x<W>/<variant|onednn>;\n"
        "<variant>-hand: the hand schedule of a layer the build has a tuned schedule for (label: the\n"
        "schedule each runs, docs/tuning.md).\n"
        "Counters: GMAC/s = direct-convolution MACs / median time (the same work for every variant).\n"
        "Defaults: --benchmark_repetitions=10 --benchmark_min_time=0.2 (seconds per repetition)\n"
        "  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true\n"
        "  (reports mean, median, stddev, cv of the repetitions; later flags override these).\n"
        "Own flags:\n"
        "  --verify          before timing, check each kernel against the scalar reference\n"
        "                    (winoq: bit-exact; oneDNN: within 1 step) and exit 1 on a mismatch\n"
        "  --onednn_src=u8|s8  oneDNN source data type (default u8; inputs are post-ReLU, 0..127)\n"
        "Threads: Halide's pool (HL_NUM_THREADS, default all cores), oneDNN's OpenMP (OMP_NUM_THREADS).\n"
        "winoq's kernel target can be capped with WINOQ_TARGET (docs/targets.md).\n"
        "oneDNN's ISA can be capped with ONEDNN_MAX_CPU_ISA (e.g. AVX512_CORE_VNNI).\n"
        "Example: winoq-kernel-bench --verify --benchmark_format=json --benchmark_out=run.json\n\n");
    benchmark::PrintDefaultHelp();
}

void add_context() {
    const dnnl_version_t* v = dnnl_version();
    benchmark::AddCustomContext(
        "onednn_version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
    const char* isa = std::getenv("ONEDNN_MAX_CPU_ISA");
    benchmark::AddCustomContext("ONEDNN_MAX_CPU_ISA", isa ? isa : "(unset)");
    const char* omp = std::getenv("OMP_NUM_THREADS");
    benchmark::AddCustomContext("OMP_NUM_THREADS", omp ? omp : "(unset)");
    const char* hl = std::getenv("HL_NUM_THREADS");
    benchmark::AddCustomContext("HL_NUM_THREADS", hl ? hl : "(unset)");
    benchmark::AddCustomContext("hardware_threads", std::to_string(std::thread::hardware_concurrency()));
    benchmark::AddCustomContext("onednn_src", g_onednn_src == OneDnnSrc::kU8 ? "u8" : "s8");
#ifdef WINOQ_BENCH_HAVE_KERNELS
    benchmark::AddCustomContext("winoq_kernels", "yes");
    const char* target = std::getenv("WINOQ_TARGET");
    benchmark::AddCustomContext("WINOQ_TARGET", target ? target : "(unset)");
    benchmark::AddCustomContext("winoq_target", active_target_name());  // the compiled target that runs
#else
    benchmark::AddCustomContext("winoq_kernels", "not built (oneDNN only)");
#endif
}

}  // namespace
}  // namespace winoq::bench

int main(int argc, char** argv) {
    using namespace winoq::bench;
    // Our defaults go first so that the same flags given on the command line override them.
    // Random interleaving spreads each benchmark's repetitions over the whole run, so that load
    // from other jobs on a shared machine hits all kernels alike (lower run-to-run variance).
    std::vector<std::string> defaults = {"--benchmark_repetitions=10", "--benchmark_min_time=0.2",
                                         "--benchmark_enable_random_interleaving=true",
                                         "--benchmark_report_aggregates_only=true"};
    std::vector<char*> args = {argv[0]};
    for (std::string& d : defaults) args.push_back(d.data());
    bool verify = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--verify") == 0) {
            verify = true;
        } else if (std::strncmp(argv[i], "--onednn_src=", 13) == 0) {
            const std::string t = argv[i] + 13;
            if (t != "u8" && t != "s8") {
                std::fprintf(stderr, "--onednn_src must be u8 or s8\n");
                return 2;
            }
            g_onednn_src = t == "u8" ? OneDnnSrc::kU8 : OneDnnSrc::kS8;
        } else {
            args.push_back(argv[i]);
        }
    }
    int n = static_cast<int>(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&n, args.data(), print_help);
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;

#ifdef WINOQ_BENCH_HAVE_KERNELS
    try {
        winoq::active_target_name();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
#endif
    if (verify && !verify_all(g_onednn_src)) return 1;
    register_benchmarks();
    add_context();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
