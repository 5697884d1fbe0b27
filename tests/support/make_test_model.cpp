// winoq-make-test-model: writes a random (untrained) model file for tests and latency runs.
//   winoq-make-test-model --arch resnet20|resnet18|wide1x1|block|stem|graph --variant direct|f23|f43|cf43|cf43m4
//                         [--image-size N] [--channels C] [--seed S] --out FILE
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>

#include "winoq/model/random_model.h"

int main(int argc, char** argv) {
    std::map<std::string, std::string> opt = {{"--arch", "resnet20"}, {"--variant", "cf43"}, {"--image-size", ""},
                                              {"--channels", "3"},    {"--seed", "1"},       {"--out", ""}};
    for (int i = 1; i < argc; i += 2) {
        if (!opt.count(argv[i]) || i + 1 >= argc) {
            std::fprintf(stderr,
                         "usage: %s --arch resnet20|resnet18|wide1x1|block|stem|graph "
                         "--variant direct|f23|f43|cf43|cf43m4 [--image-size N] [--channels C] [--seed S] --out FILE\n",
                         argv[0]);
            return 2;
        }
        opt[argv[i]] = argv[i + 1];
    }
    if (opt["--out"].empty()) {
        std::fprintf(stderr, "%s: --out FILE is required\n", argv[0]);
        return 2;
    }
    try {
        const std::string& arch = opt["--arch"];
        const int size = opt["--image-size"].empty() ? (arch == "resnet18" ? 224 : 32) : std::stoi(opt["--image-size"]);
        const winoq::Model m = winoq::make_random_model(arch, opt["--variant"], size, std::stoi(opt["--channels"]),
                                                        std::stoull(opt["--seed"]));
        winoq::save_model(opt["--out"], m);
        std::printf("wrote %s (%s, %zu ops)\n", opt["--out"].c_str(), m.name.c_str(), m.ops.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
