// winoq: runs deployable int8 models (winoq-train export) on the Halide kernels.
//   winoq classify --model M IMAGE.png...     top-K classes of PNG images
//   winoq eval     --model M --cifar FILE     accuracy on CIFAR-10 / Fashion-MNIST
//   winoq info     --model M                  layers, variants, MACs and the Winograd reduction
//   winoq bench    --model M [--model M2...]  per-layer latency, optional chart (gnuplot)
//   winoq extract  --fashion-mnist DIR -i 0    data-set images as PNG files
// Every failure is one clear line on stderr and a non-zero exit status, never a crash.
#include <exception>
#include <iostream>
#include <new>

#include "cli_common.h"

int main(int argc, char** argv) {
    CLI::App app{"winoq: run 8-bit Winograd (complex F(4,3)) models exported by winoq-train"};
    app.require_subcommand(1);
    const winoq::cli::Command commands[] = {
        winoq::cli::add_classify_command(app), winoq::cli::add_eval_command(app),    winoq::cli::add_info_command(app),
        winoq::cli::add_bench_command(app),    winoq::cli::add_extract_command(app),
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    for (const auto& c : commands) {
        if (!c.app->parsed()) continue;
        try {
            return c.run();
        } catch (const std::bad_alloc&) {
            std::cerr << "winoq " << c.app->get_name() << ": error: out of memory\n";
        } catch (const std::exception& e) {
            std::cerr << "winoq " << c.app->get_name() << ": error: " << e.what() << "\n";
        }
        return 1;
    }
    return 1;
}
