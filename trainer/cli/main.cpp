// winoq-train: Winograd-aware quantization-aware training of ResNets with learned clipping
// factors (libtorch), post-training calibration, integer-mode evaluation, MAC counts.
#include <malloc.h>

#include <cstdio>
#include <exception>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"

int main(int argc, char** argv) {
    // Training allocates and frees the same large tensors every step; keep that memory in the
    // heap instead of mmap/munmap-ing it each time (page faults cost more than the math).
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    CLI::App app{"winoq-train: Winograd-aware int8 quantization-aware training (libtorch)"};
    app.require_subcommand(1);
    winoq::train::cli::add_train_command(app);
    winoq::train::cli::add_eval_command(app);
    winoq::train::cli::add_calibrate_command(app);
    winoq::train::cli::add_macs_command(app);
    winoq::train::cli::add_step_time_command(app);
    winoq::train::cli::add_export_command(app);
    winoq::train::cli::add_import_command(app);
    winoq::train::cli::set_command_line(argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "winoq-train: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
