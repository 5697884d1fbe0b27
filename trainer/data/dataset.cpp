#include "trainer/data/dataset.h"

#include <stdexcept>

namespace winoq::train {

ImageDataset concat(const std::vector<ImageDataset>& parts, const std::string& name) {
    if (parts.empty()) throw std::invalid_argument("winoq-train: no data set files given");
    std::vector<torch::Tensor> images, labels;
    for (const ImageDataset& p : parts) {
        if (p.images.sizes().slice(1) != parts[0].images.sizes().slice(1))
            throw std::runtime_error("winoq-train: " + p.name + " has images of another shape than " + parts[0].name);
        images.push_back(p.images);
        labels.push_back(p.labels);
    }
    ImageDataset d;
    d.name = name;
    d.images = torch::cat(images);
    d.labels = torch::cat(labels);
    d.num_classes = parts[0].num_classes;
    return d;
}

ImageDataset head(const ImageDataset& d, int64_t count) {
    if (count <= 0 || count >= d.size()) return d;
    ImageDataset h = d;
    h.images = d.images.narrow(0, 0, count).clone();
    h.labels = d.labels.narrow(0, 0, count).clone();
    return h;
}

}  // namespace winoq::train
