// Regularized (ageing) evolution, Real et al., AAAI 2019.
//
// The population is a queue of at most P members (SearchOptions::population).
// Until P random architectures have been asked, asks return uniform samples.
// After that each candidate is made by a tournament: S members
// (SearchOptions::sample_size) drawn uniformly without replacement, the best
// by the FIRST objective under constrained comparison (feasible before
// infeasible, then lower violation, then lower first objective; ties go to
// the member drawn first) is the parent, and its mutant is the child
// (operators.h: each decision changes with mutation_prob, default
// 1/decisions, at least one change; canonical). Told outcomes join the back
// of the queue and the oldest members leave, so only age, never fitness,
// removes a member.
//
// A batch of n > 1 candidates is n children of the current population. A
// child that was already proposed (or is already in the batch) is mutated
// again from the same parent, up to kMaxRetries times, then replaced by an
// unseen random sample if one can be found, else proposed as a repeat (the
// loop answers repeats from its cache). The paper's algorithm does not
// avoid repeats; here queries are what the budget counts.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "search/operators.h"
#include "search/strategy.h"

namespace nas {

class Evolution : public Strategy {
 public:
  static constexpr std::size_t kMaxRetries = 50;
  static constexpr std::size_t kMaxRandomTries = 1000;

  // REQUIRES: options.population >= 1, options.sample_size >= 1 (it is
  // clamped to the population). `space` must outlive the strategy.
  Evolution(const SearchOptions& options, const SearchSpace& space, std::size_t num_objectives,
            std::uint64_t seed);

  std::string name() const override { return "evolution"; }
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const std::vector<Outcome>& outcomes) override;
  nlohmann::json save_state() const override;
  void load_state(const nlohmann::json& state) override;

  // The current queue, oldest first.
  const std::deque<Outcome>& population() const { return population_; }

 private:
  Candidate make_child(const ArchSet& batch);

  const SearchSpace& space_;
  std::size_t num_objectives_;
  std::size_t population_size_;
  std::size_t sample_size_;
  double mutation_prob_;
  Rng rng_;
  std::deque<Outcome> population_;
  std::vector<std::string> initial_archs_;  // options.initial_archs
  std::size_t initial_asked_ = 0;  // initial members asked so far (up to P)
  std::vector<Arch> proposed_;     // every architecture proposed, in order
  ArchSet proposed_set_;
  std::vector<Candidate> pending_;
};

}  // namespace nas
