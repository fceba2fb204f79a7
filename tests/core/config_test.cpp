#include "core/config.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/errors.h"
#include "core/json_reader.h"

namespace nas {
namespace {

nlohmann::json valid_document() {
  return nlohmann::json::parse(R"({
    "name": "t",
    "seed": 3,
    "space": {"type": "nb201"},
    "evaluator": {"type": "tabular"},
    "objectives": [{"metric": "cifar10_test_acc", "goal": "maximize"},
                   {"metric": "raspi4_ms", "goal": "minimize"}],
    "constraints": ["raspi4_ms <= 20"],
    "search": {"strategy": "nsga2", "budget": 300, "population": 30}
  })");
}

// The message a config error carries, or "" if none was thrown.
std::string error_of(const nlohmann::json& document) {
  try {
    parse_config(document, "t");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("a valid configuration is read with its defaults") {
  const RunConfig c = parse_config(valid_document(), "ignored");
  CHECK(c.name == "t");
  CHECK(c.seed == 3);
  CHECK(c.store == "results/t.db");
  CHECK(c.objectives.size() == 2);
  CHECK(c.objectives[0].goal == Goal::kMaximize);
  REQUIRE(c.constraints.size() == 1);
  CHECK(c.constraints[0].metric == "raspi4_ms");
  CHECK(c.constraints[0].limit == 20);
  CHECK(c.search.strategy == "nsga2");
  CHECK(c.search.budget == 300);
  CHECK(c.evaluator.table == "nb201");
  CHECK(c.hash.size() == 16);
  // The hash ignores formatting and key order.
  CHECK(parse_config(nlohmann::json::parse(valid_document().dump(2)), "x").hash == c.hash);
}

TEST_CASE("wrong types name the path and what was expected") {
  auto d = valid_document();
  d["search"]["population"] = "ten";
  CHECK(error_of(d) == "/search/population: expected an integer >= 2, got \"ten\"");
  d = valid_document();
  d["seed"] = 1.5;
  CHECK(error_of(d) == "/seed: expected an integer >= 0, got 1.5");
  d = valid_document();
  d["objectives"][1]["goal"] = "smallest";
  CHECK(error_of(d) ==
        "/objectives/1/goal: expected one of \"maximize\", \"minimize\", got \"smallest\"");
  d = valid_document();
  d["search"] = 5;
  CHECK(error_of(d) == "/search: expected an object, got 5");
}

TEST_CASE("out-of-range values name the path and the range") {
  auto d = valid_document();
  d["search"]["population"] = 1;
  CHECK(error_of(d) == "/search/population: expected an integer >= 2, got 1");
  d = valid_document();
  d["search"]["budget"] = 0;
  CHECK(error_of(d) == "/search/budget: expected an integer in [1, 100000000], got 0");
  d = valid_document();
  d["search"]["crossover_prob"] = 1.5;
  CHECK(error_of(d) == "/search/crossover_prob: expected a number in [0, 1], got 1.5");
}

TEST_CASE("unknown keys are errors, with a suggestion for near misses") {
  auto d = valid_document();
  d["search"]["populaton"] = 30;
  CHECK(error_of(d) == "/search/populaton: unknown key; did you mean \"population\"?");
  d = valid_document();
  d["colour"] = "blue";
  CHECK(error_of(d).rfind("/colour: unknown key (known keys: ", 0) == 0);
  // Options of another strategy are refused rather than ignored.
  d = valid_document();
  d["search"]["sample_size"] = 5;
  CHECK(error_of(d).rfind("/search/sample_size: unknown key", 0) == 0);
}

TEST_CASE("missing and malformed sections name their path") {
  auto d = valid_document();
  d.erase("objectives");
  CHECK(error_of(d) == "/objectives: missing (expected a list of objectives)");
  d = valid_document();
  d["objectives"].push_back({{"metric", "cifar10_test_acc"}, {"goal", "maximize"}});
  CHECK(error_of(d) == "/objectives/2/metric: \"cifar10_test_acc\" is already an objective");
  d = valid_document();
  d["constraints"] = {"raspi4_ms => 20"};
  CHECK(error_of(d) ==
        "/constraints/0: expected \"METRIC <= NUMBER\" or \"METRIC >= NUMBER\", got "
        "\"raspi4_ms => 20\"");
  d = valid_document();
  d["search"].erase("strategy");
  CHECK(error_of(d) ==
        "/search/strategy: missing (expected one of \"random\", \"evolution\", \"nsga2\", \"rl\", \"surrogate\")");
}

TEST_CASE("a syntax error gives file, line and column") {
  const auto path = std::filesystem::temp_directory_path() / "nas_config_syntax_test.json";
  {
    std::ofstream out(path);
    out << "{\n  \"name\": \"x\",\n  \"seed\": ,\n}\n";
  }
  try {
    load_config(path.string());
    FAIL("no error");
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    CHECK(message.rfind(path.string() + ":3:11: syntax error: ", 0) == 0);
    CHECK(message.find('\n') == std::string::npos);
  }
  std::filesystem::remove(path);
  CHECK_THROWS_WITH_AS(load_config("/nonexistent/x.json"),
                       "/nonexistent/x.json: cannot read the configuration file", ConfigError);
}

TEST_CASE("constraints parse both bounds") {
  const Constraint c = parse_constraint("  pixel3_ms<=12.5 ");
  CHECK(c.metric == "pixel3_ms");
  CHECK(c.bound == Bound::kAtMost);
  CHECK(c.limit == 12.5);
  CHECK(c.violation(12.5) == 0);
  CHECK(c.violation(13.5) == doctest::Approx(1.0));
  const Constraint d = parse_constraint("cifar10_test_acc >= 90");
  CHECK(d.bound == Bound::kAtLeast);
  CHECK(d.violation(89) == doctest::Approx(1.0));
  CHECK_THROWS_AS(parse_constraint("<= 3"), Error);
  CHECK_THROWS_AS(parse_constraint("a <= b"), Error);
}

}  // namespace

TEST_CASE("initial_archs names corners of the space, each once") {
  auto d = valid_document();
  d["search"]["initial_archs"] = {"largest", "smallest"};
  CHECK(parse_config(d, "t").search.initial_archs ==
        std::vector<std::string>{"largest", "smallest"});
  d["search"]["initial_archs"] = {"largest", "biggest"};
  CHECK(error_of(d) ==
        "/search/initial_archs/1: expected \"largest\" or \"smallest\", got \"biggest\"");
  d["search"]["initial_archs"] = {"smallest", "smallest"};
  CHECK(error_of(d) == "/search/initial_archs/1: \"smallest\" is listed twice");
  d["search"]["initial_archs"] = "largest";
  CHECK(error_of(d) ==
        "/search/initial_archs: expected a list of \"largest\" and/or \"smallest\", got \"largest\"");
}

TEST_CASE("farm: one device key or several, each named once") {
  auto d = valid_document();
  d["farm"] = nlohmann::json::object();
  CHECK(parse_config(d, "t").farm.devices == std::vector<std::string>{"cpu"});
  d["farm"] = {{"connect", "tcp://ws:5555"}, {"device", "jetson-nano"}};
  CHECK(parse_config(d, "t").farm.devices == std::vector<std::string>{"jetson-nano"});
  d["farm"] = {{"connect", "tcp://ws:5555"}, {"devices", {"jetson-nano", "coral", "ncs2"}}};
  CHECK(parse_config(d, "t").farm.devices ==
        std::vector<std::string>{"jetson-nano", "coral", "ncs2"});
  d["farm"]["devices"] = {"coral", "coral"};
  CHECK(error_of(d) == "/farm/devices/1: device key \"coral\" is named twice");
  d["farm"]["devices"] = {"coral", ""};
  CHECK(error_of(d) == "/farm/devices/1: expected a device key, got \"\"");
  d["farm"]["devices"] = nlohmann::json::array();
  CHECK(error_of(d) == "/farm/devices: expected a non-empty array of device keys, got []");
  d["farm"]["devices"] = {"coral"};
  d["farm"]["device"] = "ncs2";
  CHECK(error_of(d) ==
        "/farm/devices: give \"device\" (one key) or \"devices\" (several), not both");
}

TEST_CASE("screening names objectives, each once, with a budget no smaller than its warm-up") {
  auto d = valid_document();
  CHECK(parse_config(d, "t").screening.empty());
  d["screening"] = {{{"metric", "raspi4_ms"}, {"budget", 50}}};
  const RunConfig c = parse_config(d, "t");
  REQUIRE(c.screening.size() == 1);
  CHECK(c.screening[0].metric == "raspi4_ms");
  CHECK(c.screening[0].budget == 50);
  CHECK(c.screening[0].warmup == 20);
  CHECK(c.screening[0].explore == 1.0);
  d["screening"] = {{{"metric", "pixel3_ms"}}};
  CHECK(error_of(d) ==
        "/screening/0/metric: \"pixel3_ms\" is not an objective; only an objective's metric can be screened");
  d["screening"] = {{{"metric", "raspi4_ms"}}, {{"metric", "raspi4_ms"}}};
  CHECK(error_of(d) == "/screening/1/metric: \"raspi4_ms\" is already screened");
  d["screening"] = {{{"metric", "raspi4_ms"}, {"warmup", 30}, {"budget", 20}}};
  CHECK(error_of(d).rfind("/screening/0/budget: expected an integer >= 30", 0) == 0);
  d["screening"] = {{{"metric", "raspi4_ms"}, {"warmup", 3}}};
  CHECK(error_of(d).rfind("/screening/0/warmup: expected an integer >= 10", 0) == 0);
  d["screening"] = {{"metric", "raspi4_ms"}};
  CHECK(error_of(d).rfind("/screening: expected a list", 0) == 0);
  d["screening"] = {{{"metric", "raspi4_ms"}, {"budjet", 20}}};
  CHECK(error_of(d).rfind("/screening/0/budjet", 0) == 0);
}

}  // namespace nas
