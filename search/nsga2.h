// NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEC 2002) with constrained
// domination, as an ask/tell strategy.
//
// The textbook algorithm: a parent population of mu members ranked by fast
// non-dominated sort under constrained domination and by crowding distance;
// parents by binary tournament on (rank, crowding); a child by uniform
// crossover of two parents with probability crossover_prob (followed by
// per-decision mutation), otherwise by mutation of one parent; elitist
// (mu + lambda) environmental selection that fills the next population front
// by front and cuts the last front by crowding distance.
//
// Deviations from the textbook, each because queries of a small discrete
// space are what the budget counts (figures and what was tried and dropped:
// docs/decisions/0001-nsga2-deviations-for-query-budgets.md):
//  1. No duplicate queries: a child already proposed in the run, or already
//     in the batch, is regenerated from new tournaments (up to kMaxRetries),
//     then replaced by an unseen random sample. The textbook re-evaluates
//     duplicates and lets copies crowd the population.
//  2. Archive-based environmental selection: the next population is the best
//     mu (rank, crowding) of EVERY evaluated point, not only of the parents
//     and the last children, so a point cut by crowding once can return.
//  3. Elite front: the archive's whole first front enters the population
//     even when it is larger than mu (the population grows to its size), so
//     no non-dominated point is lost to crowding truncation.
//  4. Smaller population and offspring batches: mu = 10 (config default for
//     nsga2, see core/config.cpp) and lambda = 10 children per generation;
//     ask(n) returns min(n, lambda) candidates ("up to n" in the interface),
//     so fewer queries go to random initial samples and selection runs more
//     often per query.
//  5. No crossover by default (crossover_prob 0 in the config): uniform
//     crossover of two distant front members rarely lands near either.
//  6. Adaptive single-decision mutation (mutation_prob <= 0, the default):
//     a child changes exactly one decision of its parent, and which decision
//     to which choice is drawn by MoveCredit (search/move_credit.h) in
//     proportion to how often that move has bred children that no member of
//     the current front dominates. A positive mutation_prob restores the
//     per-decision rate with at least one change.
//  7. Dead parts removed first (Nsga2Tuning::simplify; make_strategy sets it
//     for NB201 to estimators/nb201_cost.h's nb201_without_dead_ops): a child
//     is replaced by its equivalent without dead ops when that is unseen, and
//     asked as it is only once the equivalent has been asked. The lean form
//     computes the same at lower latency, so it is the one the front wants;
//     the variants with dead ops come later, and some of them land on the
//     front by their own training noise.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "search/move_credit.h"
#include "search/operators.h"
#include "search/strategy.h"

namespace nas {

// The knobs of deviations 1 to 4, 6 and 7; the defaults are the tuned values.
// The textbook algorithm is {offspring = 0, false, false, false, false, {}}
// (with crossover_prob 0.9 in the options).
struct Nsga2Tuning {
  std::size_t offspring = 10;     // lambda; 0 = the population size (textbook)
  bool archive_selection = true;  // 2.
  bool elite_front = true;        // 3.
  bool dedupe = true;             // 1.
  bool adaptive_mutation = true;  // 6. (with mutation_prob <= 0)
  // 7. The equivalent of an architecture without dead parts (the
  // architecture itself where it has none); empty = no such step.
  std::function<Arch(const Arch&)> simplify;
};

class Nsga2 : public Strategy {
 public:
  static constexpr std::size_t kMaxRetries = 50;
  static constexpr std::size_t kMaxRandomTries = 1000;
  static constexpr double kDefaultMutationScale = 0.3;

  // Uses options.population (mu, >= 2), options.crossover_prob and
  // options.mutation_prob (<= 0 = adaptive single-decision moves; also the
  // rate after crossover, kDefaultMutationScale / decisions).
  // `space` must outlive it. Throws nas::Error for a crossover_prob outside
  // [0, 1] or no objectives.
  Nsga2(const SearchOptions& options, const SearchSpace& space, std::size_t num_objectives,
        std::uint64_t seed, Nsga2Tuning tuning = Nsga2Tuning());

  std::string name() const override { return "nsga2"; }
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const std::vector<Outcome>& outcomes) override;
  nlohmann::json save_state() const override;
  void load_state(const nlohmann::json& state) override;

  // The current parent population (empty until the initial one is told).
  const std::vector<Outcome>& population() const { return population_; }

 private:
  std::size_t tournament();
  // `move` is the adaptive mutation that made the child, if one did.
  Candidate make_child(const ArchSet& batch, std::optional<Move>& move);
  void credit_moves(const std::vector<Outcome>& outcomes);  // of the pending moves
  void select();  // environmental selection into population_, ranks and crowding

  const SearchSpace& space_;
  std::size_t num_objectives_;
  std::size_t mu_;
  double crossover_prob_;
  double mutation_prob_;
  Nsga2Tuning tuning_;
  bool adaptive_;

  Rng rng_;
  std::vector<Outcome> population_;
  std::vector<std::size_t> rank_;  // of population_ members
  std::vector<double> crowding_;   // of population_ members
  std::vector<Outcome> archive_;   // every told outcome, in order (distinct archs)
  ArchSet archive_set_;
  std::vector<Outcome> offspring_;  // told outcomes not yet through selection
  std::vector<std::string> initial_archs_;  // options.initial_archs
  std::size_t initial_asked_ = 0;
  std::vector<Arch> proposed_;
  ArchSet proposed_set_;
  std::vector<Candidate> pending_;
  MoveCredit credit_;
  std::vector<std::optional<Move>> pending_moves_;  // parallel to pending_
};

}  // namespace nas
