#include "search/rl/reward.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"

namespace nas {

double hardware_reward(const RewardOptions& options, double quality, double cost) {
  const double ratio = cost / options.target;
  if (options.type == "mnasnet_soft") {
    return quality * std::pow(std::max(ratio, 1e-6), options.exponent);
  }
  if (options.type == "mnasnet_hard") {
    return ratio <= 1 ? quality : quality * std::pow(ratio, options.exponent);
  }
  if (options.type == "tunas_abs") return quality + options.beta * std::fabs(ratio - 1);
  throw Error("unknown reward type '" + options.type +
              "' (expected mnasnet_soft, mnasnet_hard or tunas_abs)");
}

std::optional<double> reward_of(const RewardInputs& inputs,
                                const std::map<std::string, double>& values) {
  const auto q = values.find(inputs.quality_metric);
  const auto c = values.find(inputs.reward.metric);
  if (q == values.end() || c == values.end()) return std::nullopt;
  const double quality = inputs.quality_goal == Goal::kMaximize ? q->second : -q->second;
  return hardware_reward(inputs.reward, quality, c->second);
}

}  // namespace nas
