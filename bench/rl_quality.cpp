// Search quality of the REINFORCE controller against regularized evolution
// and random search on the NAS-Bench-201 CIFAR-10 x Raspberry Pi 4 table,
// under a latency budget of T = 15 ms: for 20 seeds, the mean best FEASIBLE
// test accuracy (raspi4_ms <= 15) among the first 300 and 1000 distinct
// architectures queried, against the table's optimum under 15 ms. Every run
// goes through SearchLoop over an in-memory journal, as `nas run` does over
// the store. Target: rl within 0.2 points of the optimum at 1000 queries.
// Prints figures and PASS/MISS lines; never asserts.
//
// Options (key=value) for studies, defaults are the shipped rl defaults:
//   seeds=20 reward=mnasnet_hard|mnasnet_soft|tunas_abs exponent= beta=
//   controller=factorized|lstm hidden= lr= entropy= decay= risk= batch= first_seed=1
//   strategies=rl,evolution,random
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/nb201_space.h"
#include "estimators/tabular_evaluator.h"
#include "search/memory_journal.h"
#include "search/rl/reinforce.h"
#include "search/search_loop.h"
#include "search/strategy.h"

namespace {

constexpr double kTarget = 15.0;  // ms on the Raspberry Pi 4
const std::string kAccuracy = "cifar10_test_acc";
const std::string kLatency = "raspi4_ms";

struct Settings {
  int seeds = 20;
  int first_seed = 1;
  std::vector<std::string> strategies{"rl", "evolution", "random"};
  nas::SearchOptions rl;  // the rl keys of a config, defaults as shipped
  std::size_t rl_batch = nas::Reinforce::kDefaultBatch;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) out.push_back(part);
  return out;
}

Settings parse_args(int argc, char** argv) {
  Settings s;
  s.rl.strategy = "rl";
  s.rl.reward.metric = kLatency;
  s.rl.reward.target = kTarget;
  bool exponent_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "expected key=value, got '%s'\n", arg.c_str());
      std::exit(2);
    }
    const std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
    if (key == "seeds") s.seeds = std::atoi(value.c_str());
    else if (key == "first_seed") s.first_seed = std::atoi(value.c_str());
    else if (key == "strategies") s.strategies = split(value);
    else if (key == "reward") s.rl.reward.type = value;
    else if (key == "exponent") s.rl.reward.exponent = std::atof(value.c_str()), exponent_given = true;
    else if (key == "beta") s.rl.reward.beta = std::atof(value.c_str());
    else if (key == "controller") s.rl.controller = value;
    else if (key == "hidden") s.rl.lstm_hidden = std::atoi(value.c_str());
    else if (key == "lr") s.rl.learning_rate = std::atof(value.c_str());
    else if (key == "entropy") s.rl.entropy_weight = std::atof(value.c_str());
    else if (key == "decay") s.rl.baseline_decay = std::atof(value.c_str());
    else if (key == "risk") s.rl.risk_epsilon = std::atof(value.c_str());
    else if (key == "batch") s.rl_batch = static_cast<std::size_t>(std::atoi(value.c_str()));
    else {
      std::fprintf(stderr, "unknown option '%s'\n", key.c_str());
      std::exit(2);
    }
  }
  // The config's default exponent depends on the reward type.
  if (!exponent_given) s.rl.reward.exponent = s.rl.reward.type == "mnasnet_soft" ? -0.07 : -1.0;
  return s;
}

struct Run {
  double best_300 = 0;   // best feasible accuracy among the first 300 queries
  double best_1000 = 0;  // ... among the first 1000
  std::int64_t queries = 0;
  std::int64_t steps = 0;
};

Run run_one(const Settings& s, const std::string& strategy_name, std::uint64_t seed,
            nas::Evaluator& evaluator, const nas::SearchSpace& space) {
  const std::vector<nas::Objective> objectives{{kAccuracy, nas::Goal::kMaximize}};
  const std::vector<nas::Constraint> constraints{
      nas::parse_constraint(kLatency + " <= " + std::to_string(kTarget))};
  std::unique_ptr<nas::Strategy> strategy;
  nas::LoopOptions loop_options;
  loop_options.budget = 1000;
  if (strategy_name == "rl") {
    nas::RunConfig config;
    config.seed = seed;
    config.objectives = objectives;
    config.constraints = constraints;
    config.search = s.rl;
    strategy = nas::make_rl_strategy(config, space);
    loop_options.batch = s.rl_batch;
  } else {
    nas::SearchOptions options;
    options.strategy = strategy_name;
    strategy = nas::make_strategy(options, space, objectives.size(), seed);
    loop_options.batch = 1;
  }
  nas::MemoryJournal journal;
  nas::SearchLoop loop(space, *strategy, evaluator, journal, objectives, constraints,
                       loop_options);
  const nas::LoopResult result = loop.run();
  Run run;
  run.steps = result.stats.steps;
  double best = 0;
  std::int64_t k = 0;
  for (const std::string& id : journal.queried_archs()) {
    std::optional<double> acc, lat;
    for (const nas::Evaluation& e : journal.find(id)) {
      if (e.key.metric == kAccuracy) acc = e.value;
      if (e.key.metric == kLatency) lat = e.value;
    }
    if (acc && lat && *lat <= kTarget) best = std::max(best, *acc);
    ++k;
    if (k <= 300) run.best_300 = best;
    if (k <= 1000) run.best_1000 = best;
  }
  run.queries = k;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  const Settings s = parse_args(argc, argv);
  auto table = std::make_shared<const nas::Nb201Table>(
      nas::Nb201Table::load(nas::Nb201Table::shipped_path()));
  nas::TabularEvaluator evaluator(table);
  const nas::SearchSpace space = nas::nb201_space();

  // The table's optimum under the budget, over usable rows only.
  const std::size_t acc_col = *table->column_index(kAccuracy);
  const std::size_t lat_col = *table->column_index(kLatency);
  double optimum = 0;
  std::size_t feasible = 0;
  for (std::size_t row = 0; row < table->num_rows(); ++row) {
    const auto acc = table->value(row, acc_col);
    const auto lat = table->value(row, lat_col);
    if (!acc || !lat || *lat < nas::kDegenerateLatencyMs || *lat > kTarget) continue;
    ++feasible;
    optimum = std::max(optimum, *acc);
  }

  std::printf("Best feasible accuracy under %s <= %.0f ms, NB201 %s, mean of %d seeds\n",
              kLatency.c_str(), kTarget, kAccuracy.c_str(), s.seeds);
  std::printf("Table optimum under %.0f ms: %.2f %% (%zu feasible of %zu cells)\n", kTarget,
              optimum, feasible, table->num_rows());
  std::printf("rl: %s controller, reward %s (T = %.0f ms, %s = %g), batch %zu, lr %g, "
              "entropy %g, baseline decay %g, risk epsilon %g\n\n",
              s.rl.controller.c_str(), s.rl.reward.type.c_str(), kTarget,
              s.rl.reward.type == "tunas_abs" ? "beta" : "w",
              s.rl.reward.type == "tunas_abs" ? s.rl.reward.beta : s.rl.reward.exponent,
              s.rl_batch, s.rl.learning_rate, s.rl.entropy_weight, s.rl.baseline_decay,
              s.rl.risk_epsilon);
  std::printf("| strategy  | best @300 (%%) | best @1000 (%%) | gap @1000 | optimum found | queries | time/seed |\n");
  std::printf("| --------- | ------------: | -------------: | --------: | ------------: | ------: | --------: |\n");
  std::map<std::string, double> mean_1000;
  for (const std::string& name : s.strategies) {
    double sum_300 = 0, sum_1000 = 0, sum_queries = 0;
    int found = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int seed = s.first_seed; seed < s.first_seed + s.seeds; ++seed) {
      const Run r = run_one(s, name, static_cast<std::uint64_t>(seed), evaluator, space);
      sum_300 += r.best_300;
      sum_1000 += r.best_1000;
      sum_queries += static_cast<double>(r.queries);
      if (r.best_1000 >= optimum) ++found;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double m300 = sum_300 / s.seeds, m1000 = sum_1000 / s.seeds;
    mean_1000[name] = m1000;
    std::printf("| %-9s | %13.2f | %14.2f | %9.2f | %7d of %2d | %7.0f | %7.2f s |\n",
                name.c_str(), m300, m1000, optimum - m1000, found, s.seeds,
                sum_queries / s.seeds, seconds / s.seeds);
    std::fflush(stdout);
  }
  std::printf("\n");
  if (mean_1000.count("rl")) {
    const double gap = optimum - mean_1000["rl"];
    std::printf("%s rl within 0.2 points of the optimum at 1000 queries (gap %.2f)\n",
                gap <= 0.2 ? "PASS" : "MISS", gap);
  }
  return 0;
}
