// Hardware-aware rewards for the RL controller: one number from a candidate's
// quality Q (the first objective's value, larger is better) and its cost on
// the target device (latency, energy, params: any metric), against a target T.
//
//   mnasnet_soft  Q * (cost/T)^w                        (MnasNet, Tan et al. 2019; w = -0.07)
//   mnasnet_hard  Q if cost <= T, else Q * (cost/T)^w   (MnasNet's hard variant; w = -1)
//   tunas_abs     Q + beta * |cost/T - 1|               (TuNAS, Bender et al. 2020; beta < 0)
//
// Torch-free so that reward shaping can be tested and reused without LibTorch.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/objectives.h"

namespace nas {

// The reward for quality `quality` and cost `cost`. REQUIRES: options
// validated by the config (target > 0, exponent <= 0, beta < 0). A cost <= 0
// is treated as 0 cost: (0/T)^w with w < 0 would be infinite, so the
// multiplicative rewards clamp cost/T below at 1e-6.
double hardware_reward(const RewardOptions& options, double quality, double cost);

// What the controller reads from an outcome's raw metric values.
struct RewardInputs {
  std::string quality_metric;  // the first objective's metric
  Goal quality_goal = Goal::kMaximize;  // a minimised quality enters as -value
  RewardOptions reward;
};

// The reward of a candidate with raw `values` (Outcome::values), or nullopt
// when the quality or the cost is absent (an unusable value).
std::optional<double> reward_of(const RewardInputs& inputs,
                                const std::map<std::string, double>& values);

}  // namespace nas
