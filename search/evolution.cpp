#include "search/evolution.h"

#include <algorithm>
#include <numeric>

#include "core/errors.h"
#include "search/state_codec.h"

namespace nas {
namespace {

// Constrained comparison on the first objective: true if a is better than b.
bool better_first(const Outcome& a, const Outcome& b) {
  if (a.feasible() != b.feasible()) return a.feasible();
  if (!a.feasible() && a.violation != b.violation) return a.violation < b.violation;
  return a.objectives[0] < b.objectives[0];
}

}  // namespace

Evolution::Evolution(const SearchOptions& options, const SearchSpace& space,
                     std::size_t num_objectives, std::uint64_t seed)
    : space_(space),
      num_objectives_(num_objectives),
      population_size_(static_cast<std::size_t>(std::max<std::int64_t>(1, options.population))),
      sample_size_(static_cast<std::size_t>(std::max<std::int64_t>(1, options.sample_size))),
      mutation_prob_(effective_mutation_prob(space, options.mutation_prob)),
      rng_(seed),
      initial_archs_(options.initial_archs) {
  sample_size_ = std::min(sample_size_, population_size_);
  if (num_objectives_ == 0) throw Error("evolution: needs at least one objective");
}

Candidate Evolution::make_child(const ArchSet& batch) {
  Candidate c;
  if (initial_asked_ < population_size_ || population_.empty()) {
    c.arch = initial_member(space_, initial_archs_, initial_asked_, proposed_set_, batch,
                            kMaxRandomTries, rng_);
    if (initial_asked_ < population_size_) ++initial_asked_;
    return c;
  }
  // Tournament: S distinct members by a partial Fisher-Yates shuffle.
  std::vector<std::size_t> index(population_.size());
  std::iota(index.begin(), index.end(), 0);
  const std::size_t s = std::min(sample_size_, index.size());
  std::size_t best = index.size();
  for (std::size_t k = 0; k < s; ++k) {
    std::swap(index[k], index[k + uniform_index(rng_, index.size() - k)]);
    if (best == index.size() || better_first(population_[index[k]], population_[best])) {
      best = index[k];
    }
  }
  const Arch& parent = population_[best].arch;
  c.parents.push_back(parent);
  c.arch = mutate(space_, parent, mutation_prob_, rng_);
  for (std::size_t t = 0; t < kMaxRetries && (proposed_set_.contains(c.arch) ||
                                              batch.contains(c.arch));
       ++t) {
    c.arch = mutate(space_, parent, mutation_prob_, rng_);
  }
  if (proposed_set_.contains(c.arch) || batch.contains(c.arch)) {
    // The parent's neighbourhood is used up: explore elsewhere.
    Arch fresh = sample_unseen(space_, proposed_set_, batch, kMaxRandomTries, rng_);
    if (!proposed_set_.contains(fresh) && !batch.contains(fresh)) {
      c.arch = std::move(fresh);
      c.parents.clear();
    }
  }
  return c;
}

std::vector<Candidate> Evolution::ask(std::size_t n) {
  if (n == 0) throw Error("evolution: asked for 0 candidates");
  if (!pending_.empty()) throw Error("evolution: ask() called again before tell()");
  ArchSet batch;
  for (std::size_t k = 0; k < n; ++k) {
    Candidate c = make_child(batch);
    batch.insert(c.arch);
    pending_.push_back(std::move(c));
  }
  for (const Candidate& c : pending_) {
    if (proposed_set_.insert(c.arch)) proposed_.push_back(c.arch);
  }
  return pending_;
}

void Evolution::tell(const std::vector<Outcome>& outcomes) {
  check_told("evolution", outcomes, pending_.size(), num_objectives_);
  for (const Outcome& o : outcomes) {
    population_.push_back(o);
    if (population_.size() > population_size_) population_.pop_front();
  }
  pending_.clear();
}

nlohmann::json Evolution::save_state() const {
  return {{"strategy", name()},
          {"rng", save_rng(rng_)},
          {"population", encode_outcomes({population_.begin(), population_.end()})},
          {"initial_asked", initial_asked_},
          {"proposed", encode_archs(proposed_)},
          {"pending", encode_candidates(pending_)}};
}

void Evolution::load_state(const nlohmann::json& state) {
  const std::string who = "evolution";
  require_state_of(state, who, name());
  try {
    Rng rng;
    load_rng(rng, state_member(state, who, "rng").get<std::string>());
    std::vector<Outcome> population = decode_outcomes(
        state_member(state, who, "population").get<std::string>(), space_, num_objectives_);
    if (population.size() > population_size_) {
      throw Error(who + " state: the population is larger than the configured one");
    }
    const auto initial = state_member(state, who, "initial_asked").get<std::size_t>();
    std::vector<Arch> proposed =
        decode_archs(state_member(state, who, "proposed").get<std::string>(), space_);
    std::vector<Candidate> pending = decode_candidates(state_member(state, who, "pending"), space_);
    rng_ = rng;
    population_.assign(population.begin(), population.end());
    initial_asked_ = initial;
    proposed_ = std::move(proposed);
    proposed_set_.clear();
    for (const Arch& a : proposed_) proposed_set_.insert(a);
    pending_ = std::move(pending);
  } catch (const nlohmann::json::exception& e) {
    throw Error(who + " state: " + e.what());
  }
}

}  // namespace nas
