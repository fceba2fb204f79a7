// Predictor-screened measuring end to end: `nas run` on the NB201 table with
// raspi4 latency screened (the table standing in for the board), into a real
// store. The search measures within its budget, stores the rest labelled
// predicted, and its front holds measured values only.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "sqlite_peek.h"
#include "tests/support/degenerate_table.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

TEST_CASE("a screened nb201 run measures within its budget and reports a measured front") {
  TempDir dir;
  nlohmann::json c = screened_nb201_config();
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

TEST_CASE("a screened run on a table with a third of its cells degenerate confirms no degenerate cell") {
  TempDir dir;
  const std::string table = (dir / "third.csv").string();
  const double share = write_third_degenerate_table(table);
  REQUIRE(share > 0.30);
  REQUIRE(share < 0.36);
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "third-degenerate";
  c["evaluator"]["path"] = table;
  c["search"]["budget"] = 300;
  c["screening"] = {{{"metric", "raspi4_ms"}, {"budget", 40}, {"warmup", 20}}};
  write_file(dir / "third.json", c.dump(2));
  const std::string db = (dir / "run.db").string();
  const auto run = run_process({nas_binary(), "run", (dir / "third.json").string(), "--store", db});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);

  // No job for a cell that computes nothing: excluded by its structure.
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(run.err, m, std::regex(R"(structural check: (\d+) candidates compute nothing)")), run.err);
  CHECK(std::stol(m[1]) > 0);
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'raspi4_ms' AND source = 'analytic'") ==
        std::stol(m[1]));
  CHECK(query_int(db, "SELECT count(*) FROM evaluations a JOIN evaluations t ON t.arch_id = a.arch_id"
                      " AND t.metric = 'raspi4_ms' AND t.source = 'tabular'"
                      " WHERE a.metric = 'raspi4_ms' AND a.source = 'analytic'") == 0);
  // Failures during the search taught the screening step.
  REQUIRE_MESSAGE(std::regex_search(run.err, m, std::regex(R"((\d+) predicted to fail and not measured)")), run.err);
  CHECK(std::stol(m[1]) > 0);

  // The claim: no front member was confirmed by measuring a degenerate cell.
  const std::string confirmations =
      "SELECT count(*) FROM evaluations t JOIN evaluations p ON p.arch_id = t.arch_id"
      " AND p.metric = 'raspi4_ms' AND p.source = 'predicted'"
      " WHERE t.metric = 'raspi4_ms' AND t.source = 'tabular'";
  CHECK(query_int(db, confirmations) > 0);
  CHECK(query_int(db, confirmations + " AND t.value IS NULL") == 0);
  CHECK(query_int(db, "SELECT count(*) FROM front WHERE run_id = 1") > 0);
  CHECK(query_int(db, "SELECT count(*) FROM front f WHERE f.run_id = 1 AND NOT EXISTS ("
                      " SELECT 1 FROM evaluations e WHERE e.arch_id = f.arch_id"
                      " AND e.metric = 'raspi4_ms' AND e.source = 'tabular' AND e.value IS NOT NULL)") == 0);

  // What was spent, per device, in the log and the report.
  REQUIRE_MESSAGE(std::regex_search(run.err, m, std::regex(R"(values from the table of raspi4: (\d+) during the search, (\d+) confirming the front, (\d+) wasted on failures)")), run.err);
  CHECK(std::stol(m[1]) <= 40);
  CHECK(std::stol(m[2]) == query_int(db, confirmations));
  CHECK(std::stol(m[3]) == query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'raspi4_ms'"
                                         " AND source = 'tabular' AND value IS NULL"));
  CHECK(std::regex_search(run.out, std::regex(R"(device values\s*\|\s*raspi4 \(table\): \d+ \(\d+ during the search, \d+ confirming the front\), \d+ wasted on failures)")));

  // The same figures in the report's machine-readable forms.
  const long search = std::stol(m[1]), confirmed = std::stol(m[2]), wasted = std::stol(m[3]);
  const auto json_report = run_process({nas_binary(), "report", db, "--format", "json"});
  REQUIRE_MESSAGE(json_report.exit_code == 0, json_report.err);
  const auto spent = nlohmann::json::parse(json_report.out)["runs"][0]["cost"]["device_values"]["raspi4"];
  CHECK(spent["search"] == search);
  CHECK(spent["confirmations"] == confirmed);
  CHECK(spent["wasted"] == wasted);
  CHECK(spent["source"] == "tabular");  // NB201's latencies are a table's, never called measured
  const auto csv_report = run_process({nas_binary(), "report", db, "--format", "csv"});
  REQUIRE_MESSAGE(csv_report.exit_code == 0, csv_report.err);
  CHECK(csv_report.out.find("device_values_search_confirm_wasted") != std::string::npos);
  CHECK(csv_report.out.find("raspi4(table):" + std::to_string(search) + "/" + std::to_string(confirmed) +
                            "/" + std::to_string(wasted)) != std::string::npos);
}

TEST_CASE("nas validate names a screened metric that is not an objective") {
  TempDir dir;
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["screening"] = {{{"metric", "pixel3_ms"}}};
  write_file(dir / "bad.json", c.dump(2));
  const auto v = run_process({nas_binary(), "validate", (dir / "bad.json").string()});
  CHECK(v.exit_code == 2);
  CHECK(v.err.find("/screening/0/metric: \"pixel3_ms\" is not an objective") != std::string::npos);
}

}  // namespace
}  // namespace nas::test
