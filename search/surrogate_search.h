// Surrogate-assisted search: learned predictors of every objective, trained
// on the outcomes told so far, screen a large pool of candidate children and
// only the most promising are asked (queried for real).
//
// Each ask:
//  1. Until `initial` usable outcomes are known: unseen uniform samples.
//  2. Refit one predictor per objective (estimators/predictor.h) on every
//     usable outcome, in the order told: for a maximised accuracy
//     (options.surrogate.metrics) the error-rate GP, make_accuracy_predictor,
//     on the percent scale when a told accuracy exceeds 1 and on the fraction
//     scale otherwise; for any other objective make_search_predictor.
//  3. Build a pool of `pool` unseen children: mutations (1 or 2 rounds of
//     operators.h's mutate) of members of the current front (feasible,
//     non-dominated outcomes), plus a share of uniform samples.
//  4. Score each child by the hypervolume improvement of its optimistic point
//     (predicted mean - explore x predicted std, per objective) over the
//     front, with the reference point at the worst usable value of each
//     objective plus 10 % of its range. Pick the best, add its predicted mean
//     to the front (kriging believer) and rescore, until the batch is full.
//     Candidates whose predicted improvement is zero are ranked by their
//     optimistic distance to the front, so a batch is always filled.
// Constraints: the front is built with constrained domination from told
// outcomes; predictions do not model violations.
//
// Deterministic per seed; the models are refitted from the stored archive on
// every ask, so save_state holds only the archive, the generator and the
// bookkeeping, and a resumed run asks exactly what an uninterrupted one would.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "estimators/predictor.h"
#include "search/operators.h"
#include "search/strategy.h"

namespace nas {

class SurrogateSearch : public Strategy {
 public:
  static constexpr std::size_t kDefaultBatch = 10;

  // Uses options.surrogate (initial, pool, explore, reference, metrics),
  // options.mutation_prob (<= 0: 0.3 / decisions, as NSGA-II). `factory`,
  // when given, builds the unfitted predictor of every objective in place of
  // the defaults of step 2. `space` must outlive the strategy. Throws
  // nas::Error for options that do not fit num_objectives.
  SurrogateSearch(const SearchOptions& options, const SearchSpace& space,
                  std::size_t num_objectives, std::uint64_t seed, PredictorFactory factory = {});

  std::string name() const override { return "surrogate"; }
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const std::vector<Outcome>& outcomes) override;
  nlohmann::json save_state() const override;
  void load_state(const nlohmann::json& state) override;

  // Figures of the last model-guided ask, for benchmarks and logs.
  struct LastAsk {
    std::size_t pool = 0;       // distinct unseen children scored
    std::size_t improving = 0;  // of which with a positive optimistic improvement
  };
  const LastAsk& last_ask() const { return last_; }

 private:
  std::vector<Candidate> ask_random(std::size_t n);
  std::vector<Candidate> ask_guided(std::size_t n);
  // The phases of ask_guided that use the strategy's state: one fitted model
  // per objective (targets[k] are objective k's told values, one per arch),
  // and the pool of unseen children of `told[front_idx]`.
  std::vector<std::unique_ptr<Predictor>> fitted_models(
      const std::vector<Arch>& archs, const std::vector<std::vector<double>>& targets) const;
  std::vector<Arch> child_pool(const std::vector<Arch>& told,
                               const std::vector<std::size_t>& front_idx);
  // The unfitted model of objective k, given its told values (step 2).
  std::unique_ptr<Predictor> model_of(std::size_t k, const std::vector<double>& told) const;

  const SearchSpace& space_;
  std::size_t num_objectives_;
  SurrogateOptions options_;
  double mutation_prob_;
  PredictorFactory factory_;

  Rng rng_;
  std::vector<Outcome> archive_;  // every told outcome, in order
  std::vector<Arch> proposed_;
  ArchSet proposed_set_;
  std::vector<Candidate> pending_;
  LastAsk last_;
};

}  // namespace nas
