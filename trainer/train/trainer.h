// The training loop: seeded shuffles and augmentation, the optimizer and schedule of
// optim.h, a progress line (loss, accuracy, learning rate, ETA), validation after every
// epoch, a checkpoint written atomically after every epoch (OUT/checkpoint.pt, and
// OUT/best.pt for the best validation accuracy), and a per-run log (OUT/log.csv, OUT/log.json).
// A run resumes from OUT/checkpoint.pt with the same shuffles as an uninterrupted one.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "trainer/data/batches.h"
#include "trainer/data/dataset.h"
#include "trainer/models/resnet.h"
#include "trainer/train/distill.h"
#include "trainer/train/optim.h"

namespace winoq::train {

struct TrainOptions {
    int epochs = 10;
    int batch_size = 128;
    OptimOptions optim;
    Augmentation augmentation{4, true};
    uint64_t seed = 1;
    int64_t max_steps = 0;     // > 0: at most this many steps per epoch (smoke tests, timing)
    int64_t val_limit = 0;     // > 0: validate on the first images only
    bool val_integer = false;  // validate int8 models in integer mode every epoch (slower)
    std::string out_dir;       // empty: no checkpoints or logs
    bool progress = true;      // the progress line on stderr
    Distillation distill;      // a teacher: cross-entropy plus its softened logits (distill.h)
    nlohmann::json to_json() const;
};

struct EpochRecord {
    int epoch = 0;  // 1-based
    double lr = 0, train_loss = 0, train_acc = 0, val_top1 = -1, val_loss = -1, seconds = 0;
    std::string val_mode;
    nlohmann::json to_json() const;
};

// Trains epochs start_epoch+1 .. options.epochs. If `resume_from` names a checkpoint, the
// optimizer state is restored from it. `run_meta` is stored in checkpoints and the log.
std::vector<EpochRecord> train_model(ResNet& model, const ImageDataset& train, const ImageDataset* val,
                                     const Normalization& norm, const TrainOptions& options, int start_epoch = 0,
                                     const std::string& resume_from = "", const nlohmann::json& run_meta = {});

}  // namespace winoq::train
