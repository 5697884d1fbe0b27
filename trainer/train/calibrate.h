// Post-training calibration of every clipping factor of a quantized model: run a few batches
// of (unaugmented) training images in float with every quantizer observing its values, then
// set each alpha by winoq::choose_clip (max, percentile or MSE). This is the initialisation of
// QAT and, on its own, the post-training int8 result.
#pragma once

#include <cstdint>

#include "trainer/data/dataset.h"
#include "trainer/models/resnet.h"
#include "winoq/analysis/calibration.h"

namespace winoq::train {

// `images` randomly chosen (seeded) images of `data`. Leaves the model in Mode::kFakeQuant.
void calibrate(ResNet& model, const ImageDataset& data, const Normalization& norm, const CalibrationOptions& o,
               int64_t images = 512, int batch_size = 128, uint64_t seed = 1);

// Whether every quantizer has calibrated (or trained) clipping factors.
bool all_calibrated(ResNet& model);

}  // namespace winoq::train
