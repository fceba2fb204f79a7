// The search loop's own cost per candidate: strategy plus journal, with the
// evaluator's time taken out. Runs each strategy through SearchLoop twice,
// side by side: over the SQLite fitness store (a real file, as `nas run`
// does) and over the in-memory journal (the baseline), and prints both with
// their ratio. Target: below 1 ms per candidate over the store.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/nb201_space.h"
#include "estimators/tabular_evaluator.h"
#include "results/run_journal.h"
#include "results/store.h"
#include "search/memory_journal.h"
#include "search/search_loop.h"
#include "bench/timed_evaluator.h"
#include "search/strategy.h"

namespace {

using Clock = std::chrono::steady_clock;

using nas::bench::TimedEvaluator;

struct Timing {
  double loop_us_per_candidate = 0;  // strategy + journal
  std::int64_t candidates = 0;
};

Timing time_loop(const std::string& strategy_name, nas::Journal& journal,
                 nas::Evaluator& table_evaluator, std::int64_t budget) {
  const nas::SearchSpace space = nas::nb201_space();
  nas::SearchOptions options;
  options.strategy = strategy_name;
  options.budget = budget;
  options.population = 30;
  auto strategy = nas::make_strategy(options, space, 2, 1);
  TimedEvaluator evaluator(table_evaluator);
  nas::LoopOptions loop_options;
  loop_options.budget = budget;
  loop_options.batch = strategy_name == "nsga2" ? 30 : 1;
  nas::SearchLoop loop(space, *strategy, evaluator, journal,
                       {{"cifar10_test_acc", nas::Goal::kMaximize},
                        {"raspi4_ms", nas::Goal::kMinimize}},
                       {}, loop_options);
  const auto start = Clock::now();
  const nas::LoopResult result = loop.run();
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  Timing t;
  // Candidates asked, repeats included: each costs a strategy step and a look-up.
  t.candidates = result.stats.candidates;
  t.loop_us_per_candidate = (total - evaluator.seconds()) * 1e6 / static_cast<double>(t.candidates);
  return t;
}

}  // namespace

int main() {
  auto table = std::make_shared<const nas::Nb201Table>(
      nas::Nb201Table::load(nas::Nb201Table::shipped_path()));
  nas::TabularEvaluator evaluator(table);
  const std::int64_t budget = 1000;
  const auto dir = std::filesystem::temp_directory_path() / "nas_bench_loop_overhead";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  std::printf("Search loop cost per candidate (strategy + journal; evaluator time excluded)\n");
  std::printf("NB201 cifar10 x raspi4, %lld queries per run, seed 1\n\n",
              static_cast<long long>(budget));
  std::printf("| strategy  | memory journal (us) | SQLite store (us) | store / memory | target < 1000 us |\n");
  std::printf("| --------- | ------------------: | ----------------: | -------------: | ---------------- |\n");
  for (const std::string name : {"random", "evolution", "nsga2"}) {
    nas::MemoryJournal memory;
    const Timing in_memory = time_loop(name, memory, evaluator, budget);

    const std::string db = (dir / (name + ".db")).string();
    nas::Store store = nas::Store::open(db, nas::StoreMode::kReadWrite);
    nas::RunInfo info;
    info.name = "bench-" + name;
    info.config_json = "{}";
    info.config_hash = "bench";
    info.code_version = "bench";
    info.strategy = name;
    const std::int64_t run = store.begin_run(info);
    nas::RunJournal journal(store, run, store.begin_session(run));
    const Timing stored = time_loop(name, journal, evaluator, budget);

    std::printf("| %-9s | %19.1f | %17.1f | %13.2fx | %-16s |\n", name.c_str(),
                in_memory.loop_us_per_candidate, stored.loop_us_per_candidate,
                stored.loop_us_per_candidate / in_memory.loop_us_per_candidate,
                stored.loop_us_per_candidate < 1000 ? "PASS" : "MISS");
  }
  std::filesystem::remove_all(dir);
  return 0;
}
