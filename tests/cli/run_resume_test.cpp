// A real `nas run` process killed with SIGKILL and resumed ends with the same
// front as an uninterrupted run, and never evaluates anything twice.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/interrupted_run.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

std::string write_config(const TempDir& dir, const std::string& strategy, int budget) {
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "resume-" + strategy;
  c["seed"] = 11;
  c["search"] = {{"strategy", strategy}, {"budget", budget}};
  if (strategy != "random") c["search"]["population"] = 10;
  if (strategy == "evolution") c["search"]["batch"] = 2;
  c["constraints"] = {"raspi4_ms <= 40"};
  const auto path = dir / (strategy + ".json");
  write_file(path, c.dump(2));
  return path.string();
}

std::vector<std::string> front_of(const std::string& db) {
  return query_column(db, "SELECT arch_id FROM front WHERE run_id = 1 ORDER BY position");
}

// Runs to the end, kills a second run after `kill_after_steps` committed
// steps, resumes it, and compares.
void check_resume(const std::string& strategy, int budget, std::int64_t kill_after_steps) {
  TempDir dir;
  const std::string config = write_config(dir, strategy, budget);
  const std::string whole = (dir / "whole.db").string();
  const std::string cut = (dir / "cut.db").string();

  const auto straight = run_process({nas_binary(), "run", config, "--store", whole, "-q"});
  REQUIRE_MESSAGE(straight.exit_code == 0, straight.err);
  const auto expected = front_of(whole);
  REQUIRE(!expected.empty());

  run_and_kill_after_steps(config, cut, dir.path(), kill_after_steps);
  const std::int64_t steps_at_kill = query_int(cut, "SELECT count(*) FROM steps");
  CHECK(steps_at_kill >= kill_after_steps);
  CHECK(query_column(cut, "SELECT status FROM runs WHERE id = 1") ==
        std::vector<std::string>{"running"});

  // Without --resume the cut-off run is not silently replaced.
  const auto refused = run_process({nas_binary(), "run", config, "--store", cut, "-q"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("was cut off; continue it with --resume") != std::string::npos);

  const auto resumed = run_process({nas_binary(), "run", config, "--store", cut, "-q", "--resume"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  CHECK(query_column(cut, "SELECT status FROM runs WHERE id = 1") ==
        std::vector<std::string>{"finished"});
  CHECK(query_int(cut, "SELECT count(*) FROM sessions WHERE run_id = 1") == 2);
  CHECK(front_of(cut) == expected);

  // Same queried architectures in the same order as the uninterrupted run.
  const std::string history =
      "SELECT arch_id FROM history WHERE run_id = 1 ORDER BY step, position";
  CHECK(query_column(cut, history) == query_column(whole, history));
  CHECK(query_int(cut, "SELECT max(queries) FROM steps") == budget);

  // Nothing was evaluated twice: every evaluator call of both sessions made
  // exactly one stored architecture's values, and the store refuses repeats.
  const std::int64_t calls = query_int(cut, "SELECT sum(evaluator_calls) FROM sessions");
  const std::int64_t evaluated_archs = query_int(cut, "SELECT count(DISTINCT arch_id) FROM evaluations");
  CHECK(calls == evaluated_archs);
  CHECK(calls == query_int(whole, "SELECT sum(evaluator_calls) FROM sessions"));
  CHECK(query_int(cut, "SELECT count(*) FROM evaluations") == 2 * evaluated_archs);
}

TEST_CASE("nsga2: resume after kill -9 gives the uninterrupted front") {
  check_resume("nsga2", 2000, 40);
}

TEST_CASE("evolution: resume after kill -9 gives the uninterrupted front") {
  check_resume("evolution", 2000, 200);
}

TEST_CASE("random: resume after kill -9 gives the uninterrupted front") {
  check_resume("random", 2000, 300);
}

TEST_CASE("a second run on the same store takes every value from the store") {
  TempDir dir;
  const std::string config = write_config(dir, "nsga2", 300);
  const std::string db = (dir / "shared.db").string();
  REQUIRE(run_process({nas_binary(), "run", config, "--store", db, "-q"}).exit_code == 0);
  const auto again = run_process({nas_binary(), "run", config, "--store", db, "-q"});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(query_int(db, "SELECT evaluator_calls FROM sessions WHERE run_id = 2") == 0);
  CHECK(query_int(db, "SELECT cache_hits FROM sessions WHERE run_id = 2") >= 600);
  CHECK(front_of(db) == query_column(db, "SELECT arch_id FROM front WHERE run_id = 2 ORDER BY position"));
}

}  // namespace
}  // namespace nas::test
