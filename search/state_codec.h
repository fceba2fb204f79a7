// Compact, exact text forms of what strategies keep in their saved state.
//
// Doubles are written as the shortest decimal text that reads back as the
// same bits ("93.66", "inf", "-inf", "nan"), independent of the locale;
// nlohmann::json would write +inf as null. Architectures are their choice
// indices joined by '.', and long lists (archives of evaluated points) are
// one string each so that saving a state every step stays cheap.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/search_space.h"
#include "search/strategy.h"

namespace nas {

std::string encode_double(double value);
// Throws nas::Error if `text` is not a whole number.
double decode_double(const std::string& text);

// "3.0.4.1.2.0". Also the key of an architecture in strategies' sets.
std::string encode_arch(const Arch& arch);
// Throws nas::Error if `text` is malformed or does not fit `space`.
Arch decode_arch(const std::string& text, const SearchSpace& space);

// Outcomes as one string: "arch|obj,obj|violation;arch|...".
std::string encode_outcomes(const std::vector<Outcome>& outcomes);
// Throws nas::Error if malformed, or if an outcome does not have
// `num_objectives` values or its arch does not fit `space`.
std::vector<Outcome> decode_outcomes(const std::string& text, const SearchSpace& space,
                                     std::size_t num_objectives);

// Architectures as one string: "arch;arch;...".
std::string encode_archs(const std::vector<Arch>& archs);
std::vector<Arch> decode_archs(const std::string& text, const SearchSpace& space);

// Candidates with their parents, as a JSON array.
nlohmann::json encode_candidates(const std::vector<Candidate>& candidates);
std::vector<Candidate> decode_candidates(const nlohmann::json& j, const SearchSpace& space);

// Reads member `key` of a state object with the expected type; throws
// nas::Error naming the strategy and the key when it is missing or mistyped.
const nlohmann::json& state_member(const nlohmann::json& state, const std::string& strategy,
                                   const std::string& key);

// Throws nas::Error "<strategy> state: the state belongs to another strategy
// ('<found>')" unless the state's "strategy" member is `name`: a resume never
// feeds one strategy's state to another.
void require_state_of(const nlohmann::json& state, const std::string& strategy,
                      const std::string& name);

}  // namespace nas
