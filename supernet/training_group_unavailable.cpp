// A build without c10d's Gloo headers (NAS_WITH_C10D off): one process only.
#include "core/errors.h"
#include "supernet/training_group.h"

namespace nas {

struct TrainingGroup::Impl {};

TrainingGroup::TrainingGroup(const TrainingRank& rank, const std::function<void(int)>&)
    : rank_(rank) {
  throw Error("training with " + std::to_string(rank.world_size) +
              " ranks: this build has no c10d (configure with libgloo-dev installed, "
              "NAS_WITH_C10D=ON)");
}
TrainingGroup::~TrainingGroup() = default;
void TrainingGroup::all_reduce_sum(torch::Tensor&) {}
torch::Tensor TrainingGroup::all_reduce_sum_differentiable(const torch::Tensor& t) { return t; }
void TrainingGroup::average_gradients(const std::vector<torch::Tensor>&) {}
std::string TrainingGroup::share_from_rank0(const std::string&, const std::string& bytes) {
  return bytes;
}

}  // namespace nas
