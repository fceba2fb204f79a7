#include "search/operators.h"

#include "core/errors.h"
#include "core/mbv3_space.h"

#include "search/state_codec.h"

namespace nas {
namespace {

int other_choice(const Decision& d, int current, Rng& rng) {
  // Uniform over the choices other than `current`.
  const int drawn = static_cast<int>(uniform_index(rng, d.choices.size() - 1));
  return drawn >= current ? drawn + 1 : drawn;
}

}  // namespace

void check_told(const std::string& who, const std::vector<Outcome>& outcomes, std::size_t asked,
                std::size_t num_objectives) {
  if (outcomes.size() != asked) {
    throw Error(who + ": told " + std::to_string(outcomes.size()) + " outcomes for " +
                std::to_string(asked) + " candidates");
  }
  for (const Outcome& o : outcomes) {
    if (o.objectives.size() != num_objectives) {
      throw Error(who + ": an outcome has " + std::to_string(o.objectives.size()) +
                  " objectives, expected " + std::to_string(num_objectives));
    }
  }
}

double effective_mutation_prob(const SearchSpace& space, double prob) {
  if (prob > 0) return prob;
  return space.num_decisions() ? 1.0 / static_cast<double>(space.num_decisions()) : 1.0;
}

Arch mutate(const SearchSpace& space, const Arch& parent, double prob, Rng& rng,
            bool at_least_one) {
  Arch child = parent;
  bool changed = false;
  for (std::size_t i = 0; i < space.num_decisions(); ++i) {
    if (!space.is_active(child, i)) continue;
    const Decision& d = space.decision(i);
    if (!space.is_active(parent, i)) {
      // Newly switched on by an earlier change: its canonical 0 means nothing.
      child.choices[i] = static_cast<int>(uniform_index(rng, d.choices.size()));
      continue;
    }
    if (d.choices.size() < 2) continue;
    if (uniform_unit(rng) < prob) {
      child.choices[i] = other_choice(d, child.choices[i], rng);
      changed = true;
    }
  }
  if (!changed && at_least_one) {
    std::vector<std::size_t> mutable_decisions;
    for (std::size_t i = 0; i < space.num_decisions(); ++i) {
      if (space.is_active(parent, i) && space.decision(i).choices.size() > 1) {
        mutable_decisions.push_back(i);
      }
    }
    if (mutable_decisions.empty()) return space.canonical(parent);
    const std::size_t i = mutable_decisions[uniform_index(rng, mutable_decisions.size())];
    return change_decision(space, parent, i, other_choice(space.decision(i), parent.choices[i], rng),
                           rng);
  }
  return space.canonical(child);
}

Arch change_decision(const SearchSpace& space, const Arch& parent, std::size_t decision,
                     int choice, Rng& rng) {
  Arch child = parent;
  child.choices[decision] = choice;
  // Decisions switched on by this change get a uniform choice.
  for (std::size_t j = decision + 1; j < space.num_decisions(); ++j) {
    if (space.is_active(child, j) && !space.is_active(parent, j)) {
      child.choices[j] = static_cast<int>(uniform_index(rng, space.decision(j).choices.size()));
    }
  }
  return space.canonical(child);
}

Arch uniform_crossover(const SearchSpace& space, const Arch& a, const Arch& b, Rng& rng) {
  Arch child = a;
  for (std::size_t i = 0; i < space.num_decisions(); ++i) {
    const bool from_a = uniform_unit(rng) < 0.5;
    const Arch& first = from_a ? a : b;
    const Arch& second = from_a ? b : a;
    if (!space.is_active(child, i)) {
      child.choices[i] = 0;
    } else if (space.is_active(first, i)) {
      child.choices[i] = first.choices[i];
    } else if (space.is_active(second, i)) {
      child.choices[i] = second.choices[i];
    } else {
      child.choices[i] = static_cast<int>(uniform_index(rng, space.decision(i).choices.size()));
    }
  }
  return space.canonical(child);
}

bool ArchSet::insert(const Arch& arch) { return keys_.insert(encode_arch(arch)).second; }

bool ArchSet::contains(const Arch& arch) const { return keys_.count(encode_arch(arch)) > 0; }

Arch sample_unseen(const SearchSpace& space, const ArchSet& seen, const ArchSet& extra,
                   std::size_t tries, Rng& rng) {
  Arch arch = space.sample(rng);
  for (std::size_t t = 1; t < tries && (seen.contains(arch) || extra.contains(arch)); ++t) {
    arch = space.sample(rng);
  }
  return arch;
}

Arch initial_member(const SearchSpace& space, const std::vector<std::string>& initial,
                    std::size_t index, const ArchSet& seen, const ArchSet& extra,
                    std::size_t tries, Rng& rng) {
  if (index < initial.size()) {
    const std::string& name = initial[index];
    if (name != "largest" && name != "smallest") {
      throw Error("initial architecture \"" + name + "\": expected \"largest\" or \"smallest\"");
    }
    const Arch corner = name == "largest" ? largest_arch(space) : smallest_arch(space);
    if (!seen.contains(corner) && !extra.contains(corner)) return corner;
  }
  return sample_unseen(space, seen, extra, tries, rng);
}

}  // namespace nas
