// The dashboard's search view: every candidate with its feasibility and the
// hypervolume by queries, the training's progress with its ETA, and one
// architecture's values.
#include "dashboard/search_view.h"

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

TEST_CASE("candidates: every query with its feasibility, and the hypervolume they reach") {
  test::TempDir dir;
  const std::string path = (dir / "s.db").string();
  const SearchSpace space = nb201_space();
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(view_run());
  RunJournal journal(writer, run, writer.begin_session(run));
  // acc, ms: A and B on the front, C dominated, D breaks the constraint, E's
  // accuracy only predicted.
  const std::vector<std::vector<Evaluation>> values = {
      {view_value("cifar10_test_acc", 90), view_value("raspi4_ms", 20)},
      {view_value("cifar10_test_acc", 85), view_value("raspi4_ms", 10)},
      {view_value("cifar10_test_acc", 80), view_value("raspi4_ms", 25)},
      {view_value("cifar10_test_acc", 95), view_value("raspi4_ms", 40)},
      {view_value("cifar10_test_acc", 99, Source::kPredicted), view_value("raspi4_ms", 5)},
  };
  StepRecord step;
  step.step = 1;
  step.queries = static_cast<std::int64_t>(values.size());
  step.strategy_state = nlohmann::json::object();
  for (std::size_t i = 0; i < values.size(); ++i) {
    journal.record(space, view_arch(static_cast<int>(i) + 1), values[i]);
    step.entries.push_back({space.id(view_arch(static_cast<int>(i) + 1)), {}, true});
  }
  journal.commit_step(step);

  const Store reader = Store::open(path, StoreMode::kReadOnly);
  const auto view = candidates_json(reader, run);
  REQUIRE(view);
  const auto& candidates = (*view)["candidates"];
  REQUIRE(candidates.size() == 5);
  CHECK(candidates[0]["arch_id"] == space.id(view_arch(1)));
  CHECK(candidates[0]["values"]["cifar10_test_acc"] == 90.0);
  std::vector<bool> feasible;
  for (const auto& c : candidates) feasible.push_back(c["feasible"].get<bool>());
  CHECK(feasible == std::vector<bool>{true, true, true, false, false});
  CHECK(candidates[4]["values"]["cifar10_test_acc"].is_null());  // a prediction is not shown
  // Reference: 10% of the feasible range beyond the worst, in each objective's sense.
  CHECK((*view)["hypervolume"]["reference"][0] == doctest::Approx(79.0));
  CHECK((*view)["hypervolume"]["reference"][1] == doctest::Approx(26.5));
  const auto& curve = (*view)["hypervolume"]["points"];
  REQUIRE(curve.size() == 5);
  CHECK(curve[0][1] == doctest::Approx(11 * 6.5));        // A alone
  CHECK(curve[4][0] == 5);
  CHECK(curve[4][1] == doctest::Approx(71.5 + 99 - 39));  // A and B; C adds nothing
  CHECK_FALSE(candidates_json(reader, run + 1));
}

TEST_CASE("training: the reports, each epoch's end, and an ETA while it goes on") {
  test::TempDir dir;
  const std::string path = (dir / "t.db").string();
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(view_run());
  const std::int64_t session = writer.begin_session(run);
  const Store reader = Store::open(path, StoreMode::kReadOnly);
  CHECK((*training_json(reader, run))["latest"].is_null());

  TrainProgress p;
  p.epoch = 1;
  p.epochs = 2;
  p.step = 5;
  p.steps = 10;
  p.images_done = 640;
  p.images_total = 1280;
  p.loss_largest = 1.5;
  p.images_per_second = 800;
  TrainProgress end = p;
  end.step = 10;
  end.epoch_end = true;
  end.val_acc_largest = 0.8;
  end.val_acc_smallest = 0.6;
  writer.record_training(run, session, end);
  writer.record_training(run, session, p);
  const auto view = training_json(reader, run);
  REQUIRE(view);
  CHECK((*view)["training"] == true);
  CHECK((*view)["eta_seconds"] == doctest::Approx(640.0 / 800));
  REQUIRE((*view)["epochs"].size() == 1);
  CHECK((*view)["epochs"][0]["val_acc_largest"] == 0.8);
  CHECK((*view)["reports"].size() == 1);
  CHECK((*view)["latest"]["loss_largest"] == 1.5);

  writer.finish_run(run);
  const auto done = training_json(reader, run);
  CHECK((*done)["training"] == false);
  CHECK((*done)["eta_seconds"].is_null());
}

TEST_CASE("an architecture's values, every source") {
  test::TempDir dir;
  const std::string path = (dir / "a.db").string();
  const SearchSpace space = nb201_space();
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(view_run());
  RunJournal journal(writer, run, writer.begin_session(run));
  journal.record(space, view_arch(1), {view_value("cifar10_test_acc", 90), view_value("raspi4_ms", 20),
                                  view_value("raspi4_ms", 19, Source::kPredicted)});
  const Store reader = Store::open(path, StoreMode::kReadOnly);
  const auto a = arch_values_json(reader, space.id(view_arch(1)));
  REQUIRE(a);
  CHECK((*a)["space"] == "nb201");
  CHECK((*a)["architecture"].is_object());
  CHECK((*a)["values"].size() == 3);
  CHECK_FALSE(arch_values_json(reader, "0000000000000000"));
}

}  // namespace
}  // namespace nas
