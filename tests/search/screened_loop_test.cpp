// The search loop with a predictor-screened evaluator: predicted values are
// stored as predicted, and the reported front holds measured values only.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/nb201_space.h"
#include "estimators/screened_evaluator.h"
#include "estimators/tabular_evaluator.h"
#include "search/memory_journal.h"
#include "search/search_loop.h"

using namespace nas;

TEST_CASE("a screened run reports a front of measured values; predictions are stored as such") {
  const SearchSpace space = nb201_space();
  auto table = std::make_shared<const Nb201Table>(Nb201Table::load(Nb201Table::shipped_path()));
  const std::vector<Objective> objectives{{"cifar10_test_acc", Goal::kMaximize},
                                          {"raspi4_ms", Goal::kMinimize}};
  ScreeningOptions so;
  so.metric = "raspi4_ms";
  so.objectives = objectives;
  so.budget = 25;
  so.warmup = 10;
  ScreenedEvaluator evaluator(std::make_unique<TabularEvaluator>(table), space, so);
  SearchOptions options;
  options.strategy = "nsga2";
  options.population = SearchOptions::kNsga2Population;
  auto strategy = make_strategy(options, space, 2, 5);
  MemoryJournal journal;
  LoopOptions lo;
  lo.budget = 120;
  lo.batch = 10;
  SearchLoop loop(space, *strategy, evaluator, journal, objectives, {}, lo);
  const LoopResult result = loop.run();
  CHECK(result.stats.queries == 120);
  CHECK(evaluator.stats().predicted > 50);
  REQUIRE_FALSE(result.front.empty());
  for (const FrontMember& m : result.front) {
    for (const Evaluation& e : m.objectives) CHECK(e.key.source == Source::kTabular);
  }
  CHECK(result.stats.confirmations == evaluator.stats().confirmations);
  // Predictions stay in the journal, labelled.
  std::size_t predicted = 0;
  for (const std::string& id : journal.queried_archs()) {
    for (const Evaluation& e : journal.find(id)) predicted += e.key.source == Source::kPredicted;
  }
  CHECK(predicted == static_cast<std::size_t>(evaluator.stats().predicted));

  // The front is exactly the non-dominated set of every queried arch, each
  // valued by its measurement where it has one and its prediction otherwise:
  // confirming members one at a time leaves out no one that belongs.
  struct Valued {
    std::string id;
    double accuracy = 0, latency = 0;
    bool measured = false;
  };
  std::vector<Valued> all;
  for (const std::string& id : journal.queried_archs()) {
    Valued v{id};
    bool has_accuracy = false, has_latency = false;
    for (const Evaluation& e : journal.find(id)) {
      if (!e.value) continue;
      if (e.key.metric == "cifar10_test_acc") {
        v.accuracy = *e.value;
        has_accuracy = true;
      } else if (e.key.metric == "raspi4_ms" && (!v.measured || e.key.source != Source::kPredicted)) {
        v.latency = *e.value;
        v.measured = e.key.source != Source::kPredicted;
        has_latency = true;
      }
    }
    if (has_accuracy && has_latency && v.latency >= 0.05) all.push_back(v);
  }
  std::set<std::string> expected;
  for (const Valued& p : all) {
    const bool dominated = std::any_of(all.begin(), all.end(), [&](const Valued& q) {
      return q.accuracy >= p.accuracy && q.latency <= p.latency &&
             (q.accuracy > p.accuracy || q.latency < p.latency);
    });
    if (dominated) continue;
    CHECK(p.measured);
    expected.insert(p.id);
  }
  std::set<std::string> reported;
  for (const FrontMember& m : result.front) reported.insert(m.arch_id);
  CHECK(reported == expected);
}
