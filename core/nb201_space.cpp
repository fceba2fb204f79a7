#include "core/nb201_space.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/errors.h"

namespace nas {
namespace {

// (to, from) for each edge, in the benchmark's order.
constexpr std::array<std::pair<int, int>, 6> kEdges = {
    {{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2}}};

const std::vector<std::string>& ops() {
  static const std::vector<std::string> kOps = {"none", "skip_connect", "nor_conv_1x1",
                                                "nor_conv_3x3", "avg_pool_3x3"};
  return kOps;
}

}  // namespace

SearchSpace nb201_space() {
  std::vector<Decision> decisions;
  for (auto [to, from] : kEdges) {
    decisions.push_back(
        {"edge_" + std::to_string(to) + "_" + std::to_string(from), ops(), "", {}});
  }
  return SearchSpace("nb201", std::move(decisions));
}

std::string nb201_to_string(const SearchSpace& space, const Arch& arch) {
  space.check(arch);
  std::string out;
  int node = 0;
  for (std::size_t e = 0; e < kEdges.size(); ++e) {
    if (kEdges[e].first != node) {
      out += node == 0 ? "|" : "+|";
      node = kEdges[e].first;
    }
    out += space.decision(e).choices[static_cast<std::size_t>(arch.choices[e])];
    out += "~" + std::to_string(kEdges[e].second) + "|";
  }
  return out;
}

Arch nb201_from_string(const SearchSpace& space, const std::string& cell) {
  const auto fail = [&](const std::string& why) {
    return Error("NAS-Bench-201 cell '" + cell + "': " + why);
  };
  Arch arch;
  std::size_t pos = 0;
  for (std::size_t e = 0; e < kEdges.size(); ++e) {
    if (e > 0 && kEdges[e].first != kEdges[e - 1].first) {
      if (cell.compare(pos, 1, "+") != 0) throw fail("expected '+' between nodes");
      ++pos;
    }
    if (e == 0 || kEdges[e].first != kEdges[e - 1].first) {
      if (cell.compare(pos, 1, "|") != 0) throw fail("expected '|'");
      ++pos;
    }
    const std::size_t tilde = cell.find('~', pos);
    const std::size_t bar = cell.find('|', pos);
    if (tilde == std::string::npos || bar == std::string::npos || tilde > bar) {
      throw fail("expected 'op~input|' for edge " + space.decision(e).name);
    }
    const std::string op = cell.substr(pos, tilde - pos);
    const std::string from = cell.substr(tilde + 1, bar - tilde - 1);
    auto it = std::find(ops().begin(), ops().end(), op);
    if (it == ops().end()) throw fail("unknown operation '" + op + "'");
    if (from != std::to_string(kEdges[e].second)) {
      throw fail("edge " + space.decision(e).name + " must read from node " +
                 std::to_string(kEdges[e].second));
    }
    arch.choices.push_back(static_cast<int>(it - ops().begin()));
    pos = bar + 1;
  }
  if (pos != cell.size()) throw fail("unexpected text after the last edge");
  return arch;
}

}  // namespace nas
