// Schema v5: fine-tuned accuracies (source "finetuned") beside the search's,
// and the migration of a v4 store that makes room for them.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/preferred_value.h"
#include "results/run_journal.h"
#include "results/schema.h"
#include "results/store.h"
#include "test_util.h"

namespace nas {
namespace {

using test::RawDb;
using test::TempDir;

Evaluation accuracy(const std::string& metric, Source source, double value,
                    const std::string& fidelity) {
  Evaluation e;
  e.key = {metric, source, "", fidelity};
  e.value = value;
  return e;
}

TEST_CASE("a fine-tune's accuracies are stored once, beside the inherited ones, in no session") {
  TempDir dir;
  const std::string path = dir.file("f.db");
  const SearchSpace space = nb201_space();
  const Arch arch = test::nb201_arch(3);
  const std::string id = space.id(arch);
  Store store = Store::open(path, StoreMode::kReadWrite);
  const auto run = store.begin_run(test::run_info("f"));
  RunJournal journal(store, run, store.begin_session(run));
  journal.record(space, arch, {accuracy("test_acc", Source::kSupernet, 0.93, "ckpt/bn10x128")});

  Evaluation tuned = accuracy("test_acc", Source::kFinetuned, 0.94, "finetune/0123456789abcdef");
  tuned.note = "3 epochs from inherited weights (test_acc 0.9300), lr 0.01, distillation weight 1";
  const std::vector<Evaluation> values = {
      accuracy("val_acc", Source::kFinetuned, 0.95, "finetune/0123456789abcdef"), tuned};
  CHECK(store.record_finetuned(run, id, values) == 2);
  CHECK(store.record_finetuned(run, id, values) == 0);  // the same fine-tune again: nothing new

  const std::vector<Evaluation> stored = store.evaluations(id);
  REQUIRE(stored.size() == 3);
  CHECK(preferred_value(stored, "test_acc")->key.source == Source::kSupernet);
  const Evaluation* after = fine_tuned_value(stored, "test_acc");
  REQUIRE(after != nullptr);
  CHECK(after->value == doctest::Approx(0.94));
  CHECK(after->note == tuned.note);
  // A fine-tune is no evaluator call of the search, and no session's.
  CHECK(store.run(run)->evaluator_calls == 1);
  RawDb raw(path);
  CHECK(raw.text("SELECT count(*) FROM evaluations WHERE source = 'finetuned'"
                 " AND session_id IS NULL AND run_id = " + std::to_string(run)) == "2");

  CHECK_THROWS_WITH_AS(store.record_finetuned(run, "feedfacefeedface", values),
                       doctest::Contains("no architecture feedfacefeedface"), Error);
  CHECK_THROWS_WITH_AS(
      store.record_finetuned(run, id, {accuracy("test_acc", Source::kSupernet, 0.9, "x")}),
      doctest::Contains("records only source 'finetuned'"), Error);
  const std::string no_run = "no run " + std::to_string(run + 7);
  CHECK_THROWS_WITH_AS(store.record_finetuned(run + 7, id, values),
                       doctest::Contains(no_run.c_str()), Error);
}

TEST_CASE("a v4 store migrates to v5 keeping every evaluation, its id and its measurement") {
  TempDir dir;
  const std::string path = dir.file("v4.db");
  const SearchSpace space = nb201_space();
  const Arch arch = test::nb201_arch(5);
  const std::string id = space.id(arch);
  {
    RawDb raw(path);
    raw.exec("PRAGMA application_id = " + std::to_string(kStoreApplicationId));
    raw.exec("BEGIN");
    for (int v = 0; v < 4; ++v) raw.exec(migrations().at(v).sql);
    raw.exec("PRAGMA user_version = 4");
    raw.exec("COMMIT");
    raw.exec("INSERT INTO runs (name, config_json, config_hash, code_version, seed, strategy,"
             " created_at) VALUES ('old', '{}', 'h', '0.0.1', 5, 'random', 1)");
    raw.exec("INSERT INTO archs (id, space, canonical_json) VALUES ('" + id + "', 'nb201', '" +
             space.canonical_json(arch) + "')");
    raw.exec("INSERT INTO measurements (arch_id, device, protocol, batch, threads, median_ms,"
             " p90_ms, mean_ms, std_ms, min_ms, run_id, measured_at) VALUES ('" + id +
             "', 'pi', 'p', 1, 1, 20.5, 21, 20.6, 0.3, 20, 1, 1)");
    raw.exec("INSERT INTO evaluations (id, arch_id, metric, source, device, fidelity, value,"
             " note, run_id, created_at, measurement_id) VALUES (41, '" + id +
             "', 'pi_ms', 'measured', 'pi', 'p', 20.5, 'n', 1, 2, 1)");
    // The old CHECK refuses the new source: the reason for the migration.
    CHECK(raw.error_of("INSERT INTO evaluations (arch_id, metric, source, created_at)"
                       " VALUES ('" + id + "', 'test_acc', 'finetuned', 3)")
              .find("CHECK constraint failed") != std::string::npos);
  }
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    CHECK(store.schema_version() == 5);
    const std::vector<Evaluation> values = store.evaluations(id);
    REQUIRE(values.size() == 1);
    CHECK(values[0].value == doctest::Approx(20.5));
    REQUIRE(values[0].measurement);
    CHECK(values[0].measurement->median_ms == doctest::Approx(20.5));
    CHECK(store.record_finetuned(1, id, {accuracy("test_acc", Source::kFinetuned, 0.9,
                                                  "finetune/00000000000000aa")}) == 1);
  }
  RawDb raw(path);
  CHECK(raw.text("SELECT id || ' ' || note || ' ' || created_at FROM evaluations"
                 " WHERE metric = 'pi_ms'") == "41 n 2.0");
  CHECK(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'evaluations_by_run'") == "1");
  CHECK(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'evaluations_v5'") == "0");
  // The UNIQUE key and the CHECK still hold on the rebuilt table.
  CHECK(raw.error_of("INSERT INTO evaluations (arch_id, metric, source, device, fidelity,"
                     " created_at) VALUES ('" + id + "', 'pi_ms', 'measured', 'pi', 'p', 3)")
            .find("UNIQUE constraint failed") != std::string::npos);
  CHECK(raw.error_of("INSERT INTO evaluations (arch_id, metric, source, created_at)"
                     " VALUES ('" + id + "', 'test_acc', 'guessed', 3)")
            .find("CHECK constraint failed") != std::string::npos);
}

}  // namespace
}  // namespace nas
