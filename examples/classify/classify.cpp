// Classify a PNG with a winoq int8 model, through the installed package (find_package(winoq)).
//   classify MODEL.safetensors IMAGE.png   ->   "<class> <probability>" for the top class
#include <algorithm>
#include <cstdio>
#include <exception>
#include <vector>

#include "winoq/io/png_image.h"
#include "winoq/model/model.h"
#include "winoq/runner/model_executor.h"

int main(int argc, char** argv) try {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s MODEL.safetensors IMAGE.png\n", argv[0]);
        return 2;
    }
    const winoq::Model model = winoq::load_model(argv[1]);  // validated; throws on a bad file
    winoq::ModelExecutor exec(model, /*batch=*/1);          // buffers planned once, reused per run
    // Any PNG, scaled and centre-cropped to the model's input.
    const winoq::Image8 image =
        winoq::fit_image(winoq::read_png(argv[2]), model.image_size, model.image_size, model.in_channels);
    std::vector<double> logits(size_t(model.num_classes()));
    exec.run_pixels(image.pixels.data(), logits.data());
    const std::vector<double> prob = winoq::softmax(logits.data(), model.num_classes());
    const size_t best = size_t(std::max_element(prob.begin(), prob.end()) - prob.begin());
    std::printf("%s %.6f\n", model.class_names[best].c_str(), prob[best]);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "classify: %s\n", e.what());
    return 1;
}
