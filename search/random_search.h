// Random search: uniform samples of the space, without repeats while the
// space has architectures it has not proposed.
//
// Every proposed architecture is remembered. A sample already proposed (or
// already in the same batch) is redrawn, up to kMaxTries times; after that a
// repeat is accepted, so that a tiny or exhausted space still terminates
// (the loop answers a repeat from its cache).
#pragma once

#include <cstdint>
#include <vector>

#include "search/operators.h"
#include "search/strategy.h"

namespace nas {

class RandomSearch : public Strategy {
 public:
  static constexpr std::size_t kMaxTries = 1000;

  // `space` must outlive the strategy.
  RandomSearch(const SearchSpace& space, std::size_t num_objectives, std::uint64_t seed);

  std::string name() const override { return "random"; }
  std::vector<Candidate> ask(std::size_t n) override;
  void tell(const std::vector<Outcome>& outcomes) override;
  nlohmann::json save_state() const override;
  void load_state(const nlohmann::json& state) override;

 private:
  const SearchSpace& space_;
  std::size_t num_objectives_;
  Rng rng_;
  std::vector<Arch> proposed_;  // in the order proposed
  ArchSet proposed_set_;
  std::vector<Candidate> pending_;  // the last ask, until told
};

}  // namespace nas
