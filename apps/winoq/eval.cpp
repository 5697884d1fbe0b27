// winoq eval: top-1 (and top-5) accuracy of a model on a CIFAR-10 binary batch or on
// Fashion-MNIST, with the time per image. The data must match the model's input exactly
// (channels and size): data-set images are not resized.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "winoq/io/datasets.h"
#include "winoq/kernels/kernel_target.h"
#include "winoq/runner/model_executor.h"

namespace winoq::cli {
namespace {

struct EvalOptions {
    std::string model, cifar, fashion_mnist, set = "t10k";
    int limit = 0, batch = 50;
    uint64_t memory_budget_mib = 0;
    bool json = false;
};

using Clock = std::chrono::steady_clock;

struct EvalReport {
    std::string data_name, data_path;
    int images = 0, batch = 0;
    int64_t top1 = 0, top5 = 0;  // images whose true class ranks first / in the first five
    double pct1 = 0, pct5 = 0, ms_per_image = 0, wall_seconds = 0;
    std::string target;
};

// Stops with an error naming both shapes: data-set images are never resized.
void check_data_fits(const Model& m, const std::string& model_path, const LabeledImages& data,
                     const std::string& data_path) {
    if (data.channels != m.in_channels || data.height != m.image_size || data.width != m.image_size)
        throw std::runtime_error("model " + model_path + " takes " + std::to_string(m.in_channels) + "x" +
                                 std::to_string(m.image_size) + "x" + std::to_string(m.image_size) + " images but " +
                                 data_path + " holds " + std::to_string(data.channels) + "x" +
                                 std::to_string(data.height) + "x" + std::to_string(data.width) +
                                 " images (channels x height x width)");
    if (int(data.class_names.size()) != m.num_classes())
        throw std::runtime_error("model " + model_path + " has " + std::to_string(m.num_classes()) +
                                 " classes but the data set has " + std::to_string(data.class_names.size()));
}

// Adds the top-1 / top-5 hits of n images' logits.
void count_hits(const std::vector<double>& logits, int classes, const int* labels, int n, EvalReport& r) {
    for (int i = 0; i < n; ++i) {
        const double* l = &logits[size_t(i) * classes];
        const int label = labels[i];
        int higher = 0;  // classes that beat the true one (ties count against it)
        for (int k = 0; k < classes; ++k)
            if (k != label && l[k] >= l[label]) ++higher;
        r.top1 += higher == 0;
        r.top5 += higher < 5;
    }
}

// Runs every image in batches of `batch` (at most the data's count); only the kernel time
// counts towards ms_per_image.
EvalReport measure_accuracy(const Model& m, const LabeledImages& data, int batch_option, uint64_t budget) {
    EvalReport r;
    const int batch = std::max(1, std::min(batch_option, data.count));
    ModelExecutor exec(m, batch, ExecEngine::kKernels, budget);
    r.batch = batch;
    r.target = active_target_name();
    r.images = data.count;
    const int classes = m.num_classes();
    const size_t image_bytes = data.image_bytes();
    std::vector<uint8_t> pixels(size_t(batch) * image_bytes, 0);  // the last batch is zero-padded
    std::vector<double> logits(size_t(batch) * classes);

    double run_seconds = 0;
    const auto start = Clock::now();
    auto last_progress = start;
    for (int first = 0; first < data.count; first += batch) {
        const int n = std::min(batch, data.count - first);
        std::memcpy(pixels.data(), data.image(first), size_t(n) * image_bytes);
        const auto t0 = Clock::now();
        exec.run_pixels(pixels.data(), logits.data());
        run_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        count_hits(logits, classes, &data.labels[first], n, r);
        const auto now = Clock::now();
        if (now - last_progress > std::chrono::seconds(2) && first + n < data.count) {  // long runs only
            std::cerr << "winoq eval: " << first + n << "/" << data.count << " images, top-1 so far "
                      << fixed(100.0 * r.top1 / (first + n), 2) << "%\n";
            last_progress = now;
        }
    }
    r.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.pct1 = 100.0 * r.top1 / data.count;
    r.pct5 = 100.0 * r.top5 / data.count;
    r.ms_per_image = 1e3 * run_seconds / data.count;
    return r;
}

void print_eval_json(const Model& m, const std::string& model_path, const EvalReport& r) {
    nlohmann::json j;
    add_model_fields(j, m, model_path);
    j["dataset"] = r.data_name;
    j["data"] = r.data_path;
    j["images"] = r.images;
    j["correct"] = r.top1;
    j["top1"] = r.pct1;
    j["top5"] = r.pct5;
    j["ms_per_image"] = r.ms_per_image;
    j["batch"] = r.batch;
    j["target"] = r.target;
    j["wall_seconds"] = r.wall_seconds;
    std::cout << j.dump(2) << "\n";
}

void print_eval_text(const Model& m, const std::string& model_path, const EvalReport& r) {
    print_untrained_line(m);
    std::cout << "model:  " << m.name << " (" << model_path << ")" << (m.trained ? "" : " [untrained]") << "\n"
              << "data:   " << r.data_path << " (" << r.data_name << ", " << r.images << " images)\n"
              << "top-1:  " << fixed(r.pct1, 2) << "% (" << r.top1 << "/" << r.images << ")\n"
              << "top-5:  " << fixed(r.pct5, 2) << "%\n"
              << "time:   " << fixed(r.ms_per_image, 3) << " ms/image (batch " << r.batch << ", kernel target "
              << r.target << ")\n";
}

int run_eval(const EvalOptions& o) {
    if (o.cifar.empty() == o.fashion_mnist.empty())
        throw std::runtime_error("give exactly one data set: --cifar FILE.bin or --fashion-mnist DIR");
    const Model m = open_model(o.model);
    const bool cifar = !o.cifar.empty();
    const std::string data_path = cifar ? o.cifar : o.fashion_mnist;
    const LabeledImages data =
        cifar ? read_cifar10(o.cifar, o.limit) : read_fashion_mnist(o.fashion_mnist, o.set, o.limit);
    check_data_fits(m, o.model, data, data_path);
    const std::string data_name = cifar ? "cifar10" : "fashion-mnist";
    if (!m.dataset.empty() && m.dataset != data_name)
        std::cerr << "winoq eval: warning: model " << m.name << " was made for " << m.dataset << ", evaluating on "
                  << data_name << "\n";

    EvalReport r = measure_accuracy(m, data, o.batch, budget_bytes(o.memory_budget_mib));
    r.data_name = data_name;
    r.data_path = data_path;
    if (o.json)
        print_eval_json(m, o.model, r);
    else
        print_eval_text(m, o.model, r);
    return 0;
}

}  // namespace

Command add_eval_command(CLI::App& root) {
    auto o = std::make_shared<EvalOptions>();
    CLI::App* app = root.add_subcommand("eval", "Accuracy on CIFAR-10 (binary batch) or Fashion-MNIST (gzip IDX)");
    app->add_option("--model,-m", o->model, "Model file (winoq-int8-model)")->required();
    auto* c = app->add_option("--cifar", o->cifar, "CIFAR-10 binary batch (data_batch_N.bin / test_batch.bin)");
    auto* f =
        app->add_option("--fashion-mnist", o->fashion_mnist,
                        "Fashion-MNIST directory with the gzip IDX files (e.g. /usr/share/datasets/fashion-mnist)");
    c->excludes(f);
    app->add_option("--set", o->set, "Fashion-MNIST set: t10k (the test set) or train")
        ->capture_default_str()
        ->check(CLI::IsMember({"t10k", "train"}));
    app->add_option("--limit,-n", o->limit, "Evaluate only the first N images (0: all)")->check(CLI::NonNegativeNumber);
    app->add_option("--batch,-b", o->batch, "Images per executor run")
        ->capture_default_str()
        ->check(CLI::Range(1, kMaxBatch));
    add_memory_budget_option(app, o->memory_budget_mib);
    app->add_flag("--json", o->json, "Print one JSON document: top1 (percent), images, ms_per_image, ...");
    return {app, [o] { return run_eval(*o); }};
}

}  // namespace winoq::cli
