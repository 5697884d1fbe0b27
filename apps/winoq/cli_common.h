// Helpers shared by the `winoq` subcommands: the subcommand plumbing, model facts every
// output carries (the "untrained" warning included), medians and text formatting.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "winoq/model/model.h"
#include "winoq/runner/model_executor.h"

namespace winoq::cli {

// One subcommand: its CLI11 parser and what runs when it was the one given (returns the exit
// status; exceptions are reported by main as "winoq <name>: error: ...").
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

Command add_classify_command(CLI::App& root);
Command add_eval_command(CLI::App& root);
Command add_info_command(CLI::App& root);
Command add_bench_command(CLI::App& root);
Command add_extract_command(CLI::App& root);

// load_model: its reader refuses anything but a regular file within the size limit, with one
// message naming the file (docs/security.md).
Model open_model(const std::string& path);

// --memory-budget MIB (default kDefaultMemoryBudget): what the subcommand's ModelExecutor may
// allocate; it refuses a larger model before allocating (docs/security.md).
void add_memory_budget_option(CLI::App* app, uint64_t& mib);
inline uint64_t budget_bytes(uint64_t mib) { return mib << 20; }

// "" for a trained model; otherwise the warning every output of an untrained model carries.
std::string untrained_note(const Model& m);
// Prints the untrained note as a text line (nothing for trained models).
void print_untrained_line(const Model& m);
// "model", "model_file", "trained" and, when untrained, "note" (containing "untrained").
void add_model_fields(nlohmann::json& j, const Model& m, const std::string& path);

double median(std::vector<double> v);
std::string fixed(double v, int decimals);
std::string with_thousands(int64_t v);  // 40,551,424
std::string pad_right(const std::string& s, size_t width);
std::string pad_left(const std::string& s, size_t width);

}  // namespace winoq::cli
