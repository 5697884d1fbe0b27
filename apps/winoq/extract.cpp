// winoq extract: writes images of a data set as PNG files (the demo classifies one), named
// <set>-<index>-<class>.png so the true class travels with the file.
#include <cctype>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "winoq/io/datasets.h"
#include "winoq/io/png_image.h"

namespace winoq::cli {
namespace {

struct ExtractOptions {
    std::string cifar, fashion_mnist, set = "t10k", out_dir = ".";
    std::vector<int> index;
};

std::string file_safe(std::string s) {
    for (char& ch : s)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return s;
}

int run_extract(const ExtractOptions& o) {
    if (o.cifar.empty() == o.fashion_mnist.empty())
        throw std::runtime_error("give exactly one data set: --cifar FILE.bin or --fashion-mnist DIR");
    const bool cifar = !o.cifar.empty();
    const LabeledImages data = cifar ? read_cifar10(o.cifar) : read_fashion_mnist(o.fashion_mnist, o.set);
    const std::string prefix = cifar ? "cifar10" : "fashion-mnist-" + o.set;
    for (int i : o.index)
        if (i < 0 || i >= data.count)
            throw std::runtime_error("image index " + std::to_string(i) + " is outside the data set (0.." +
                                     std::to_string(data.count - 1) + ")");
    for (int i : o.index) {
        Image8 img;
        img.width = data.width;
        img.height = data.height;
        img.channels = data.channels;
        img.pixels.assign(data.image(i), data.image(i) + data.image_bytes());
        const std::string name = data.class_names[size_t(data.labels[i])];
        const std::string path = o.out_dir + "/" + prefix + "-" + std::to_string(i) + "-" + file_safe(name) + ".png";
        write_png(path, img);
        std::cout << path << "\t" << name << "\n";
    }
    return 0;
}

}  // namespace

Command add_extract_command(CLI::App& root) {
    auto o = std::make_shared<ExtractOptions>();
    CLI::App* app = root.add_subcommand("extract", "Write data-set images as PNG files (<set>-<index>-<class>.png)");
    auto* c = app->add_option("--cifar", o->cifar, "CIFAR-10 binary batch");
    auto* f = app->add_option("--fashion-mnist", o->fashion_mnist, "Fashion-MNIST directory (gzip IDX files)");
    c->excludes(f);
    app->add_option("--set", o->set, "Fashion-MNIST set: t10k or train")
        ->capture_default_str()
        ->check(CLI::IsMember({"t10k", "train"}));
    app->add_option("--index,-i", o->index, "Image indices")->required();
    app->add_option("--out-dir,-o", o->out_dir, "Folder to write into")
        ->capture_default_str()
        ->check(CLI::ExistingDirectory);
    return {app, [o] { return run_extract(*o); }};
}

}  // namespace winoq::cli
