// The surrogate strategy's options: defaults, the reference point in the
// metrics' units turned into minimisation form, JSON-path errors.
#include <doctest/doctest.h>

#include "core/config.h"
#include "core/errors.h"

namespace {

nlohmann::json document(const nlohmann::json& search) {
  nlohmann::json d = nlohmann::json::parse(R"({
    "name": "t", "space": {"type": "nb201"}, "evaluator": {"type": "tabular"},
    "objectives": [{"metric": "cifar10_test_acc", "goal": "maximize"},
                   {"metric": "raspi4_ms", "goal": "minimize"}]})");
  d["search"] = search;
  return d;
}

std::string error_of(const nlohmann::json& search) {
  try {
    nas::parse_config(document(search), "t");
  } catch (const nas::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("surrogate options: defaults and the reference point") {
  const nas::RunConfig c = nas::parse_config(
      document({{"strategy", "surrogate"}, {"budget", 300}, {"reference", {90, 25.5}}}), "t");
  CHECK(c.search.strategy == "surrogate");
  CHECK(c.search.surrogate.initial == 40);
  CHECK(c.search.surrogate.pool == 2000);
  REQUIRE(c.search.surrogate.reference.size() == 2);
  CHECK(c.search.surrogate.reference[0] == -90);  // accuracy is maximised
  CHECK(c.search.surrogate.reference[1] == 25.5);
  const nas::RunConfig d =
      nas::parse_config(document({{"strategy", "surrogate"}, {"budget", 300}, {"explore", 0.5}}), "t");
  CHECK(d.search.surrogate.explore == 0.5);
  CHECK(d.search.surrogate.reference.empty());
  // The objectives' metrics, so that accuracy gets the error-rate model.
  CHECK(d.search.surrogate.metrics == std::vector<std::string>{"cifar10_test_acc", "raspi4_ms"});
  CHECK(c.search.surrogate.explore == 1.0);
}

TEST_CASE("accuracy metrics are the *_acc ones") {
  CHECK(nas::is_accuracy_metric("cifar10_test_acc"));
  CHECK(nas::is_accuracy_metric("val_acc"));
  CHECK_FALSE(nas::is_accuracy_metric("raspi4_ms"));
  CHECK_FALSE(nas::is_accuracy_metric("acc"));
  CHECK_FALSE(nas::is_accuracy_metric("accuracy_ms"));
}

TEST_CASE("surrogate options: errors name the JSON path") {
  CHECK(error_of({{"strategy", "surrogate"}, {"budget", 10}, {"initial", 1}})
            .find("/search/initial") == 0);
  CHECK(error_of({{"strategy", "surrogate"}, {"budget", 10}, {"reference", {90}}})
            .find("/search/reference: expected 2 numbers") == 0);
  CHECK(error_of({{"strategy", "surrogate"}, {"budget", 10}, {"reference", "x"}})
            .find("/search/reference: expected a list of numbers") == 0);
  CHECK(error_of({{"strategy", "nsga2"}, {"budget", 10}, {"pool", 5}}).find("/search/pool") == 0);
}
