#include "trainer/cli/common.h"

#include <cstdio>
#include <stdexcept>

#include "trainer/data/cifar10.h"
#include "trainer/data/fashion_mnist.h"
#include "winoq/model/layer_plan.h"

namespace winoq::train::cli {

void add_data_options(CLI::App* cmd, DataOptions& d, bool train_data) {
    cmd->add_option("--data", d.dataset, "Data set: cifar10 or fashion-mnist")
        ->check(CLI::IsMember({"cifar10", "fashion-mnist"}))
        ->capture_default_str();
    cmd->add_option(
        "--cifar-dir", d.cifar_dir,
        "Folder of CIFAR-10 binary batches (expand.py output): data_batch_1-4 train, data_batch_5 validates");
    if (train_data)
        cmd->add_option("--train-file", d.train_files, "CIFAR-10 binary training file(s) (instead of --cifar-dir)");
    cmd->add_option("--cifar,--val-file", d.val_files, "CIFAR-10 binary validation / evaluation file(s)");
    cmd->add_option("--fmnist-dir", d.fmnist_dir,
                    "Fashion-MNIST folder (gzip IDX; default /usr/share/datasets/fashion-mnist); t10k validates");
    if (train_data) cmd->add_option("--train-limit", d.train_limit, "Use only the first N training images");
    cmd->add_option("--val-limit,--limit", d.val_limit, "Use only the first N validation images");
}

Data load_data(const DataOptions& d, bool need_train, bool need_val) {
    Data out;
    if (d.dataset == "fashion-mnist") {
        const std::string dir = d.fmnist_dir.empty() ? kFashionMnistDir : d.fmnist_dir;
        out.norm = fashion_mnist_normalization();
        out.augmentation = {2, true};
        if (need_train) out.train = load_fashion_mnist(dir, true);
        if (need_val) out.val = load_fashion_mnist(dir, false);
    } else {
        out.norm = cifar10_normalization();
        out.augmentation = {4, true};
        std::vector<std::string> train = d.train_files, val = d.val_files;
        if (!d.cifar_dir.empty()) {
            if (train.empty())
                for (int i = 1; i <= 4; ++i) train.push_back(d.cifar_dir + "/data_batch_" + std::to_string(i) + ".bin");
            if (val.empty()) val.push_back(d.cifar_dir + "/data_batch_5.bin");
        }
        if (need_train) {
            if (train.empty())
                throw std::invalid_argument("CIFAR-10 training data needed: give --cifar-dir or --train-file");
            out.train = load_cifar10(train);
        }
        if (need_val) {
            if (val.empty())
                throw std::invalid_argument("CIFAR-10 validation data needed: give --cifar-dir or --cifar");
            out.val = load_cifar10(val);
        }
    }
    out.has_train = need_train;
    out.has_val = need_val;
    if (need_train) out.train = head(out.train, d.train_limit);
    if (need_val) out.val = head(out.val, d.val_limit);
    return out;
}

void add_model_options(CLI::App* cmd, ModelOptions& m) {
    cmd->add_option("--arch", m.arch, "resnet20 (CIFAR, option A shortcuts) or resnet18 (ImageNet shapes)")
        ->check(CLI::IsMember({"resnet20", "resnet18"}))
        ->capture_default_str();
    cmd->add_option("--variant", m.variant,
                    "Convolutions: float, direct (int8), or int8 Winograd f23 / f43 / cf43 / cf43m4 for the 3x3 "
                    "stride-1 ones (the others int8 direct)")
        ->check(CLI::IsMember({"float", "direct", "f23", "f43", "cf43", "cf43m4"}))
        ->capture_default_str();
    cmd->add_option("--layer-variant", m.layer_variants, "Per-layer overrides: name=variant,... (e.g. conv1=direct)");
    cmd->add_option("--plan", m.plan,
                    "Per-layer variants from a plan file (winoq-tune plan; the same effect as --layer-variant, "
                    "which overrides it)");
    cmd->add_flag("--per-tap", m.per_tap,
                  "Winograd: one clipping factor per tap for V, U and M; direct: weight scale per output channel");
    cmd->add_flag("--per-channel-u", m.per_channel_u,
                  "Winograd: U (the transformed weights) quantized with one scale per product plane and output "
                  "channel");
    cmd->add_flag("--batchnorm", m.batchnorm,
                  "Float BatchNorm layers (training from scratch; folded before quantizing)");
}

ModelConfig model_config(const ModelOptions& m, const Data& data) {
    ModelConfig c;
    c.arch = m.arch;
    c.variant = m.variant;
    c.layer_variants = layer_variants(m);
    c.per_tap = m.per_tap;
    c.per_channel_u = m.per_channel_u;
    c.batchnorm = m.batchnorm;
    const ImageDataset& d = data.has_train ? data.train : data.val;
    if (d.size() > 0) {
        c.in_channels = d.channels();
        c.image_size = d.height();
        c.num_classes = d.num_classes;
    }
    return c;
}

std::map<std::string, std::string> layer_variants(const ModelOptions& m) {
    std::map<std::string, std::string> out;
    if (!m.plan.empty())
        for (const auto& [name, variant] : read_layer_plan(m.plan).layers) out[name] = variant;
    for (const auto& [name, variant] : parse_layer_variants(m.layer_variants)) out[name] = variant;
    return out;
}

void add_runtime_options(CLI::App* cmd, RuntimeOptions& r) {
    cmd->add_option("--threads", r.threads, "CPU threads for libtorch (0: its default)")->capture_default_str();
    cmd->add_option("--device", r.device, "cpu, or cuda with a CUDA build of libtorch")->capture_default_str();
    cmd->add_option("--seed", r.seed, "Seed of initialisation, shuffling and augmentation")->capture_default_str();
}

torch::Device apply_runtime(const RuntimeOptions& r) {
    if (r.threads > 0) torch::set_num_threads(r.threads);
    torch::manual_seed(r.seed);
    const torch::Device dev(r.device);
    if (dev.is_cuda() && !torch::cuda::is_available())
        throw std::invalid_argument("--device cuda: this libtorch has no CUDA device");
    return dev;
}

void add_calibration_options(CLI::App* cmd, CalibOptions& c) {
    cmd->add_option("--calib-method", c.method, "Initial clipping factors: max, percentile or mse")
        ->check(CLI::IsMember({"max", "percentile", "mse"}))
        ->capture_default_str();
    cmd->add_option("--calib-percentile", c.percentile, "Percentile of |v| for --calib-method percentile")
        ->capture_default_str();
    cmd->add_option("--calib-images", c.images, "Training images used for calibration")->capture_default_str();
}

CalibrationOptions calibration_options(const CalibOptions& c, bool per_tap) {
    CalibrationOptions o;
    o.method = *parse_clip_method(c.method);
    o.percentile = c.percentile;
    o.granularity = per_tap ? ScaleGranularity::kPerTap : ScaleGranularity::kPerTensor;
    return o;
}

namespace {
std::string& command_line_storage() {
    static std::string s;
    return s;
}
}  // namespace

void set_command_line(int argc, char** argv) {
    std::string& s = command_line_storage();
    s.clear();
    for (int i = 0; i < argc; ++i) {
        if (i) s += ' ';
        const std::string arg = argv[i];
        // Quote what a shell would split, so the line can be run again.
        s += arg.find_first_of(" \t\"'$") == std::string::npos && !arg.empty() ? arg : "'" + arg + "'";
    }
}

const std::string& command_line() { return command_line_storage(); }

void print_json(const nlohmann::json& j) {
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
}

}  // namespace winoq::train::cli
