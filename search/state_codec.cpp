#include "search/state_codec.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "core/errors.h"

namespace nas {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::string encode_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest text that reads back as the same bits, whatever the locale.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

double decode_double(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != end) {
    throw Error("strategy state: malformed number '" + text + "'");
  }
  return value;
}

std::string encode_arch(const Arch& arch) {
  std::string out;
  out.reserve(arch.choices.size() * 2);
  for (std::size_t i = 0; i < arch.choices.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(arch.choices[i]);
  }
  return out;
}

Arch decode_arch(const std::string& text, const SearchSpace& space) {
  Arch arch;
  if (!text.empty()) {
    for (const std::string& part : split(text, '.')) {
      if (part.empty() || part.size() > 9 ||
          part.find_first_not_of("0123456789") != std::string::npos) {
        throw Error("strategy state: malformed architecture '" + text + "'");
      }
      arch.choices.push_back(std::stoi(part));
    }
  }
  if (arch.choices.size() != space.num_decisions()) {
    throw Error("strategy state: architecture '" + text + "' does not have " +
                std::to_string(space.num_decisions()) + " decisions of space " + space.name());
  }
  space.check(arch);
  return arch;
}

std::string encode_outcomes(const std::vector<Outcome>& outcomes) {
  std::string out;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (i) out += ';';
    out += encode_arch(outcomes[i].arch);
    out += '|';
    for (std::size_t k = 0; k < outcomes[i].objectives.size(); ++k) {
      if (k) out += ',';
      out += encode_double(outcomes[i].objectives[k]);
    }
    out += '|';
    out += encode_double(outcomes[i].violation);
  }
  return out;
}

std::vector<Outcome> decode_outcomes(const std::string& text, const SearchSpace& space,
                                     std::size_t num_objectives) {
  std::vector<Outcome> out;
  if (text.empty()) return out;
  for (const std::string& item : split(text, ';')) {
    const std::vector<std::string> fields = split(item, '|');
    if (fields.size() != 3) throw Error("strategy state: malformed outcome '" + item + "'");
    Outcome o;
    o.arch = decode_arch(fields[0], space);
    for (const std::string& v : split(fields[1], ',')) o.objectives.push_back(decode_double(v));
    if (o.objectives.size() != num_objectives) {
      throw Error("strategy state: outcome '" + item + "' does not have " +
                  std::to_string(num_objectives) + " objectives");
    }
    o.violation = decode_double(fields[2]);
    out.push_back(std::move(o));
  }
  return out;
}

std::string encode_archs(const std::vector<Arch>& archs) {
  std::string out;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (i) out += ';';
    out += encode_arch(archs[i]);
  }
  return out;
}

std::vector<Arch> decode_archs(const std::string& text, const SearchSpace& space) {
  std::vector<Arch> out;
  if (text.empty()) return out;
  for (const std::string& item : split(text, ';')) out.push_back(decode_arch(item, space));
  return out;
}

nlohmann::json encode_candidates(const std::vector<Candidate>& candidates) {
  nlohmann::json out = nlohmann::json::array();
  for (const Candidate& c : candidates) {
    out.push_back({{"arch", encode_arch(c.arch)}, {"parents", encode_archs(c.parents)}});
  }
  return out;
}

std::vector<Candidate> decode_candidates(const nlohmann::json& j, const SearchSpace& space) {
  if (!j.is_array()) throw Error("strategy state: pending candidates must be a list");
  std::vector<Candidate> out;
  for (const nlohmann::json& item : j) {
    if (!item.is_object() || !item.contains("arch") || !item["arch"].is_string() ||
        !item.contains("parents") || !item["parents"].is_string()) {
      throw Error("strategy state: malformed pending candidate " + item.dump());
    }
    Candidate c;
    c.arch = decode_arch(item["arch"].get<std::string>(), space);
    c.parents = decode_archs(item["parents"].get<std::string>(), space);
    out.push_back(std::move(c));
  }
  return out;
}

const nlohmann::json& state_member(const nlohmann::json& state, const std::string& strategy,
                                   const std::string& key) {
  if (!state.is_object()) throw Error(strategy + " state: expected a JSON object");
  auto it = state.find(key);
  if (it == state.end()) throw Error(strategy + " state: '" + key + "' is missing");
  return *it;
}

void require_state_of(const nlohmann::json& state, const std::string& strategy,
                      const std::string& name) {
  const nlohmann::json& found = state_member(state, strategy, "strategy");
  if (found != name) {
    throw Error(strategy + " state: the state belongs to another strategy (" + found.dump() + ")");
  }
}

}  // namespace nas
