// Helpers shared by the strategy tests: a tiny space, objective functions
// over it, and a driver that plays the search loop (repeats answered free).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/search_space.h"
#include "search/state_codec.h"
#include "search/strategy.h"

namespace nas::test {

// 3 decisions x 4 choices = 64 architectures; "b" and "c" active always.
inline SearchSpace tiny_space() {
  return SearchSpace("tiny", {{"a", {"0", "1", "2", "3"}, "", {}},
                              {"b", {"0", "1", "2", "3"}, "", {}},
                              {"c", {"0", "1", "2", "3"}, "", {}}});
}

// A space with a conditional decision: "extra" exists only when depth is "2".
inline SearchSpace conditional_space() {
  return SearchSpace("cond", {{"depth", {"1", "2"}, "", {}},
                              {"k", {"3", "5", "7"}, "", {}},
                              {"extra", {"3", "5", "7"}, "depth", {"2"}}});
}

using Objectives = std::function<Outcome(const Arch&)>;

// Two conflicting objectives on the tiny space: f0 = distance of every choice
// to 3, f1 = sum of choices; plus an excluded corner (all zeros).
inline Outcome tiny_outcome(const Arch& arch) {
  Outcome o;
  o.arch = arch;
  double f0 = 0, f1 = 0;
  for (int c : arch.choices) {
    f0 += (3 - c) * (3 - c);
    f1 += c;
  }
  o.objectives = {f0, f1 + 0.1 * arch.choices[0]};
  return o;
}

struct Trace {
  std::vector<std::string> asked;  // every proposal, in order
  std::vector<std::string> distinct;
  std::vector<Outcome> outcomes;   // of distinct architectures, in query order
  std::vector<std::string> states;  // save_state() dump after each tell
};

// Asks batches of `batch` until `queries` distinct architectures were
// evaluated (or `max_steps` steps), telling every outcome.
inline Trace drive(Strategy& strategy, const Objectives& f, std::size_t queries,
                   std::size_t batch, std::size_t max_steps = 10000) {
  Trace t;
  std::map<std::string, bool> seen;
  for (std::size_t step = 0; step < max_steps && t.distinct.size() < queries; ++step) {
    const std::vector<Candidate> candidates = strategy.ask(batch);
    std::vector<Outcome> outcomes;
    for (const Candidate& c : candidates) {
      const std::string key = encode_arch(c.arch);
      t.asked.push_back(key);
      outcomes.push_back(f(c.arch));
      if (!seen[key]) {
        seen[key] = true;
        t.distinct.push_back(key);
        t.outcomes.push_back(outcomes.back());
      }
    }
    strategy.tell(outcomes);
    t.states.push_back(strategy.save_state().dump());
  }
  return t;
}

}  // namespace nas::test
