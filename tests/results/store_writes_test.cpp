// The store's public write API for a run's journal (record_evaluations,
// write_step, last_step, session_run), driven directly on real SQLite files.
#include "results/store.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "test_util.h"

namespace nas {
namespace {

Evaluation value_of(const std::string& metric, Source source, std::optional<double> value,
                    const std::string& device = "") {
  Evaluation e;
  e.key.metric = metric;
  e.key.source = source;
  e.key.device = device;
  e.value = value;
  return e;
}

// One session of one fresh run in a new store file.
struct RunFixture {
  test::TempDir dir;
  std::string path = dir.file("run.db");
  SearchSpace space = nb201_space();
  Store store = Store::open(path, StoreMode::kReadWrite);
  std::int64_t run = store.begin_run(test::run_info("r"));
  std::int64_t session = store.begin_session(run);
};

TEST_CASE("session_run names the run a session belongs to, and nothing for an unknown one") {
  RunFixture f;
  CHECK(f.store.session_run(f.session) == f.run);
  CHECK_FALSE(f.store.session_run(f.session + 100).has_value());
}

TEST_CASE("record_evaluations stores the arch once, one measurement per record, and counts one call per arch and session") {
  RunFixture f;
  const Arch arch = test::nb201_arch(2);
  const std::string id = f.space.id(arch);
  auto job = std::make_shared<MeasurementRecord>();
  job->device = "pi";
  job->backend = "torch";
  job->median_ms = 4.5;
  job->energy_mj = 12.0;
  job->samples_ms = {4.4, 4.5, 4.6};
  Evaluation latency = value_of("pi_ms", Source::kMeasured, 4.5, "pi");
  Evaluation energy = value_of("pi_mj", Source::kMeasured, 12.0, "pi");
  latency.measurement = energy.measurement = job;

  f.store.record_evaluations(f.run, f.session, f.space, arch,
                             {latency, energy, value_of("macs", Source::kAnalytic, 7e6)});
  f.store.record_evaluations(f.run, f.session, f.space, arch,
                             {value_of("params", Source::kAnalytic, 3e5)});

  const std::vector<Evaluation> found = f.store.evaluations(id);
  REQUIRE(found.size() == 4);
  REQUIRE(found[0].measurement);
  CHECK(found[0].measurement == found[1].measurement);  // one row, shared on reading too
  CHECK(found[0].measurement->median_ms == 4.5);
  CHECK(found[0].measurement->energy_mj == 12.0);
  CHECK_FALSE(found[2].measurement);
  const auto stored = f.store.arch(id);
  REQUIRE(stored.has_value());
  CHECK(stored->canonical_json == f.space.canonical_json(arch));
  CHECK(stored->macs == 7e6);
  CHECK(stored->params == 3e5);
  // Two records of one architecture in one session (a batch stores each value
  // as it arrives) are one evaluator call; another architecture is a second.
  CHECK(f.store.run(f.run)->evaluator_calls == 1);
  f.store.record_evaluations(f.run, f.session, f.space, test::nb201_arch(3),
                             {value_of("params", Source::kAnalytic, 2e5)});
  CHECK(f.store.run(f.run)->evaluator_calls == 2);

  test::RawDb raw(f.path);
  CHECK(raw.query_int("SELECT count(*) FROM archs") == 2);  // the first stored once
  CHECK(raw.query_int("SELECT count(*) FROM measurements") == 1);
  CHECK(raw.text("SELECT samples_json FROM measurements") == "[4.4,4.5,4.6]");
}

TEST_CASE("record_evaluations rolls back the whole call when one evaluation repeats") {
  RunFixture f;
  const Arch arch = test::nb201_arch(4);
  f.store.record_evaluations(f.run, f.session, f.space, arch,
                             {value_of("acc", Source::kTabular, 90.0)});
  auto job = std::make_shared<MeasurementRecord>();
  Evaluation latency = value_of("pi_ms", Source::kMeasured, 3.0, "pi");
  latency.measurement = job;
  CHECK_THROWS_WITH_AS(
      f.store.record_evaluations(f.run, f.session, f.space, arch,
                                 {latency, value_of("acc", Source::kTabular, 91.0)}),
      doctest::Contains(("store " + f.path + ": architecture " + f.space.id(arch) +
                         " already has a stored evaluation of acc (tabular)")
                            .c_str()),
      nas::Error);
  CHECK(f.store.evaluations(f.space.id(arch)).size() == 1);
  CHECK(f.store.measurement_counts(f.run).empty());
  CHECK(f.store.run(f.run)->evaluator_calls == 1);
}

TEST_CASE("write_step then last_step round trip; a repeated step number is refused") {
  RunFixture f;
  CHECK_FALSE(f.store.last_step(f.run).has_value());
  const std::string a = f.space.id(test::nb201_arch(1));
  const std::string b = f.space.id(test::nb201_arch(2));
  StepRecord step;
  step.step = 1;
  step.queries = 2;
  step.cache_hits = 3;
  step.strategy_state = {{"rng", "1 2"}};
  step.entries = {{a, {}, true}, {b, {a}, true}};
  f.store.write_step(f.run, f.session, step);

  const auto last = f.store.last_step(f.run);
  REQUIRE(last.has_value());
  CHECK(last->step == 1);
  CHECK(last->queries == 2);
  CHECK(last->cache_hits == 3);
  CHECK(last->strategy_state == step.strategy_state);
  REQUIRE(last->entries.size() == 2);
  CHECK(last->entries[1].parent_ids == std::vector<std::string>{a});
  CHECK(f.store.queried_archs(f.run) == std::vector<std::string>{a, b});
  CHECK(f.store.run(f.run)->cache_hits == 3);

  CHECK_THROWS_WITH_AS(f.store.write_step(f.run, f.session, step),
                       doctest::Contains(("step 1 of run " + std::to_string(f.run) +
                                          " is already committed")
                                             .c_str()),
                       nas::Error);
  CHECK(f.store.run(f.run)->cache_hits == 3);  // rolled back with it
}

TEST_CASE("the journal's writes refuse a read-only store and leave it unchanged") {
  test::TempDir dir;
  const std::string path = dir.file("run.db");
  std::int64_t run = 0;
  std::int64_t session = 0;
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    run = store.begin_run(test::run_info("r"));
    session = store.begin_session(run);
  }
  Store reader = Store::open(path, StoreMode::kReadOnly);
  const SearchSpace space = nb201_space();
  CHECK_THROWS_WITH_AS(
      reader.record_evaluations(run, session, space, test::nb201_arch(0),
                                {value_of("acc", Source::kTabular, 1.0)}),
      doctest::Contains("opened read-only, cannot record evaluations"), nas::UsageError);
  StepRecord step;
  step.step = 1;
  CHECK_THROWS_WITH_AS(reader.write_step(run, session, step),
                       doctest::Contains("opened read-only, cannot commit a step"),
                       nas::UsageError);
  CHECK_FALSE(reader.last_step(run).has_value());
  CHECK(reader.queried_archs(run).empty());
}

}  // namespace
}  // namespace nas
