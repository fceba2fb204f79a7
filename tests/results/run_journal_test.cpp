#include "results/run_journal.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "test_util.h"

namespace nas {
namespace {

using test::TempDir;

Evaluation tabular(const std::string& metric, std::optional<double> value,
                   const std::string& note = "") {
  Evaluation e;
  e.key.metric = metric;
  e.key.source = Source::kTabular;
  e.key.fidelity = "nb201";
  e.value = value;
  e.note = note;
  return e;
}

Evaluation measured(const std::string& metric, double value, const std::string& device) {
  Evaluation e;
  e.key.metric = metric;
  e.key.source = Source::kMeasured;
  e.key.device = device;
  e.key.fidelity = "warmup10-repeat50";
  e.value = value;
  return e;
}

StepRecord make_step(std::int64_t number, std::int64_t queries, std::int64_t hits,
                     std::vector<HistoryEntry> entries) {
  StepRecord step;
  step.step = number;
  step.queries = queries;
  step.cache_hits = hits;
  step.strategy_state = {{"generation", number},
                         {"rng", "12345 678"},
                         {"population", {{{"arch", {1, 2, 3}}, {"fitness", {0.5, -1.25}}}}}};
  step.entries = std::move(entries);
  return step;
}

struct Fixture {
  TempDir dir;
  std::string path = dir.file("run.db");
  SearchSpace space = nb201_space();
};

TEST_CASE("record then find returns every stored evaluation, values and notes") {
  Fixture f;
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  const std::int64_t session = store.begin_session(run);
  RunJournal journal(store, run, session);

  const Arch arch = test::nb201_arch(3);
  const std::string id = f.space.id(arch);
  CHECK(journal.find(id).empty());

  journal.record(f.space, arch,
                 {tabular("cifar10_test_acc", 93.37), tabular("raspi4_ms", std::nullopt, "degenerate"),
                  measured("cpu_ms", 1.5, "workstation")});
  const std::vector<Evaluation> found = journal.find(id);
  REQUIRE(found.size() == 3);
  CHECK(found[0].key == tabular("cifar10_test_acc", 0).key);
  CHECK(found[0].value == 93.37);
  CHECK(found[1].key.metric == "raspi4_ms");
  CHECK_FALSE(found[1].value.has_value());
  CHECK(found[1].note == "degenerate");
  CHECK(found[2].key.source == Source::kMeasured);
  CHECK(found[2].key.device == "workstation");
  CHECK(found[2].key.fidelity == "warmup10-repeat50");
  CHECK(store.arch_json(id) == f.space.canonical_json(arch));
  CHECK(journal.arch_json(id) == f.space.canonical_json(arch));
  CHECK_THROWS_WITH_AS(journal.arch_json("0000000000000000"),
                       doctest::Contains("architecture 0000000000000000 was never recorded"),
                       nas::Error);

  // Another run's journal finds them too: the store is a cache across runs.
  const std::int64_t run2 = store.begin_run(test::run_info("other"));
  RunJournal journal2(store, run2, store.begin_session(run2));
  CHECK(journal2.find(id).size() == 3);

  // A second record for the same arch with a new key is fine and reuses the arch row.
  journal2.record(f.space, arch, {measured("cpu_ms", 1.4, "jetson-nano")});
  CHECK(journal.find(id).size() == 4);

  CHECK(store.run(run)->evaluator_calls == 1);
  CHECK(store.run(run2)->evaluator_calls == 1);
}

TEST_CASE("a repeated evaluation insert throws and stores nothing of that call") {
  Fixture f;
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  RunJournal journal(store, run, store.begin_session(run));
  const Arch arch = test::nb201_arch(1);
  journal.record(f.space, arch, {tabular("cifar10_test_acc", 90.0)});

  CHECK_THROWS_WITH_AS(
      journal.record(f.space, arch, {tabular("raspi4_ms", 12.0), tabular("cifar10_test_acc", 91.0)}),
      doctest::Contains("already has a stored evaluation of cifar10_test_acc (tabular, nb201)"),
      nas::Error);
  // The whole call was rolled back: no raspi4_ms row, no extra evaluator call.
  const auto found = journal.find(f.space.id(arch));
  REQUIRE(found.size() == 1);
  CHECK(found[0].value == 90.0);
  CHECK(store.run(run)->evaluator_calls == 1);
}

TEST_CASE("commit_step and last_step round trip, strategy state included") {
  Fixture f;
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  RunJournal journal(store, run, store.begin_session(run));
  CHECK_FALSE(journal.last_step().has_value());

  const std::string a = f.space.id(test::nb201_arch(1));
  const std::string b = f.space.id(test::nb201_arch(2));
  const std::string c = f.space.id(test::nb201_arch(3));
  journal.commit_step(make_step(1, 2, 0, {{a, {}, true}, {b, {}, true}}));
  const StepRecord second = make_step(2, 3, 4, {{c, {a, b}, true}, {a, {c}, false}});
  journal.commit_step(second);

  const auto last = journal.last_step();
  REQUIRE(last.has_value());
  CHECK(last->step == 2);
  CHECK(last->queries == 3);
  CHECK(last->cache_hits == 4);
  CHECK(last->strategy_state == second.strategy_state);
  REQUIRE(last->entries.size() == 2);
  CHECK(last->entries[0].arch_id == c);
  CHECK(last->entries[0].parent_ids == std::vector<std::string>{a, b});
  CHECK(last->entries[0].new_query);
  CHECK(last->entries[1].arch_id == a);
  CHECK(last->entries[1].parent_ids == std::vector<std::string>{c});
  CHECK_FALSE(last->entries[1].new_query);

  CHECK_THROWS_WITH_AS(journal.commit_step(make_step(2, 3, 0, {})),
                       doctest::Contains("step 2 of run"), nas::Error);

  const auto summary = store.run(run);
  CHECK(summary->steps == 2);
  CHECK(summary->queries == 3);
  CHECK(summary->cache_hits == 4);
  CHECK(summary->wall_seconds >= 0);
}

TEST_CASE("only the last committed step keeps its strategy state, so the store grows linearly") {
  Fixture f;
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  RunJournal journal(store, run, store.begin_session(run));
  const std::string a = f.space.id(test::nb201_arch(1));
  for (std::int64_t step = 1; step <= 5; ++step) journal.commit_step(make_step(step, step, 0, {{a, {}, step == 1}}));

  test::RawDb raw(f.path);
  CHECK(raw.query_int("SELECT count(*) FROM steps") == 5);
  CHECK(raw.query_int("SELECT count(*) FROM steps WHERE strategy_state <> ''") == 1);
  CHECK(raw.query_int("SELECT step FROM steps WHERE strategy_state <> ''") == 5);
  CHECK(journal.last_step()->strategy_state == make_step(5, 5, 0, {}).strategy_state);
}

TEST_CASE("queried_archs lists new queries once, in the order first queried") {
  Fixture f;
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  RunJournal journal(store, run, store.begin_session(run));
  const std::string a = f.space.id(test::nb201_arch(10));
  const std::string b = f.space.id(test::nb201_arch(4));
  const std::string c = f.space.id(test::nb201_arch(7));
  journal.commit_step(make_step(1, 2, 0, {{b, {}, true}, {a, {}, true}}));
  journal.commit_step(make_step(2, 2, 1, {{a, {}, false}}));
  journal.commit_step(make_step(3, 3, 0, {{a, {}, false}, {c, {b}, true}}));
  CHECK(journal.queried_archs() == std::vector<std::string>{b, a, c});

  // Another run's history stays its own.
  const std::int64_t run2 = store.begin_run(test::run_info("r2"));
  RunJournal journal2(store, run2, store.begin_session(run2));
  CHECK(journal2.queried_archs().empty());
  CHECK_FALSE(journal2.last_step().has_value());
}

TEST_CASE("a record without commit_step is durable; the run resumes from the last step") {
  Fixture f;
  const Arch arch = test::nb201_arch(5);
  const std::string id = f.space.id(arch);
  std::int64_t run = 0;
  {
    Store store = Store::open(f.path, StoreMode::kReadWrite);
    run = store.begin_run(test::run_info("r"));
    RunJournal journal(store, run, store.begin_session(run));
    journal.commit_step(make_step(1, 1, 0, {{f.space.id(test::nb201_arch(0)), {}, true}}));
    journal.record(f.space, arch, {tabular("cifar10_test_acc", 88.5)});
    // No commit_step: the process "dies" here.
  }
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const auto resumable = store.find_resumable_run("r");
  REQUIRE(resumable.has_value());
  CHECK(resumable->id == run);
  RunJournal journal(store, run, store.begin_session(run));
  const auto found = journal.find(id);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value == 88.5);
  const auto last = journal.last_step();
  REQUIRE(last.has_value());
  CHECK(last->step == 1);
  CHECK(journal.queried_archs().size() == 1);

  const auto summary = store.run(run);
  CHECK(summary->sessions == 2);
  CHECK(summary->evaluator_calls == 1);  // counted in the first session
}

TEST_CASE("a journal refuses a session of another run and a read-only store") {
  Fixture f;
  {
    Store store = Store::open(f.path, StoreMode::kReadWrite);
    const std::int64_t run = store.begin_run(test::run_info("r"));
    const std::int64_t other = store.begin_run(test::run_info("o"));
    const std::int64_t session = store.begin_session(other);
    CHECK_THROWS_WITH_AS(RunJournal(store, run, session),
                         doctest::Contains("does not belong to run"), nas::UsageError);
  }
  Store reader = Store::open(f.path, StoreMode::kReadOnly);
  CHECK_THROWS_AS(RunJournal(reader, 1, 1), nas::UsageError);
}

TEST_CASE("find is cheap enough to call for every candidate") {
  Fixture f;
  Store store = Store::open(f.path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  RunJournal journal(store, run, store.begin_session(run));
  std::vector<std::string> ids;
  for (int i = 0; i < 500; ++i) {
    const Arch arch = test::nb201_arch(i);
    journal.record(f.space, arch, {tabular("cifar10_test_acc", i), tabular("raspi4_ms", i)});
    ids.push_back(f.space.id(arch));
  }
  const auto start = std::chrono::steady_clock::now();
  std::size_t total = 0;
  for (int round = 0; round < 10; ++round) {
    for (const std::string& id : ids) total += journal.find(id).size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(total == 10 * 500 * 2);
  // Reported, not asserted: timings belong to bench/.
  MESSAGE("find: " << seconds / 5000 * 1e6 << " us per call");
}

}  // namespace
}  // namespace nas
