// The report's table of the supernet's training, one row per epoch.
#include <cstdio>
#include <map>

#include "results/report_model.h"

namespace nas::report {
namespace {

std::string fixed(const char* format, double value) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string percent(const std::optional<double>& fraction) {
  return fraction ? fixed("%.2f", 100 * *fraction) : "n/a";
}

}  // namespace

std::vector<TrainProgress> epoch_ends(const std::vector<TrainProgress>& reports) {
  std::map<std::int64_t, TrainProgress> by_epoch;
  for (const TrainProgress& p : reports) {
    if (p.epoch_end) by_epoch[p.epoch] = p;
  }
  std::vector<TrainProgress> out;
  for (const auto& [epoch, p] : by_epoch) out.push_back(p);
  return out;
}

std::vector<std::string> training_header() {
  return {"epoch", "sandwich loss", "loss largest", "loss smallest", "learning rate", "images/s",
          "val acc largest (%)", "val acc smallest (%)"};
}

std::vector<std::vector<std::string>> training_rows(const RunReport& r) {
  std::vector<std::vector<std::string>> rows;
  for (const TrainProgress& p : r.training_epochs) {
    rows.push_back({std::to_string(p.epoch) + "/" + std::to_string(p.epochs), fixed("%.4f", p.loss),
                    fixed("%.4f", p.loss_largest), fixed("%.4f", p.loss_smallest),
                    fixed("%.5f", p.learning_rate), fixed("%.0f", p.images_per_second),
                    percent(p.val_acc_largest), percent(p.val_acc_smallest)});
  }
  return rows;
}

}  // namespace nas::report
