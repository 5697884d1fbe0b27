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
    bool json = false;
};

using Clock = std::chrono::steady_clock;

int run_eval(const EvalOptions& o) {
    if (o.cifar.empty() == o.fashion_mnist.empty())
        throw std::runtime_error("give exactly one data set: --cifar FILE.bin or --fashion-mnist DIR");
    const Model m = open_model(o.model);
    const bool cifar = !o.cifar.empty();
    const std::string data_path = cifar ? o.cifar : o.fashion_mnist;
    const LabeledImages data =
        cifar ? read_cifar10(o.cifar, o.limit) : read_fashion_mnist(o.fashion_mnist, o.set, o.limit);

    if (data.channels != m.in_channels || data.height != m.image_size || data.width != m.image_size)
        throw std::runtime_error("model " + o.model + " takes " + std::to_string(m.in_channels) + "x" +
                                 std::to_string(m.image_size) + "x" + std::to_string(m.image_size) + " images but " +
                                 data_path + " holds " + std::to_string(data.channels) + "x" +
                                 std::to_string(data.height) + "x" + std::to_string(data.width) +
                                 " images (channels x height x width)");
    if (int(data.class_names.size()) != m.num_classes())
        throw std::runtime_error("model " + o.model + " has " + std::to_string(m.num_classes()) +
                                 " classes but the data set has " + std::to_string(data.class_names.size()));
    const std::string data_name = cifar ? "cifar10" : "fashion-mnist";
    if (!m.dataset.empty() && m.dataset != data_name)
        std::cerr << "winoq eval: warning: model " << m.name << " was made for " << m.dataset << ", evaluating on "
                  << data_name << "\n";

    const int batch = std::max(1, std::min(o.batch, data.count));
    ModelExecutor exec(m, batch);
    const std::string target = active_target_name();
    const int classes = m.num_classes();
    const size_t image_bytes = data.image_bytes();
    std::vector<uint8_t> pixels(size_t(batch) * image_bytes, 0);  // the last batch is zero-padded
    std::vector<double> logits(size_t(batch) * classes);

    int64_t top1 = 0, top5 = 0;
    double run_seconds = 0;
    const auto start = Clock::now();
    auto last_progress = start;
    for (int first = 0; first < data.count; first += batch) {
        const int n = std::min(batch, data.count - first);
        std::memcpy(pixels.data(), data.image(first), size_t(n) * image_bytes);
        const auto t0 = Clock::now();
        exec.run_pixels(pixels.data(), logits.data());
        run_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        for (int i = 0; i < n; ++i) {
            const double* l = &logits[size_t(i) * classes];
            const int label = data.labels[first + i];
            int higher = 0;  // classes that beat the true one (ties count against it)
            for (int k = 0; k < classes; ++k)
                if (k != label && l[k] >= l[label]) ++higher;
            top1 += higher == 0;
            top5 += higher < 5;
        }
        const auto now = Clock::now();
        if (now - last_progress > std::chrono::seconds(2) && first + n < data.count) {  // long runs only
            std::cerr << "winoq eval: " << first + n << "/" << data.count << " images, top-1 so far "
                      << fixed(100.0 * top1 / (first + n), 2) << "%\n";
            last_progress = now;
        }
    }
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    const double pct1 = 100.0 * top1 / data.count, pct5 = 100.0 * top5 / data.count;
    const double ms_per_image = 1e3 * run_seconds / data.count;

    if (o.json) {
        nlohmann::json j;
        add_model_fields(j, m, o.model);
        j["dataset"] = data_name;
        j["data"] = data_path;
        j["images"] = data.count;
        j["correct"] = top1;
        j["top1"] = pct1;
        j["top5"] = pct5;
        j["ms_per_image"] = ms_per_image;
        j["batch"] = batch;
        j["target"] = target;
        j["wall_seconds"] = wall;
        std::cout << j.dump(2) << "\n";
    } else {
        print_untrained_line(m);
        std::cout << "model:  " << m.name << " (" << o.model << ")" << (m.trained ? "" : " [untrained]") << "\n"
                  << "data:   " << data_path << " (" << data_name << ", " << data.count << " images)\n"
                  << "top-1:  " << fixed(pct1, 2) << "% (" << top1 << "/" << data.count << ")\n"
                  << "top-5:  " << fixed(pct5, 2) << "%\n"
                  << "time:   " << fixed(ms_per_image, 3) << " ms/image (batch " << batch << ", kernel target "
                  << target << ")\n";
    }
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
        ->check(CLI::PositiveNumber);
    app->add_flag("--json", o->json, "Print one JSON document: top1 (percent), images, ms_per_image, ...");
    return {app, [o] { return run_eval(*o); }};
}

}  // namespace winoq::cli
