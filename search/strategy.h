// The ask/tell interface every search strategy implements.
//
// The loop asks for a batch of candidates, evaluates them (cache first), and
// tells the strategy the outcomes in the order asked. A strategy's state,
// generator included, round-trips through save_state/load_state so that a run
// stored after step k and resumed continues exactly as if never stopped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/search_space.h"

namespace nas {

struct Candidate {
  Arch arch;                  // canonical (SearchSpace::canonical)
  std::vector<Arch> parents;  // none for a random sample, 1 for a mutation, 2 for crossover
};

// The result of evaluating one candidate, as the strategy sees it.
struct Outcome {
  Arch arch;
  // One value per objective, in the config's order, in minimisation form
  // (values of maximised objectives negated). +inf where unusable.
  std::vector<double> objectives;
  // Sum of constraint violations; 0 = feasible; +inf = excluded (a value was
  // unusable, e.g. a degenerate table entry).
  double violation = 0;
  // Raw value of every metric the run evaluates (objectives and constraints),
  // as stored; a metric whose value is unusable is absent. For strategies
  // that shape their own reward from named metrics (the RL controller).
  std::map<std::string, double> values;
  bool feasible() const { return violation == 0; }
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  virtual std::string name() const = 0;

  // Up to `n` candidates (REQUIRES: n >= 1). Candidates already evaluated are
  // allowed but wasteful: strategies try to propose new ones. The next call
  // must be tell() with the outcomes of exactly these candidates.
  virtual std::vector<Candidate> ask(std::size_t n) = 0;

  // Outcomes of the last ask, same order and length.
  virtual void tell(const std::vector<Outcome>& outcomes) = 0;

  // Everything needed to continue, generator state included.
  virtual nlohmann::json save_state() const = 0;
  // Restores a state from save_state() of a strategy built with the same
  // options. Throws nas::Error on a state that does not fit.
  virtual void load_state(const nlohmann::json& state) = 0;
};

// Builds the strategy named by options.strategy. Throws nas::Error for an
// unknown name. `num_objectives` >= 1.
std::unique_ptr<Strategy> make_strategy(const SearchOptions& options, const SearchSpace& space,
                                        std::size_t num_objectives, std::uint64_t seed);

}  // namespace nas
