// The surrogate strategy's per-objective models on the NB201 table: a
// maximised accuracy gets the error-rate model, and a run with it stays
// deterministic and resumes exactly.
#include <doctest/doctest.h>

#include <memory>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "estimators/nb201_table.h"
#include "search/surrogate_search.h"
#include "tests/search/strategy_test_util.h"

namespace {

nas::SearchOptions nb201_options() {
  nas::SearchOptions o;
  o.strategy = "surrogate";
  o.surrogate.initial = 20;
  o.surrogate.pool = 300;
  o.surrogate.metrics = {"cifar10_test_acc", "raspi4_ms"};
  return o;
}

// cifar10 accuracy (maximised: told negated) and raspi4 latency from the table.
nas::test::Objectives table_objectives(const nas::Nb201Table& table) {
  const std::size_t acc = *table.column_index("cifar10_test_acc");
  const std::size_t lat = *table.column_index("raspi4_ms");
  return [&table, acc, lat](const nas::Arch& arch) {
    const std::size_t row = table.row_of(arch);
    nas::Outcome o;
    o.arch = arch;
    o.objectives = {-table.value(row, acc).value_or(0), table.value(row, lat).value_or(100)};
    return o;
  };
}

}  // namespace

TEST_CASE("surrogate search with an accuracy objective is deterministic and resumes exactly") {
  const nas::SearchSpace space = nas::nb201_space();
  const nas::Nb201Table table = nas::Nb201Table::load(nas::Nb201Table::shipped_path());
  const auto f = table_objectives(table);
  nas::SurrogateSearch a(nb201_options(), space, 2, 7);
  const auto head = nas::test::drive(a, f, 1000, 10, 4);  // 20 random, then 2 guided asks
  const nlohmann::json stored = nlohmann::json::parse(a.save_state().dump());
  const auto tail = nas::test::drive(a, f, 1000, 10, 3);
  CHECK(tail.distinct.size() == 30);

  nas::SurrogateSearch b(nb201_options(), space, 2, 99);
  b.load_state(stored);
  const auto resumed_tail = nas::test::drive(b, f, 1000, 10, 3);
  CHECK(resumed_tail.asked == tail.asked);

  // The same seed asks the same, uninterrupted.
  nas::SurrogateSearch c(nb201_options(), space, 2, 7);
  std::vector<std::string> whole = head.asked;
  whole.insert(whole.end(), tail.asked.begin(), tail.asked.end());
  CHECK(nas::test::drive(c, f, 1000, 10, 7).asked == whole);
}

TEST_CASE("surrogate search refuses metrics that do not match the objectives") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::SearchOptions o = nb201_options();
  o.surrogate.metrics = {"cifar10_test_acc"};
  CHECK_THROWS_WITH_AS(nas::SurrogateSearch(o, space, 2, 1),
                       doctest::Contains("1 metrics for 2 objectives"), nas::Error);
}
