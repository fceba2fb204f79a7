#include "core/mbv3_notation.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/text.h"

namespace nas {
namespace {

std::string stage_prefix(std::size_t stage) { return "s" + std::to_string(stage + 1); }

std::size_t stage_count(const SearchSpace& space) {
  std::size_t n = 0;
  while (space.index_of(stage_prefix(n) + "_depth")) ++n;
  return n;
}

// A stage that decides its activation ("relu" or "hswish").
bool decides_activation(const SearchSpace& space, std::size_t stage) {
  return space.index_of(stage_prefix(stage) + "_act").has_value();
}

// Every kernel and expand choice is one character long: values run together.
bool single_digits(const SearchSpace& space) {
  for (const Decision& d : space.decisions()) {
    if (d.name == "resolution" || d.name.size() < 4 ||
        d.name.compare(d.name.size() - 4, 4, "_act") == 0) {
      continue;
    }
    for (const std::string& c : d.choices) {
      if (c.size() != 1) return false;
    }
  }
  return true;
}

std::string choice_of(const SearchSpace& space, const Arch& arch, const std::string& name) {
  const std::size_t i = *space.index_of(name);
  return space.decision(i).choices[static_cast<std::size_t>(arch.choices[i])];
}

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, by)) out.push_back(part);
  if (!text.empty() && text.back() == by) out.emplace_back();
  return out;
}

}  // namespace

bool is_mbv3_space(const SearchSpace& space) {
  return space.name().rfind("mbv3-", 0) == 0 && space.index_of("resolution") &&
         stage_count(space) > 0;
}

std::string mbv3_notation(const SearchSpace& space, const Arch& arch) {
  const std::string sep = single_digits(space) ? "" : ",";
  std::string out = "r" + choice_of(space, arch, "resolution");
  for (std::size_t s = 0; s < stage_count(space); ++s) {
    const std::string depth = choice_of(space, arch, stage_prefix(s) + "_depth");
    std::string kernels, expands;
    for (int b = 1; b <= std::stoi(depth); ++b) {
      const std::string block = stage_prefix(s) + "_b" + std::to_string(b);
      kernels += (b > 1 ? sep : "") + choice_of(space, arch, block + "_kernel");
      expands += (b > 1 ? sep : "") + choice_of(space, arch, block + "_expand");
    }
    out += " | d" + depth + " k" + kernels + " e" + expands;
    if (decides_activation(space, s)) out += " " + choice_of(space, arch, stage_prefix(s) + "_act");
  }
  return out;
}

Arch parse_mbv3_notation(const SearchSpace& space, const std::string& text) {
  const auto fail = [&](const std::string& why) {
    return UsageError("architecture '" + text + "': " + why +
                      " (expected e.g. 'r28 | d3 k777 e666 | d2 k73 e66', see docs/reports.md)");
  };
  const std::size_t stages = stage_count(space);
  const std::vector<std::string> groups = split(text, '|');
  if (groups.size() != stages + 1) {
    throw fail("has " + std::to_string(groups.size()) + " groups, the space needs " +
               std::to_string(stages + 1) + " (the resolution, then one per stage)");
  }
  const bool packed = single_digits(space);
  auto values = [&](const std::string& word) {
    const std::string rest = word.substr(1);
    if (!packed) return split(rest, ',');
    std::vector<std::string> out;
    for (char c : rest) out.emplace_back(1, c);
    return out;
  };
  nlohmann::json j = nlohmann::json::object();
  const std::string resolution = trim(groups[0]);
  if (resolution.size() < 2 || resolution[0] != 'r') throw fail("no 'r<resolution>' first");
  j["resolution"] = resolution.substr(1);
  for (std::size_t s = 0; s < stages; ++s) {
    std::istringstream in(groups[s + 1]);
    std::string d, k, e, activation, extra;
    in >> d >> k >> e;
    const std::string where = "stage " + std::to_string(s + 1);
    const bool decides = decides_activation(space, s);
    if (decides) in >> activation;
    if (d.size() < 2 || d[0] != 'd' || k.empty() || k[0] != 'k' || e.empty() || e[0] != 'e' ||
        (in >> extra)) {
      throw fail(where + " is not 'd<depth> k<kernels> e<expands>" +
                 (decides ? " relu|hswish'" : "'"));
    }
    if (decides) {
      if (activation != "relu" && activation != "hswish") {
        throw fail(where + " decides its activation: it ends in 'relu' or 'hswish'");
      }
      j[stage_prefix(s) + "_act"] = activation;
    }
    const std::string depth = d.substr(1);
    const std::vector<std::string> kernels = values(k), expands = values(e);
    int blocks = 0;
    try {
      blocks = std::stoi(depth);
    } catch (const std::exception&) {
      throw fail(where + ": depth '" + depth + "' is not a number");
    }
    const Decision& depth_decision = space.decision(*space.index_of(stage_prefix(s) + "_depth"));
    if (std::find(depth_decision.choices.begin(), depth_decision.choices.end(), depth) ==
        depth_decision.choices.end()) {
      std::string known;
      for (const std::string& c : depth_decision.choices) known += (known.empty() ? "" : ", ") + c;
      throw fail(where + ": depth " + depth + " is not one of " + known);
    }
    if (kernels.size() != static_cast<std::size_t>(blocks) ||
        expands.size() != static_cast<std::size_t>(blocks)) {
      throw fail(where + ": depth " + depth + " needs " + depth + " kernels and " + depth +
                 " expand ratios");
    }
    j[stage_prefix(s) + "_depth"] = depth;
    for (int b = 1; b <= blocks; ++b) {
      const std::string block = stage_prefix(s) + "_b" + std::to_string(b);
      j[block + "_kernel"] = kernels[static_cast<std::size_t>(b - 1)];
      j[block + "_expand"] = expands[static_cast<std::size_t>(b - 1)];
    }
  }
  try {
    return space.from_json(j);
  } catch (const Error& err) {
    throw fail(err.what());
  }
}

}  // namespace nas
