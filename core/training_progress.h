// What the supernet's training reports while it runs: the training calls a
// callback with this after every step and once more at the end of every
// epoch (with the validation accuracies); `nas run` keeps it in the store,
// where the dashboard and `nas report` read it. Here in core/ so that
// supernet/ (which writes it) and results/ (which stores it) share one shape
// without depending on each other.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json_fwd.hpp>

namespace nas {

struct TrainProgress {
  std::int64_t epoch = 0;           // 1-based epoch in progress
  std::int64_t epochs = 0;
  std::int64_t step = 0;            // 1-based step within the epoch
  std::int64_t steps = 0;           // steps per epoch
  std::int64_t images_done = 0;     // over the whole training, earlier sessions included
  std::int64_t images_total = 0;
  std::int64_t images_resumed = 0;  // of images_done, done by an earlier session
  double loss = 0;                  // running mean of this epoch's sandwich loss (all subnets)
  double loss_largest = 0;          // running mean of this epoch's loss of the largest subnet
  double loss_smallest = 0;         // and of the smallest
  double learning_rate = 0;         // of the last step
  // Images trained by this session divided by the seconds this session spent
  // in training steps: resumed images, validation and checkpoints left out.
  double images_per_second = 0;
  // The epoch's closing report: set after the epoch's last step and its
  // validation, with the accuracies (fractions) of the largest and smallest
  // subnets on the validation split.
  bool epoch_end = false;
  std::optional<double> val_acc_largest, val_acc_smallest;
};

// A report as JSON (the dashboard's /training view and `nas report -f json`):
// every field by name; the accuracies are null before the epoch's end.
void to_json(nlohmann::json& j, const TrainProgress& p);

}  // namespace nas
