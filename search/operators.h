// Variation operators and the bookkeeping of which architectures a strategy
// has already proposed, shared by the strategies. Everything draws from the
// caller's generator with nas::uniform_index / uniform_unit only, so seeded
// runs are the same on every platform.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/random.h"
#include "core/search_space.h"
#include "search/strategy.h"

namespace nas {

// Throws nas::Error, naming `who`, unless `outcomes` answers exactly `asked`
// candidates with `num_objectives` values each: the check every tell() starts with.
void check_told(const std::string& who, const std::vector<Outcome>& outcomes, std::size_t asked,
                std::size_t num_objectives);

// `prob` when > 0, else 1 / number of decisions (the usual default).
double effective_mutation_prob(const SearchSpace& space, double prob);

// A mutant of `parent`: each decision active in the child and with more than
// one choice changes, with probability `prob`, to a different choice drawn
// uniformly; a decision that becomes active only through a change is drawn
// uniformly. At least one decision changes (one drawn uniformly from the
// active ones when the coin flips changed none), so the result differs from
// the parent unless no active decision has a second choice. Canonical.
// With `at_least_one` false, the coin flips alone decide (the textbook
// mutation applied after crossover). REQUIRES: parent is canonical and valid
// for `space`.
Arch mutate(const SearchSpace& space, const Arch& parent, double prob, Rng& rng,
            bool at_least_one = true);

// `parent` with decision `decision` (active in it) set to `choice`; the
// decisions that this switches on get a uniform choice. Canonical.
Arch change_decision(const SearchSpace& space, const Arch& parent, std::size_t decision,
                     int choice, Rng& rng);

// Uniform crossover: each decision from `a` or `b` with probability 1/2; a
// decision taken from a parent in which it is inactive comes from the other
// parent if active there, else is drawn uniformly. Canonical.
Arch uniform_crossover(const SearchSpace& space, const Arch& a, const Arch& b, Rng& rng);

// A set of canonical architectures, keyed by their encode_arch text.
class ArchSet {
 public:
  // True when newly inserted.
  bool insert(const Arch& arch);
  bool contains(const Arch& arch) const;
  std::size_t size() const { return keys_.size(); }
  void clear() { keys_.clear(); }

 private:
  std::unordered_set<std::string> keys_;
};

// Up to `tries` uniform samples until one is in neither `seen` nor `extra`;
// returns the last sample when all tries failed (a repeat), so that tiny or
// exhausted spaces still terminate.
Arch sample_unseen(const SearchSpace& space, const ArchSet& seen, const ArchSet& extra,
                   std::size_t tries, Rng& rng);

// The architecture an initial population's member number `index` starts
// from: the named corner `initial[index]` ("largest": every decision at its
// last choice, "smallest": at its first) while there is one and it is unseen,
// else an unseen uniform sample. On a supernet the corners are the two
// subnets the sandwich rule trains at every step, the best-trained ends of
// the front, which a short search would otherwise rarely draw.
Arch initial_member(const SearchSpace& space, const std::vector<std::string>& initial,
                    std::size_t index, const ArchSet& seen, const ArchSet& extra,
                    std::size_t tries, Rng& rng);

}  // namespace nas
