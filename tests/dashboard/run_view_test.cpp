// The dashboard's views of a store: a finished run shows its stored front; a
// run in progress a provisional one drawn from what it queried so far, with
// constraints, predictions and dominance taken into account.
#include "dashboard/run_view.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/nb201_space.h"
#include "results/run_journal.h"
#include "tests/dashboard/view_fixture.h"
#include "tests/support/process.h"

namespace nas {
namespace {

using test::kViewConfig;
using test::view_arch;
using test::view_run;
using test::view_value;

std::vector<std::string> ids_of(const nlohmann::json& front) {
  std::vector<std::string> out;
  for (const auto& m : front["front"]) out.push_back(m["arch_id"]);
  return out;
}

TEST_CASE("a run in progress shows a provisional front; a finished one its stored front") {
  test::TempDir dir;
  const std::string path = (dir / "view.db").string();
  const SearchSpace space = nb201_space();
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(view_run());
  RunJournal journal(writer, run, writer.begin_session(run));

  // acc, ms: A and B and F are the front; C is dominated by A; D breaks the
  // constraint; E's accuracy is only predicted; F's prediction is ignored.
  const std::vector<std::pair<int, std::vector<Evaluation>>> candidates = {
      {1, {view_value("cifar10_test_acc", 90), view_value("raspi4_ms", 20)}},                 // A
      {2, {view_value("cifar10_test_acc", 85), view_value("raspi4_ms", 10)}},                 // B
      {3, {view_value("cifar10_test_acc", 80), view_value("raspi4_ms", 25)}},                 // C
      {4, {view_value("cifar10_test_acc", 95), view_value("raspi4_ms", 40)}},                 // D
      {5, {view_value("cifar10_test_acc", 99, Source::kPredicted), view_value("raspi4_ms", 5)}},  // E
      {6, {view_value("cifar10_test_acc", 92), view_value("cifar10_test_acc", 50, Source::kPredicted),
           view_value("raspi4_ms", 22)}},                                                // F
  };
  std::vector<HistoryEntry> entries;
  std::vector<std::string> ids;
  for (const auto& [i, evaluations] : candidates) {
    journal.record(space, view_arch(i), evaluations);
    ids.push_back(space.id(view_arch(i)));
    entries.push_back({ids.back(), {}, true});
  }
  StepRecord step;
  step.step = 1;
  step.queries = static_cast<std::int64_t>(candidates.size());
  step.strategy_state = nlohmann::json::object();
  step.entries = entries;
  journal.commit_step(step);

  const Store reader = Store::open(path, StoreMode::kReadOnly);
  const auto live = front_json(reader, run);
  REQUIRE(live);
  CHECK((*live)["provisional"] == true);
  CHECK((*live)["status"] == "running");
  // Best first by the first objective (accuracy, maximised).
  CHECK(ids_of(*live) == std::vector<std::string>{ids[5], ids[0], ids[1]});
  const auto& f = (*live)["front"][0];
  CHECK(f["position"] == 1);
  CHECK(f["values"]["cifar10_test_acc"]["value"] == 92.0);
  CHECK(f["values"]["cifar10_test_acc"]["source"] == "tabular");
  CHECK(f["values"]["raspi4_ms"]["value"] == 22.0);
  CHECK(f["label"].get<std::string>().find('|') != std::string::npos);

  const auto progress = run_json(reader, run);
  REQUIRE(progress);
  CHECK((*progress)["progress"]["queries"] == 6);
  CHECK((*progress)["progress"]["budget"] == 50);
  CHECK((*progress)["progress"]["evaluator_calls"] == 6);
  CHECK((*progress)["progress"]["hit_rate"] == 0.0);
  CHECK((*progress)["constraints"] == nlohmann::json::array({"raspi4_ms <= 30"}));
  CHECK((*progress)["objectives"][0] ==
        nlohmann::json{{"metric", "cifar10_test_acc"}, {"goal", "maximize"}, {"kind", "accuracy"}});
  CHECK((*progress)["objectives"][1] ==
        nlohmann::json{{"metric", "raspi4_ms"}, {"goal", "minimize"}, {"kind", "latency"}});

  // The stored front wins once written, in its own order.
  writer.write_front(run, {ids[1], ids[0]});
  writer.finish_run(run);
  const auto done = front_json(reader, run);
  CHECK((*done)["provisional"] == false);
  CHECK(ids_of(*done) == std::vector<std::string>{ids[1], ids[0]});
  CHECK((*run_json(reader, run))["status"] == "finished");

  CHECK_FALSE(front_json(reader, run + 1));
  CHECK_FALSE(run_json(reader, run + 1));
  CHECK(runs_json(reader)["runs"].size() == 1);
}

TEST_CASE("a finished run without a stored front shows none, not a provisional one") {
  test::TempDir dir;
  const std::string path = (dir / "empty.db").string();
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(view_run());
  writer.finish_run(run);
  const auto front = front_json(writer, run);
  CHECK((*front)["provisional"] == false);
  CHECK((*front)["front"].empty());
}

TEST_CASE("a configuration this build cannot read leaves a note, and the summary") {
  test::TempDir dir;
  const std::string path = (dir / "old.db").string();
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(view_run(R"({"space": {"type": "nb999"}})"));
  const auto summary = run_json(writer, run);
  CHECK((*summary)["note"].get<std::string>().find("cannot be read by this build") !=
        std::string::npos);
  CHECK((*summary)["progress"]["budget"].is_null());
  CHECK((*summary)["objectives"].empty());
  const auto front = front_json(writer, run);
  CHECK((*front)["front"].empty());
  CHECK((*front).contains("note"));
}

}  // namespace
}  // namespace nas
