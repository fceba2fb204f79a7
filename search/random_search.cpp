#include "search/random_search.h"

#include "core/errors.h"
#include "search/operators.h"
#include "search/state_codec.h"

namespace nas {

RandomSearch::RandomSearch(const SearchSpace& space, std::size_t num_objectives,
                           std::uint64_t seed)
    : space_(space), num_objectives_(num_objectives), rng_(seed) {}

std::vector<Candidate> RandomSearch::ask(std::size_t n) {
  if (n == 0) throw Error("random search: asked for 0 candidates");
  if (!pending_.empty()) throw Error("random search: ask() called again before tell()");
  const bool exhausted = static_cast<double>(proposed_set_.size()) >= space_.cardinality();
  const ArchSet none;
  for (std::size_t k = 0; k < n; ++k) {
    Candidate c;
    c.arch = sample_unseen(space_, proposed_set_, none, exhausted ? 1 : kMaxTries, rng_);
    if (proposed_set_.insert(c.arch)) proposed_.push_back(c.arch);
    pending_.push_back(std::move(c));
  }
  return pending_;
}

void RandomSearch::tell(const std::vector<Outcome>& outcomes) {
  check_told("random search", outcomes, pending_.size(), num_objectives_);
  pending_.clear();
}

nlohmann::json RandomSearch::save_state() const {
  return {{"strategy", name()},
          {"rng", save_rng(rng_)},
          {"proposed", encode_archs(proposed_)},
          {"pending", encode_candidates(pending_)}};
}

void RandomSearch::load_state(const nlohmann::json& state) {
  const std::string who = "random search";
  require_state_of(state, who, name());
  try {
    Rng rng;
    load_rng(rng, state_member(state, who, "rng").get<std::string>());
    std::vector<Arch> proposed =
        decode_archs(state_member(state, who, "proposed").get<std::string>(), space_);
    std::vector<Candidate> pending = decode_candidates(state_member(state, who, "pending"), space_);
    rng_ = rng;
    proposed_ = std::move(proposed);
    proposed_set_.clear();
    for (const Arch& a : proposed_) proposed_set_.insert(a);
    pending_ = std::move(pending);
  } catch (const nlohmann::json::exception& e) {
    throw Error(who + " state: " + e.what());
  }
}

}  // namespace nas
