// The float ResNet-20 that feeds the error analysis real activations: on the validation
// split (data_batch_5.bin) it must classify like the checkpoint does (docs/method.md: 85.9% on
// the whole batch). Skips when ../shared or the expanded CIFAR-10 batch is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "winoq/analysis/float_resnet20.h"

namespace winoq {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

TEST(FloatResNet20, ClassifiesValidationImages) {
    const std::string model =
        env_or("WINOQ_SHARED_DIR", WINOQ_DEFAULT_SHARED_DIR) + "/models/resnet20_cifar10_fp32.safetensors";
    const std::string batch = env_or("WINOQ_CIFAR_DIR", WINOQ_DEFAULT_CIFAR_DIR) + "/data_batch_5.bin";
    if (!std::ifstream(model)) GTEST_SKIP() << model << " not found (../shared absent)";
    if (!std::ifstream(batch))
        GTEST_SKIP() << batch
                     << " not found: expand it with /usr/bin/python3 ../shared/data/cifar10-jpeg/expand.py DIR "
                     << "and set WINOQ_CIFAR_DIR=DIR";
    const FloatResNet20 net = load_float_resnet20(SafetensorsFile::load(model));
    const int N = 64;
    std::vector<int> labels;
    const std::vector<double> images = load_cifar10_images(batch, 0, N, &labels);
    std::vector<std::vector<double>> inputs;
    const std::vector<double> logits = resnet20_forward(net, images, N, &inputs);
    int correct = 0;
    for (int n = 0; n < N; ++n) {
        const auto row = logits.begin() + n * 10;
        correct += int(std::max_element(row, row + 10) - row) == labels[n];
    }
    // 85.9% expected; 64 images give a binomial spread of about 4.4%.
    EXPECT_GE(correct, int(0.70 * N)) << correct << " / " << N;
    ASSERT_EQ(inputs.size(), 19u);
    EXPECT_EQ(inputs[0].size(), size_t(N) * 32 * 32 * 3);
    EXPECT_EQ(inputs.back().size(), size_t(N) * 8 * 8 * 64);
    EXPECT_EQ(resnet20_conv_input_size(net, 18), 8);
    // Inputs after the stem are post-ReLU.
    EXPECT_GE(*std::min_element(inputs[1].begin(), inputs[1].end()), 0.0);
}

TEST(FloatResNet20, CifarReaderFailsClearly) {
    EXPECT_THROW(load_cifar10_images("/nonexistent/data_batch_5.bin", 0, 1), std::runtime_error);
}

}  // namespace
}  // namespace winoq
