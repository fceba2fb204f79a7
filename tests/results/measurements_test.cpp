// Schema v2: the measurements table, its link from evaluations, the arch
// costs, and the migration of a v1 store.
#include <sqlite3.h>

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/errors.h"
#include "results/run_journal.h"
#include "results/schema.h"
#include "results/store.h"
#include "test_util.h"

namespace nas {
namespace {

using test::TempDir;

using test::RawDb;

std::shared_ptr<MeasurementRecord> measurement(double median, std::optional<double> energy_mj) {
  auto m = std::make_shared<MeasurementRecord>();
  m->device = "cpu-ws";
  m->backend = "torch";
  m->protocol = "0123456789abcdef";
  m->runner = "ws-1";
  m->batch = 1;
  m->threads = 4;
  m->median_ms = median;
  m->p90_ms = median + 0.4;
  m->mean_ms = median + 0.1;
  m->std_ms = 0.25;
  m->min_ms = median - 0.3;
  m->samples_ms = {median - 0.5, median, median + 0.5};
  m->energy_mj = energy_mj;
  if (energy_mj) {
    m->idle_watts = 3.5;
    m->active_watts = 9.25;
  }
  m->environment = {{"governors", {"performance"}}};
  return m;
}

Evaluation measured(const std::string& metric, std::optional<double> value,
                    std::shared_ptr<const MeasurementRecord> m) {
  Evaluation e;
  e.key = {metric, Source::kMeasured, "cpu-ws", "0123456789abcdef"};
  e.value = value;
  if (!value) e.note = "not measured: the runner has no power meter";
  e.measurement = std::move(m);
  return e;
}

Evaluation analytic(const std::string& metric, double value) {
  Evaluation e;
  e.key = {metric, Source::kAnalytic, "", ""};
  e.value = value;
  return e;
}

TEST_CASE("a job's latency and energy share one measurements row, linked from both") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  const SearchSpace space = nb201_space();
  const Arch arch = test::nb201_arch(4);
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    const auto run = store.begin_run(test::run_info("m"));
    RunJournal journal(store, run, store.begin_session(run));
    const auto m = measurement(12.5, std::nullopt);  // no meter
    journal.record(space, arch,
                   {measured("cpu-ws_ms", 12.5, m), measured("cpu-ws_mj", std::nullopt, m),
                    analytic("macs", 4.1e6), analytic("params", 3.2e5)});
  }
  RawDb raw(path);
  CHECK(raw.text("SELECT count(*) FROM measurements") == "1");
  CHECK(raw.text("SELECT count(DISTINCT measurement_id) FROM evaluations"
                 " WHERE measurement_id IS NOT NULL") == "1");
  CHECK(raw.text("SELECT count(*) FROM evaluations WHERE measurement_id IS NOT NULL") == "2");
  // Energy that was not measured is absent, not zero.
  CHECK(raw.text("SELECT energy_mj FROM measurements") == "<null>");
  CHECK(raw.text("SELECT idle_watts FROM measurements") == "<null>");
  CHECK(raw.text("SELECT samples_json FROM measurements") == "[12.0,12.5,13.0]");
  CHECK(raw.text("SELECT runner || ' ' || backend || ' ' || threads FROM measurements") ==
        "ws-1 torch 4");
  CHECK(raw.text("SELECT macs FROM archs") == "4100000.0");
  CHECK(raw.text("SELECT params FROM archs") == "320000.0");

  Store store = Store::open(path, StoreMode::kReadOnly);
  const auto values = store.evaluations(space.id(arch));
  REQUIRE(values.size() == 4);
  REQUIRE(values[0].measurement);
  CHECK(values[0].measurement == values[1].measurement);  // one record for the job
  CHECK(values[0].measurement->p90_ms == doctest::Approx(12.9));
  CHECK(values[0].measurement->std_ms == doctest::Approx(0.25));
  CHECK(values[0].measurement->runner == "ws-1");
  CHECK_FALSE(values[0].measurement->energy_mj.has_value());
  CHECK(values[0].measurement->environment["governors"][0] == "performance");
  CHECK_FALSE(values[2].measurement);
  const auto arch_row = store.arch(space.id(arch));
  REQUIRE(arch_row);
  CHECK(arch_row->macs == doctest::Approx(4.1e6));
}

TEST_CASE("a measurement is stored with its evaluations or not at all") {
  TempDir dir;
  const std::string path = dir.file("atomic.db");
  const SearchSpace space = nb201_space();
  Store store = Store::open(path, StoreMode::kReadWrite);
  const auto run = store.begin_run(test::run_info("atomic"));
  RunJournal journal(store, run, store.begin_session(run));
  const auto first = measurement(10.0, 2.5);
  journal.record(space, test::nb201_arch(1), {measured("cpu-ws_ms", 10.0, first)});
  // A repeat of a stored evaluation fails the whole call: its new
  // measurement row must not stay behind.
  const auto second = measurement(11.0, 2.5);
  CHECK_THROWS_WITH_AS(journal.record(space, test::nb201_arch(1),
                                      {measured("cpu-ws_mj", 2.5, second),
                                       measured("cpu-ws_ms", 11.0, second)}),
                       doctest::Contains("never stored twice"), nas::Error);
  RawDb raw(path);
  CHECK(raw.text("SELECT count(*) FROM measurements") == "1");
  CHECK(raw.text("SELECT median_ms FROM measurements") == "10.0");
  CHECK(raw.text("SELECT energy_mj FROM measurements") == "2.5");
  const auto counts = store.measurement_counts(run);
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].device == "cpu-ws");
  CHECK(counts[0].count == 1);
  CHECK(counts[0].with_energy == 1);
}

TEST_CASE("a v1 store migrates to v2 and keeps everything it had") {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  const SearchSpace space = nb201_space();
  const Arch arch = test::nb201_arch(2);
  {
    RawDb raw(path);
    raw.exec("PRAGMA application_id = " + std::to_string(kStoreApplicationId));
    raw.exec("BEGIN");
    raw.exec(migrations().at(0).sql);
    raw.exec("PRAGMA user_version = 1");
    raw.exec("COMMIT");
    raw.exec("INSERT INTO runs (name, config_json, config_hash, code_version, seed, strategy,"
             " created_at) VALUES ('old', '{}', 'h', '0.0.1', 5, 'random', 1)");
    raw.exec("INSERT INTO archs VALUES ('" + space.id(arch) + "', 'nb201', '" +
             space.canonical_json(arch) + "')");
    raw.exec("INSERT INTO evaluations (arch_id, metric, source, device, fidelity, value,"
             " run_id, created_at) VALUES ('" + space.id(arch) +
             "', 'raspi4_ms', 'tabular', 'raspi4', 'nb201', 21.5, 1, 1)");
  }
  // Read-only opens refuse an old schema, and leave it as it was.
  CHECK_THROWS_WITH_AS(Store::open(path, StoreMode::kReadOnly),
                       doctest::Contains("schema version 1 is older"), nas::Error);
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    CHECK(store.schema_version() == current_schema_version());
    const auto values = store.evaluations(space.id(arch));
    REQUIRE(values.size() == 1);
    CHECK(values[0].value == doctest::Approx(21.5));
    CHECK_FALSE(values[0].measurement);
    const auto run = store.run(1);
    REQUIRE(run);
    CHECK(run->name == "old");
    CHECK_FALSE(run->supernet_seconds.has_value());
    // The new tables and columns work on the migrated file.
    const auto session = store.begin_session(1);
    RunJournal journal(store, 1, session);
    journal.record(space, arch, {measured("cpu-ws_ms", 9.0, measurement(9.0, std::nullopt))});
    store.record_supernet(1, 12.5, "cpu");
    store.record_supernet(1, 2.5, "cpu");  // a resumed session adds its share
    CHECK(store.run(1)->supernet_seconds == doctest::Approx(15.0));
    CHECK(store.run(1)->supernet_device == "cpu");
  }
  RawDb raw(path);
  CHECK(raw.text("PRAGMA user_version") == std::to_string(current_schema_version()));
  CHECK(raw.text("SELECT count(*) FROM measurements") == "1");
  CHECK(raw.text("SELECT value FROM evaluations WHERE metric = 'raspi4_ms'") == "21.5");
}

}  // namespace
}  // namespace nas
