// Search spaces and architectures.
//
// A SearchSpace is an ordered list of named categorical decisions (kernel size
// of a block, an op per cell edge, a stage's depth). A decision may be active
// only when an earlier decision holds one of some values (block 4 of a stage
// exists only when the stage's depth is 4). An Arch assigns a choice to every
// decision; choices of inactive decisions carry no meaning, so the canonical
// form drops them and two encodings of one network share one id.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/random.h"

namespace nas {

struct Decision {
  std::string name;
  std::vector<std::string> choices;
  // When set, the decision is active only if decision `parent` is active and
  // holds one of `parent_values`. The parent must come earlier in the space.
  std::string parent;
  std::vector<std::string> parent_values;
};

// One choice index per decision of its space, in the space's order.
struct Arch {
  std::vector<int> choices;
  bool operator==(const Arch& other) const { return choices == other.choices; }
  bool operator!=(const Arch& other) const { return !(*this == other); }
};

class SearchSpace {
 public:
  // Throws nas::Error if names repeat, a decision has no choices, or a parent
  // is unknown, later than its child, or lacks a named value.
  SearchSpace(std::string name, std::vector<Decision> decisions);

  const std::string& name() const { return name_; }
  std::size_t num_decisions() const { return decisions_.size(); }
  const Decision& decision(std::size_t i) const { return decisions_.at(i); }
  const std::vector<Decision>& decisions() const { return decisions_; }
  std::optional<std::size_t> index_of(std::string_view decision_name) const;

  // Number of distinct canonical architectures (exact, as a double because
  // large spaces exceed 64 bits).
  double cardinality() const;

  // Whether decision i matters for `arch`. REQUIRES: valid(arch).
  bool is_active(const Arch& arch, std::size_t i) const;

  // Throws nas::Error naming the first bad decision if `arch` does not fit.
  void check(const Arch& arch) const;

  // The same network with every inactive choice set to 0, so that equal
  // networks have equal vectors.
  Arch canonical(const Arch& arch) const;

  // Uniformly random choice for every decision, canonicalised.
  Arch sample(Rng& rng) const;

  // {"decision": "choice", ...} over the active decisions, keys sorted.
  nlohmann::json to_json(const Arch& arch) const;
  std::string canonical_json(const Arch& arch) const;  // compact dump of to_json

  // Parses an object of decision -> choice. Inactive decisions may be given
  // or left out; an active one left out, an unknown decision or an unknown
  // choice is a nas::Error that names it.
  Arch from_json(const nlohmann::json& j) const;

  // Stable 16-hex-digit id: a hash of the space name and canonical JSON.
  std::string id(const Arch& arch) const;

 private:
  struct Condition {
    int parent = -1;            // index of the parent decision, -1 = always active
    std::vector<bool> allowed;  // per parent choice
  };

  std::string name_;
  std::vector<Decision> decisions_;
  std::vector<Condition> conditions_;
};

}  // namespace nas
