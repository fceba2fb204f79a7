// The RL controller through the real `nas` binary: a run killed with SIGKILL
// and resumed proposes the same sequence of candidates as an uninterrupted
// run with the same seed (the policy, Adam's moments, the baseline and the
// generator come back from the store), and the shipped rl config validates.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/interrupted_run.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

std::string write_rl_config(const TempDir& dir, const std::string& controller, int budget) {
  nlohmann::json c = shipped_config("nb201-raspi4-rl");
  c["name"] = "resume-rl-" + controller;
  c["seed"] = 5;
  c["search"]["budget"] = budget;
  c["search"]["controller"] = controller;
  c["search"]["batch"] = 10;  // many steps, so that the kill lands mid-run
  const auto path = dir / (controller + ".json");
  write_file(path, c.dump(2));
  return path.string();
}

void check_rl_resume(const std::string& controller, int budget, std::int64_t kill_after_steps) {
  TempDir dir;
  const std::string config = write_rl_config(dir, controller, budget);
  const std::string whole = (dir / "whole.db").string();
  const std::string cut = (dir / "cut.db").string();

  const auto straight = run_process({nas_binary(), "run", config, "--store", whole, "-q"});
  REQUIRE_MESSAGE(straight.exit_code == 0, straight.err);

  run_and_kill_after_steps(config, cut, dir.path(), kill_after_steps);
  const std::int64_t steps_at_kill = query_int(cut, "SELECT count(*) FROM steps");
  CHECK(steps_at_kill >= kill_after_steps);
  CHECK(steps_at_kill < query_int(whole, "SELECT count(*) FROM steps"));

  const auto resumed = run_process({nas_binary(), "run", config, "--store", cut, "-q", "--resume"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  CHECK(query_int(cut, "SELECT count(*) FROM sessions WHERE run_id = 1") == 2);

  // Every candidate of every step, repeats included, in the order asked.
  const std::string history =
      "SELECT arch_id FROM history WHERE run_id = 1 ORDER BY step, position";
  const auto expected = query_column(whole, history);
  CHECK(expected.size() > static_cast<std::size_t>(budget) / 2);
  CHECK(query_column(cut, history) == expected);
  CHECK(query_column(cut, "SELECT strategy_state FROM steps WHERE run_id = 1 ORDER BY step") ==
        query_column(whole, "SELECT strategy_state FROM steps WHERE run_id = 1 ORDER BY step"));
  CHECK(query_column(cut, "SELECT arch_id FROM front WHERE run_id = 1 ORDER BY position") ==
        query_column(whole, "SELECT arch_id FROM front WHERE run_id = 1 ORDER BY position"));
}

TEST_CASE("rl (factorized): resume after kill -9 asks the same candidates") {
  check_rl_resume("factorized", 1000, 15);
}

TEST_CASE("rl (lstm): resume after kill -9 asks the same candidates") {
  check_rl_resume("lstm", 300, 8);
}

TEST_CASE("the shipped rl configuration validates") {
  const auto r = run_process(
      {nas_binary(), "validate", std::string(NAS_SOURCE_DIR) + "/configs/nb201-raspi4-rl.json"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

}  // namespace
}  // namespace nas::test
