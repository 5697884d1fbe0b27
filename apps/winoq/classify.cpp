// winoq classify: the top-K classes of PNG images. Each image is read (any PNG; transparency
// on white), fitted to the model's input (shorter side scaled to image_size, centre crop,
// converted to the model's channels), quantized by the model's input LUT and run. A bad image
// is reported on stderr and the others still run; the exit status is 1 if any failed.
#include <algorithm>
#include <iostream>
#include <memory>
#include <new>
#include <numeric>

#include "cli_common.h"
#include "winoq/runner/model_executor.h"
#include "winoq/io/png_image.h"

namespace winoq::cli {
namespace {

struct ClassifyOptions {
    std::string model;
    std::vector<std::string> images;
    int top = 5;
    bool json = false;
    uint64_t memory_budget_mib = 0;
};

int run_classify(const ClassifyOptions& o) {
    const Model m = open_model(o.model);
    ModelExecutor exec(m, 1, ExecEngine::kKernels, budget_bytes(o.memory_budget_mib));
    const int classes = m.num_classes();
    const int top = std::min(o.top, classes);

    nlohmann::json out;
    add_model_fields(out, m, o.model);
    out["images"] = nlohmann::json::array();
    if (!o.json) print_untrained_line(m);

    bool any_failed = false;
    std::vector<double> logits(classes);
    for (const std::string& path : o.images) {
        std::vector<double> prob;
        try {
            const Image8 fitted = fit_image(read_png(path), m.image_size, m.image_size, m.in_channels);
            exec.run_pixels(fitted.pixels.data(), logits.data());
            prob = softmax(logits.data(), classes);
        } catch (const std::exception& e) {
            // Reported per image like any reader error; bad_alloc's what() names neither.
            const std::string why = dynamic_cast<const std::bad_alloc*>(&e) ? path + ": out of memory" : e.what();
            std::cerr << "winoq classify: error: " << why << "\n";
            out["images"].push_back({{"file", path}, {"error", why}});
            any_failed = true;
            continue;
        }
        std::vector<int> order(classes);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return prob[a] > prob[b]; });

        nlohmann::json img = {{"file", path}, {"top", nlohmann::json::array()}};
        if (!o.json) std::cout << path << (m.trained ? "" : "  (untrained model)") << "\n";
        for (int r = 0; r < top; ++r) {
            const int k = order[r];
            img["top"].push_back(
                {{"rank", r + 1}, {"class", m.class_names[k]}, {"index", k}, {"probability", prob[k]}});
            if (!o.json)
                std::cout << "  " << pad_left(std::to_string(r + 1), 2) << ". " << pad_right(m.class_names[k], 16)
                          << pad_left(fixed(100.0 * prob[k], 2), 7) << "%\n";
        }
        out["images"].push_back(img);
    }
    if (o.json) std::cout << out.dump(2) << "\n";
    return any_failed ? 1 : 0;
}

}  // namespace

Command add_classify_command(CLI::App& root) {
    auto o = std::make_shared<ClassifyOptions>();
    CLI::App* app =
        root.add_subcommand("classify", "Top-K classes of PNG images (any PNG; transparency composited on white)");
    app->add_option("--model,-m", o->model, "Model file (winoq-int8-model, from winoq-train export)")->required();
    app->add_option("images", o->images, "PNG files")->required();
    add_memory_budget_option(app, o->memory_budget_mib);
    app->add_option("--top,-k", o->top, "How many classes to print per image")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app->add_flag("--json", o->json, "Print one JSON document instead of text");
    return {app, [o] { return run_classify(*o); }};
}

}  // namespace winoq::cli
