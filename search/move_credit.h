// Adaptive single-decision mutation: which moves (a decision set to a given
// choice) have produced children that entered the front, and a draw that
// prefers them.
//
// Each move keeps a success rate with a prior of one success in two trials,
// so an untried move keeps a fair chance and a rate moves only with evidence.
// A parent's move is drawn among its active decisions' other choices with
// probability proportional to that rate. Adaptive operator selection in the
// sense of the evolutionary-computation literature (credit by outcome, not by
// a fixed rate). On NB201 it learns, for example, which edges a 3x3
// convolution pays off on; on mbv3, which kernel or expand changes do.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/random.h"
#include "core/search_space.h"

namespace nas {

struct Move {
  std::size_t decision = 0;
  int choice = 0;
};

class MoveCredit {
 public:
  // `space` must outlive it.
  explicit MoveCredit(const SearchSpace& space);

  // A move for `parent` (canonical, valid): an active decision with more than
  // one choice and one of its other choices. nullopt when there is none.
  std::optional<Move> draw(const Arch& parent, Rng& rng) const;

  // The child made by `move` entered the front (`success`) or not.
  void record(const Move& move, bool success);

  // Counts per move; load() throws nas::Error for a state of another space.
  nlohmann::json save() const;
  void load(const nlohmann::json& state);

 private:
  double rate(const Move& move) const;
  std::size_t index(const Move& move) const { return offsets_[move.decision] + move.choice; }

  const SearchSpace* space_;  // a pointer, so that a state can be assigned
  std::vector<std::size_t> offsets_;  // first move of each decision
  std::vector<double> successes_, trials_;
};

}  // namespace nas
