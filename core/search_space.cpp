#include "core/search_space.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/errors.h"
#include "core/hash.h"

namespace nas {

SearchSpace::SearchSpace(std::string name, std::vector<Decision> decisions)
    : name_(std::move(name)), decisions_(std::move(decisions)) {
  std::unordered_set<std::string> seen;
  conditions_.resize(decisions_.size());
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    const Decision& d = decisions_[i];
    const std::string where = "space " + name_ + ", decision '" + d.name + "'";
    if (d.name.empty()) throw Error("space " + name_ + ": a decision has no name");
    if (!seen.insert(d.name).second) throw Error(where + ": name repeats");
    if (d.choices.empty()) throw Error(where + ": has no choices");
    if (d.parent.empty()) continue;
    auto p = index_of(d.parent);
    if (!p || *p >= i) {
      throw Error(where + ": parent '" + d.parent + "' is not an earlier decision");
    }
    const Decision& parent = decisions_[*p];
    Condition& c = conditions_[i];
    c.parent = static_cast<int>(*p);
    c.allowed.assign(parent.choices.size(), false);
    for (const std::string& v : d.parent_values) {
      auto it = std::find(parent.choices.begin(), parent.choices.end(), v);
      if (it == parent.choices.end()) {
        throw Error(where + ": parent '" + d.parent + "' has no choice '" + v + "'");
      }
      c.allowed[static_cast<std::size_t>(it - parent.choices.begin())] = true;
    }
  }
}

std::optional<std::size_t> SearchSpace::index_of(std::string_view decision_name) const {
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    if (decisions_[i].name == decision_name) return i;
  }
  return std::nullopt;
}

double SearchSpace::cardinality() const {
  // Conditions form a forest; a decision's subtree count is the sum over its
  // choices of the product of the counts of the children active at it.
  std::vector<std::vector<std::size_t>> children(decisions_.size());
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    if (conditions_[i].parent >= 0) {
      children[static_cast<std::size_t>(conditions_[i].parent)].push_back(i);
    }
  }
  std::function<double(std::size_t)> count = [&](std::size_t d) {
    double total = 0;
    for (std::size_t v = 0; v < decisions_[d].choices.size(); ++v) {
      double product = 1;
      for (std::size_t c : children[d]) {
        if (conditions_[c].allowed[v]) product *= count(c);
      }
      total += product;
    }
    return total;
  };
  double total = 1;
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    if (conditions_[i].parent < 0) total *= count(i);
  }
  return total;
}

bool SearchSpace::is_active(const Arch& arch, std::size_t i) const {
  // Walk up the chain of parents; every link must hold.
  std::size_t d = i;
  while (conditions_[d].parent >= 0) {
    const Condition& c = conditions_[d];
    const auto parent = static_cast<std::size_t>(c.parent);
    if (!c.allowed[static_cast<std::size_t>(arch.choices[parent])]) return false;
    d = parent;
  }
  return true;
}

void SearchSpace::check(const Arch& arch) const {
  if (arch.choices.size() != decisions_.size()) {
    throw Error("space " + name_ + ": architecture has " +
                std::to_string(arch.choices.size()) + " choices, expected " +
                std::to_string(decisions_.size()));
  }
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    const int c = arch.choices[i];
    if (c < 0 || static_cast<std::size_t>(c) >= decisions_[i].choices.size()) {
      throw Error("space " + name_ + ", decision '" + decisions_[i].name +
                  "': choice index " + std::to_string(c) + " is out of range");
    }
  }
}

Arch SearchSpace::canonical(const Arch& arch) const {
  Arch out = arch;
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    if (!is_active(arch, i)) out.choices[i] = 0;
  }
  return out;
}

Arch SearchSpace::sample(Rng& rng) const {
  Arch arch;
  arch.choices.reserve(decisions_.size());
  for (const Decision& d : decisions_) {
    arch.choices.push_back(static_cast<int>(uniform_index(rng, d.choices.size())));
  }
  return canonical(arch);
}

nlohmann::json SearchSpace::to_json(const Arch& arch) const {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    if (is_active(arch, i)) {
      j[decisions_[i].name] =
          decisions_[i].choices[static_cast<std::size_t>(arch.choices[i])];
    }
  }
  return j;
}

std::string SearchSpace::canonical_json(const Arch& arch) const {
  return to_json(arch).dump();
}

Arch SearchSpace::from_json(const nlohmann::json& j) const {
  if (!j.is_object()) throw Error("space " + name_ + ": an architecture must be a JSON object");
  for (const auto& item : j.items()) {
    if (!index_of(item.key())) {
      throw Error("space " + name_ + ": unknown decision '" + item.key() + "'");
    }
  }
  Arch arch;
  arch.choices.assign(decisions_.size(), 0);
  std::vector<bool> given(decisions_.size(), false);
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    const Decision& d = decisions_[i];
    auto it = j.find(d.name);
    if (it == j.end()) continue;
    // Choices are strings; numbers are accepted for numeric choices ("3").
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    auto c = std::find(d.choices.begin(), d.choices.end(), value);
    if (c == d.choices.end()) {
      throw Error("space " + name_ + ", decision '" + d.name + "': unknown choice '" +
                  value + "'");
    }
    arch.choices[i] = static_cast<int>(c - d.choices.begin());
    given[i] = true;
  }
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    if (!given[i] && is_active(arch, i)) {
      throw Error("space " + name_ + ": decision '" + decisions_[i].name + "' is missing");
    }
  }
  return canonical(arch);
}

std::string SearchSpace::id(const Arch& arch) const {
  return stable_hash_hex(name_ + "\n" + canonical_json(arch));
}

}  // namespace nas
