#include "trainer/data/dataset.h"

#include "winoq/io/datasets.h"

#include <stdexcept>

namespace winoq::train {

ImageDataset to_image_dataset(const LabeledImages& li, const std::string& name) {
    ImageDataset d;
    d.name = name;
    const torch::Tensor nhwc = torch::from_blob(const_cast<uint8_t*>(li.pixels.data()),
                                                {li.count, li.height, li.width, li.channels}, torch::kUInt8);
    d.images = nhwc.permute({0, 3, 1, 2}).clone(torch::MemoryFormat::Contiguous);  // owns its bytes (li may go)
    d.labels = torch::tensor(std::vector<int64_t>(li.labels.begin(), li.labels.end()), torch::kLong);
    d.num_classes = 10;
    return d;
}

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
