// Options shared by the subcommands: data sets, model configuration, runtime (threads,
// device, seed), and small helpers to print results.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "trainer/data/batches.h"
#include "trainer/data/dataset.h"
#include "trainer/models/model_config.h"
#include "winoq/analysis/calibration.h"

namespace winoq::train::cli {

struct DataOptions {
    std::string dataset = "cifar10";         // cifar10 | fashion-mnist
    std::string cifar_dir;                   // train: data_batch_1..4.bin, validation: data_batch_5.bin
    std::vector<std::string> train_files;    // explicit CIFAR-10 training files
    std::vector<std::string> val_files;      // explicit CIFAR-10 validation files (eval: --cifar)
    std::string fmnist_dir;                  // Fashion-MNIST: train split / t10k as validation
    int64_t train_limit = 0, val_limit = 0;  // > 0: first images only
};
void add_data_options(CLI::App* cmd, DataOptions& d, bool train_data);

struct Data {
    ImageDataset train, val;
    Normalization norm;
    Augmentation augmentation;  // the data set's standard training augmentation
    bool has_train = false, has_val = false;
};
Data load_data(const DataOptions& d, bool need_train, bool need_val);

struct ModelOptions {
    std::string arch = "resnet20", variant = "float", layer_variants;
    std::string plan;  // a plan file (winoq/model/layer_plan.h); --layer-variant entries override it
    bool per_tap = false, per_channel_u = false, batchnorm = false;
};
void add_model_options(CLI::App* cmd, ModelOptions& m);
ModelConfig model_config(const ModelOptions& m, const Data& data);
// The per-layer variants of --plan, then of --layer-variant (which wins where both name a layer).
std::map<std::string, std::string> layer_variants(const ModelOptions& m);

struct RuntimeOptions {
    int threads = 0;  // 0: libtorch's default
    std::string device = "cpu";
    uint64_t seed = 1;
};
void add_runtime_options(CLI::App* cmd, RuntimeOptions& r);
torch::Device apply_runtime(const RuntimeOptions& r);  // threads, seeds; returns the device

struct CalibOptions {
    std::string method = "mse";
    double percentile = 99.99;
    int64_t images = 512;
};
void add_calibration_options(CLI::App* cmd, CalibOptions& c);
CalibrationOptions calibration_options(const CalibOptions& c, bool per_tap);

void print_json(const nlohmann::json& j);  // one line on stdout

// The process's command line (main sets it), recorded in exported models.
void set_command_line(int argc, char** argv);
const std::string& command_line();

}  // namespace winoq::train::cli
