// The `search` options of the rl strategy: defaults, ranges and the keys that
// only rl accepts, each error naming its JSON path.
#include <doctest/doctest.h>

#include "core/config.h"
#include "core/errors.h"

namespace nas {
namespace {

nlohmann::json rl_document() {
  return nlohmann::json::parse(R"({
    "name": "t",
    "space": {"type": "nb201"},
    "evaluator": {"type": "tabular"},
    "objectives": [{"metric": "cifar10_test_acc", "goal": "maximize"},
                   {"metric": "raspi4_ms", "goal": "minimize"}],
    "search": {"strategy": "rl", "budget": 300,
               "reward": {"type": "mnasnet_soft", "metric": "raspi4_ms", "target": 15}}
  })");
}

std::string error_of(const nlohmann::json& document) {
  try {
    parse_config(document, "t");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("rl: defaults") {
  const SearchOptions s = parse_config(rl_document(), "t").search;
  CHECK(s.strategy == "rl");
  CHECK(s.reward.type == "mnasnet_soft");
  CHECK(s.reward.metric == "raspi4_ms");
  CHECK(s.reward.target == 15);
  CHECK(s.reward.exponent == -0.07);
  CHECK(s.controller == "factorized");
  CHECK(s.learning_rate > 0);
  CHECK(s.baseline_decay < 1);
  CHECK(s.risk_epsilon == 0.1);

  nlohmann::json d = rl_document();
  d["search"]["reward"]["type"] = "mnasnet_hard";
  CHECK(parse_config(d, "t").search.reward.exponent == -1);
}

TEST_CASE("rl: every option is read") {
  nlohmann::json d = rl_document();
  d["search"]["reward"] = {{"type", "tunas_abs"}, {"metric", "raspi4_ms"}, {"target", 12.5},
                           {"beta", -3}};
  d["search"]["controller"] = "lstm";
  d["search"]["lstm_hidden"] = 16;
  d["search"]["learning_rate"] = 0.01;
  d["search"]["entropy_weight"] = 0.2;
  d["search"]["baseline_decay"] = 0.5;
  d["search"]["risk_epsilon"] = 0;
  d["search"]["batch"] = 8;
  const SearchOptions s = parse_config(d, "t").search;
  CHECK(s.reward.type == "tunas_abs");
  CHECK(s.reward.target == 12.5);
  CHECK(s.reward.beta == -3);
  CHECK(s.controller == "lstm");
  CHECK(s.lstm_hidden == 16);
  CHECK(s.learning_rate == 0.01);
  CHECK(s.entropy_weight == 0.2);
  CHECK(s.baseline_decay == 0.5);
  CHECK(s.risk_epsilon == 0);
  CHECK(s.batch == 8);
}

TEST_CASE("rl: bad values name their path") {
  nlohmann::json d = rl_document();
  d["search"].erase("reward");
  CHECK(error_of(d) == "/search/reward: missing (expected an object)");

  d = rl_document();
  d["search"]["reward"]["type"] = "mnas";
  CHECK(error_of(d).rfind("/search/reward/type: expected one of", 0) == 0);

  d = rl_document();
  d["search"]["reward"]["target"] = 0;
  CHECK(error_of(d) == "/search/reward/target: expected a number > 0, got 0");

  d = rl_document();
  d["search"]["reward"]["exponent"] = 0.5;
  CHECK(error_of(d) == "/search/reward/exponent: expected a number in [-10, 0], got 0.5");

  d = rl_document();
  d["search"]["reward"]["beta"] = -1;  // tunas_abs only
  CHECK(error_of(d).rfind("/search/reward/beta: unknown key", 0) == 0);

  d = rl_document();
  d["search"]["reward"] = {{"type", "tunas_abs"}, {"metric", "raspi4_ms"}, {"target", 15},
                           {"beta", 0}};
  CHECK(error_of(d) == "/search/reward/beta: expected a number < 0, got 0");

  d = rl_document();
  d["search"]["reward"]["exponent"] = -0.07;
  d["search"]["reward"]["metric"] = "pixel3_ms";
  CHECK(error_of(d).rfind("/search/reward/metric: \"pixel3_ms\" is neither an objective nor a "
                          "constraint", 0) == 0);

  d = rl_document();
  d["constraints"] = {"pixel3_ms <= 10"};
  d["search"]["reward"]["metric"] = "pixel3_ms";
  CHECK(error_of(d) == "");  // a constraint's metric will do

  d = rl_document();
  d["objectives"][0]["goal"] = "minimize";
  CHECK(error_of(d).rfind("/search/reward/type: mnasnet_soft multiplies the first objective", 0) ==
        0);
  d["search"]["reward"] = {{"type", "tunas_abs"}, {"metric", "raspi4_ms"}, {"target", 15}};
  CHECK(error_of(d) == "");

  d = rl_document();
  d["search"]["learning_rate"] = 0;
  CHECK(error_of(d) == "/search/learning_rate: expected a number in (0, 10], got 0");

  d = rl_document();
  d["search"]["entropy_weight"] = -1;
  CHECK(error_of(d) == "/search/entropy_weight: expected a number >= 0, got -1");

  d = rl_document();
  d["search"]["baseline_decay"] = 1;
  CHECK(error_of(d) == "/search/baseline_decay: expected a number in [0, 1), got 1");

  d = rl_document();
  d["search"]["risk_epsilon"] = 1.5;
  CHECK(error_of(d) == "/search/risk_epsilon: expected a number in [0, 1], got 1.5");

  d = rl_document();
  d["search"]["controller"] = "gru";
  CHECK(error_of(d) ==
        "/search/controller: expected one of \"factorized\", \"lstm\", got \"gru\"");

  d = rl_document();
  d["search"]["lstm_hidden"] = 8;  // only with the lstm controller
  CHECK(error_of(d).rfind("/search/lstm_hidden: unknown key", 0) == 0);

  d = rl_document();
  d["search"]["population"] = 10;  // not an rl option
  CHECK(error_of(d).rfind("/search/population: unknown key", 0) == 0);
}

TEST_CASE("rl keys are rejected for other strategies") {
  nlohmann::json d = rl_document();
  d["search"]["strategy"] = "evolution";
  CHECK(error_of(d).rfind("/search/reward: unknown key", 0) == 0);
  d["search"].erase("reward");
  d["search"]["learning_rate"] = 0.1;
  CHECK(error_of(d).rfind("/search/learning_rate: unknown key", 0) == 0);
}

}  // namespace
}  // namespace nas
