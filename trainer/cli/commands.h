// The subcommands of winoq-train; each registers its options on the CLI11 app and runs from
// the app's callback.
#pragma once

#include <CLI/CLI.hpp>

namespace winoq::train::cli {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_macs_command(CLI::App& app);
void add_step_time_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_import_command(CLI::App& app);

}  // namespace winoq::train::cli
