#include "search/rl/reward.h"

#include <doctest/doctest.h>

#include <cmath>

namespace nas {
namespace {

RewardOptions reward(const std::string& type, double exponent = -0.07, double beta = -1) {
  RewardOptions r;
  r.type = type;
  r.metric = "raspi4_ms";
  r.target = 10;
  r.exponent = exponent;
  r.beta = beta;
  return r;
}

TEST_CASE("MnasNet's soft reward: Q * (LAT/T)^w on both sides of the target") {
  const RewardOptions r = reward("mnasnet_soft");
  CHECK(hardware_reward(r, 90, 10) == doctest::Approx(90));
  CHECK(hardware_reward(r, 90, 20) == doctest::Approx(90 * std::pow(2.0, -0.07)));
  CHECK(hardware_reward(r, 90, 5) == doctest::Approx(90 * std::pow(0.5, -0.07)));
  CHECK(std::isfinite(hardware_reward(r, 90, 0)));  // cost/T clamped, never infinite
}

TEST_CASE("MnasNet's hard reward: Q under the target, Q * (LAT/T)^w past it") {
  const RewardOptions r = reward("mnasnet_hard", -1);
  CHECK(hardware_reward(r, 90, 5) == 90);
  CHECK(hardware_reward(r, 90, 10) == 90);
  CHECK(hardware_reward(r, 90, 20) == doctest::Approx(45));
  CHECK(hardware_reward(reward("mnasnet_hard", -2), 90, 20) == doctest::Approx(22.5));
}

TEST_CASE("TuNAS's absolute reward: Q + beta * |LAT/T - 1|") {
  const RewardOptions r = reward("tunas_abs", -0.07, -5);
  CHECK(hardware_reward(r, 90, 10) == 90);
  CHECK(hardware_reward(r, 90, 15) == doctest::Approx(87.5));
  CHECK(hardware_reward(r, 90, 5) == doctest::Approx(87.5));  // too fast costs too
}

TEST_CASE("an unknown reward type is an error") {
  CHECK_THROWS_WITH(hardware_reward(reward("mnas"), 90, 10),
                    doctest::Contains("unknown reward type 'mnas'"));
}

TEST_CASE("reward_of reads the quality and the cost by name") {
  RewardInputs in;
  in.quality_metric = "acc";
  in.reward = reward("mnasnet_hard", -1);
  CHECK(*reward_of(in, {{"acc", 90}, {"raspi4_ms", 20}}) == doctest::Approx(45));
  CHECK(!reward_of(in, {{"acc", 90}}));         // cost unusable
  CHECK(!reward_of(in, {{"raspi4_ms", 20}}));   // quality unusable

  in.quality_goal = Goal::kMinimize;  // e.g. an error rate: larger is worse
  in.reward = reward("tunas_abs", -0.07, -1);
  CHECK(*reward_of(in, {{"acc", 10}, {"raspi4_ms", 10}}) == -10);
}

}  // namespace
}  // namespace nas
