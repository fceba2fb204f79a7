// Predictor-screened measuring end to end: `nas run` on the NB201 table with
// raspi4 latency screened (the table standing in for the board), into a real
// store. The search measures within its budget, stores the rest labelled
// predicted, and its front holds measured values only.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "sqlite_peek.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

TEST_CASE("a screened nb201 run measures within its budget and reports a measured front") {
  TempDir dir;
  nlohmann::json c = nlohmann::json::parse(
      read_file(std::string(NAS_SOURCE_DIR) + "/configs/nb201-raspi4.json"));
  c["name"] = "screened";
  c["search"]["budget"] = 200;
  c["screening"] = {{{"metric", "raspi4_ms"}, {"budget", 40}, {"warmup", 15}}};
  write_file(dir / "screened.json", c.dump(2));
  const std::string db = (dir / "run.db").string();
  const auto run = run_process({nas_binary(), "run", (dir / "screened.json").string(), "--store", db, "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);

  std::smatch m;
  const std::regex line(R"(screening raspi4_ms: (\d+) measured during the search \(budget 40\), (\d+) predicted, (\d+) front members measured to confirm)");
  REQUIRE_MESSAGE(std::regex_search(run.err, m, line), run.err);
  const long measured = std::stol(m[1]), predicted = std::stol(m[2]), confirmed = std::stol(m[3]);
  CHECK(measured <= 40);
  CHECK(measured >= 15);
  CHECK(predicted > 0);

  const std::string raspi = "SELECT count(*) FROM evaluations WHERE metric = 'raspi4_ms' AND source = ";
  CHECK(query_int(db, raspi + "'predicted'") == predicted);
  CHECK(query_int(db, raspi + "'tabular'") <= measured + confirmed);
  CHECK(query_int(db, "SELECT count(*) FROM front WHERE run_id = 1") > 0);
  CHECK(query_int(db, "SELECT count(*) FROM front f WHERE f.run_id = 1 AND NOT EXISTS ("
                      " SELECT 1 FROM evaluations e WHERE e.arch_id = f.arch_id"
                      " AND e.metric = 'raspi4_ms' AND e.source = 'tabular' AND e.value IS NOT NULL)") == 0);
}

TEST_CASE("nas validate names a screened metric that is not an objective") {
  TempDir dir;
  nlohmann::json c = nlohmann::json::parse(
      read_file(std::string(NAS_SOURCE_DIR) + "/configs/nb201-raspi4.json"));
  c["screening"] = {{{"metric", "pixel3_ms"}}};
  write_file(dir / "bad.json", c.dump(2));
  const auto v = run_process({nas_binary(), "validate", (dir / "bad.json").string()});
  CHECK(v.exit_code == 2);
  CHECK(v.err.find("/screening/0/metric: \"pixel3_ms\" is not an objective") != std::string::npos);
}

}  // namespace
}  // namespace nas::test
