// The supernet training's record: schema version 4's table, written by
// record_training and read back by training(); older stores migrate to it.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "core/errors.h"
#include "results/report.h"
#include "results/schema.h"
#include "results/store.h"
#include "test_util.h"

namespace nas {
namespace {

using test::RawDb;
using test::TempDir;

TrainProgress step_report(std::int64_t epoch, std::int64_t step) {
  TrainProgress p;
  p.epoch = epoch;
  p.epochs = 2;
  p.step = step;
  p.steps = 10;
  p.images_done = ((epoch - 1) * 10 + step) * 64;
  p.images_total = 2 * 10 * 64;
  p.loss = 2.0 / static_cast<double>(step);
  p.loss_largest = 1.5;
  p.loss_smallest = 2.5;
  p.learning_rate = 0.05;
  p.images_per_second = 812.5;
  return p;
}

TEST_CASE("training reports are kept in order, epoch ends with their validation accuracies") {
  TempDir dir;
  const std::string path = dir.file("t.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    const auto run = store.begin_run(test::run_info("t", R"({"name":"t"})"));
    const auto session = store.begin_session(run);
    store.record_training(run, session, step_report(1, 5));
    TrainProgress end = step_report(1, 10);
    end.epoch_end = true;
    end.val_acc_largest = 0.81;
    end.val_acc_smallest = 0.74;
    store.record_training(run, session, end);
    store.record_training(run, session, step_report(2, 3));
    CHECK_THROWS_WITH_AS(store.record_training(run, session + 7, step_report(2, 4)),
                         doctest::Contains("has no session"), UsageError);
  }
  const Store store = Store::open(path, StoreMode::kReadOnly);
  const std::vector<TrainProgress> rows = store.training(1);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].step == 5);
  CHECK_FALSE(rows[0].epoch_end);
  CHECK_FALSE(rows[0].val_acc_largest);
  CHECK(rows[1].epoch_end);
  CHECK(rows[1].val_acc_largest == doctest::Approx(0.81));
  CHECK(rows[1].val_acc_smallest == doctest::Approx(0.74));
  CHECK(rows[1].images_done == 640);
  CHECK(rows[2].epoch == 2);
  CHECK(rows[2].images_per_second == doctest::Approx(812.5));
  CHECK(rows[2].loss_largest == doctest::Approx(1.5));
  CHECK(rows[2].learning_rate == doctest::Approx(0.05));
  CHECK(store.training(2).empty());
}

TEST_CASE("the report prints the training's table, one row per epoch from its closing report") {
  TempDir dir;
  const std::string path = dir.file("r.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    const auto run = store.begin_run(test::run_info("t", R"({"name":"t"})"));
    const auto session = store.begin_session(run);
    for (std::int64_t epoch = 1; epoch <= 2; ++epoch) {
      store.record_training(run, session, step_report(epoch, 4));
      TrainProgress end = step_report(epoch, 10);
      end.epoch_end = true;
      end.loss_largest = 1.25 / static_cast<double>(epoch);
      end.val_acc_largest = 0.5 + 0.125 * static_cast<double>(epoch);
      end.val_acc_smallest = 0.5;
      store.record_training(run, session, end);
    }
  }
  const Store store = Store::open(path, StoreMode::kReadOnly);
  // Table cells are padded: compare with runs of spaces squeezed to one.
  std::string md;
  for (char c : render_report(store, std::nullopt, ReportFormat::kMarkdown)) {
    if (!(c == ' ' && !md.empty() && md.back() == ' ')) md += c;
  }
  CHECK(md.find("### Supernet training") != std::string::npos);
  CHECK(md.find("| epoch | ") != std::string::npos);
  CHECK(md.find("| 1/2 | 0.2000 | 1.2500 | 2.5000 | 0.05000 | 812 | 62.50 | 50.00 |") !=
        std::string::npos);
  CHECK(md.find("| 2/2 | 0.2000 | 0.6250 | 2.5000 | 0.05000 | 812 | 75.00 | 50.00 |") !=
        std::string::npos);

  // The JSON report carries the same epochs, as fractions.
  const nlohmann::json json =
      nlohmann::json::parse(render_report(store, std::nullopt, ReportFormat::kJson));
  const nlohmann::json& epochs = json["runs"][0]["training_epochs"];
  REQUIRE(epochs.size() == 2);
  CHECK(epochs[1]["epoch"] == 2);
  CHECK(epochs[1]["epoch_end"] == true);
  CHECK(epochs[1]["loss_largest"].get<double>() == doctest::Approx(0.625));
  CHECK(epochs[1]["val_acc_largest"].get<double>() == doctest::Approx(0.75));
}

TEST_CASE("training reports move the session's time, so a training run's wall time grows") {
  TempDir dir;
  const std::string path = dir.file("w.db");
  Store store = Store::open(path, StoreMode::kReadWrite);
  const auto run = store.begin_run(test::run_info("w", R"({"name":"w"})"));
  const auto session = store.begin_session(run);
  {
    RawDb raw(path);
    raw.exec("UPDATE sessions SET started_at = started_at - 30, updated_at = updated_at - 30");
  }
  CHECK(store.run(run)->wall_seconds < 1);
  store.record_training(run, session, step_report(1, 1));
  CHECK(store.run(run)->wall_seconds >= 29);
}

TEST_CASE("a store of schema version 3 migrates to the training table and keeps its runs") {
  TempDir dir;
  const std::string path = dir.file("v3.db");
  {
    RawDb raw(path);
    raw.exec("PRAGMA application_id = " + std::to_string(kStoreApplicationId));
    raw.exec("BEGIN");
    for (int v = 0; v < 3; ++v) raw.exec(migrations().at(static_cast<std::size_t>(v)).sql);
    raw.exec("PRAGMA user_version = 3");
    raw.exec("COMMIT");
    raw.exec("INSERT INTO runs (name, config_json, config_hash, code_version, seed, strategy,"
             " created_at) VALUES ('old', '{}', 'h', '0.0.1', 5, 'random', 1)");
  }
  Store store = Store::open(path, StoreMode::kReadWrite);
  CHECK(store.schema_version() == current_schema_version());
  REQUIRE(store.run(1));
  CHECK(store.run(1)->name == "old");
  CHECK(store.training(1).empty());
  store.record_training(1, store.begin_session(1), step_report(1, 1));
  CHECK(store.training(1).size() == 1);
}

}  // namespace
}  // namespace nas
