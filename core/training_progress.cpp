#include "core/training_progress.h"

#include <nlohmann/json.hpp>

namespace nas {
namespace {

nlohmann::json number_or_null(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

void to_json(nlohmann::json& j, const TrainProgress& p) {
  j = {{"epoch", p.epoch},
       {"epochs", p.epochs},
       {"step", p.step},
       {"steps", p.steps},
       {"images_done", p.images_done},
       {"images_total", p.images_total},
       {"images_resumed", p.images_resumed},
       {"loss", p.loss},
       {"loss_largest", p.loss_largest},
       {"loss_smallest", p.loss_smallest},
       {"learning_rate", p.learning_rate},
       {"images_per_second", p.images_per_second},
       {"epoch_end", p.epoch_end},
       {"val_acc_largest", number_or_null(p.val_acc_largest)},
       {"val_acc_smallest", number_or_null(p.val_acc_smallest)}};
}

}  // namespace nas
