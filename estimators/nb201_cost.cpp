#include "estimators/nb201_cost.h"

#include <algorithm>
#include <string>

#include "core/errors.h"
#include "estimators/gp_predictor.h"

namespace nas {
namespace {

// (to, from) of each edge, in the benchmark's order.
constexpr int kTo[6] = {1, 2, 2, 3, 3, 3};
constexpr int kFrom[6] = {0, 0, 1, 0, 1, 2};
constexpr int kChannels[3] = {16, 32, 64};
constexpr int kSide[3] = {32, 16, 8};
constexpr int kCellsPerStage = 5;

}  // namespace

Nb201Cost nb201_cost(const SearchSpace& space, const Arch& arch) {
  if (space.num_decisions() != 6) throw Error("nb201_cost: not the nb201 space (" + space.name() + ")");
  space.check(arch);
  std::array<std::string, 6> op;
  for (std::size_t e = 0; e < 6; ++e) {
    op[e] = space.decision(e).choices[static_cast<std::size_t>(arch.choices[e])];
  }
  // Forward reachability from node 0, backward from node 3, over non-none edges.
  bool from_input[4] = {true, false, false, false};
  for (int node = 1; node < 4; ++node) {
    for (int e = 0; e < 6; ++e) {
      if (kTo[e] == node && op[e] != "none" && from_input[kFrom[e]]) from_input[node] = true;
    }
  }
  bool to_output[4] = {false, false, false, true};
  for (int node = 2; node >= 0; --node) {
    for (int e = 0; e < 6; ++e) {
      if (kFrom[e] == node && op[e] != "none" && to_output[kTo[e]]) to_output[node] = true;
    }
  }
  Nb201Cost c;
  c.degenerate = !from_input[3];
  for (std::size_t e = 0; e < 6; ++e) {
    const std::string& o = op[e];
    c.to_output_op[e] = -1;
    const int type = o == "nor_conv_3x3" ? 0 : o == "nor_conv_1x1" ? 1 : o == "avg_pool_3x3" ? 2
                   : o == "skip_connect" ? 3 : -1;
    if (type < 0) continue;
    const auto t = static_cast<std::size_t>(type);
    ++c.all[t];
    if (to_output[kTo[e]]) {
      ++c.to_output[t];
      c.to_output_op[e] = type;
    }
    if (from_input[kFrom[e]]) ++c.from_input[t];
    if (to_output[kTo[e]] && from_input[kFrom[e]]) ++c.live_counts[t];
  }
  if (c.degenerate) return c;
  for (int e = 0; e < 6; ++e) {
    const bool live = op[e] != "none" && from_input[kFrom[e]] && to_output[kTo[e]];
    c.live[static_cast<std::size_t>(e)] = live ? 1 : 0;
    if (!live) continue;
    const std::string& o = op[static_cast<std::size_t>(e)];
    for (int s = 0; s < 3; ++s) {
      const double ch = kChannels[s], px = double(kSide[s]) * kSide[s], cells = kCellsPerStage;
      if (o == "nor_conv_3x3") {
        c.macs += cells * px * ch * ch * 9;
        c.params += cells * (ch * ch * 9 + 2 * ch);
      } else if (o == "nor_conv_1x1") {
        c.macs += cells * px * ch * ch;
        c.params += cells * (ch * ch + 2 * ch);
      } else if (o == "avg_pool_3x3") {
        c.macs += cells * px * ch * 9;
      }
    }
    if (o == "nor_conv_3x3") ++c.live_conv3x3;
    else if (o == "nor_conv_1x1") ++c.live_conv1x1;
    else if (o == "avg_pool_3x3") ++c.live_pool;
    else if (o == "skip_connect") ++c.live_skip;
  }
  return c;
}

FeatureFunction nb201_features(const SearchSpace& space, unsigned mask) {
  return [&space, mask](const Arch& arch) {
    const Nb201Cost c = nb201_cost(space, arch);
    std::vector<double> f;
    unsigned bit = 1;
    for (const OpCounts* counts : {&c.all, &c.to_output, &c.from_input, &c.live_counts}) {
      if (mask & bit) {
        for (int n : *counts) f.push_back(n);
      }
      bit <<= 1;
    }
    f.push_back(c.macs / 1e6);
    return f;
  };
}

CodeFunction nb201_codes(const SearchSpace& space) {
  return [&space](const Arch& arch) {
    const Nb201Cost c = nb201_cost(space, arch);
    std::vector<int> codes(arch.choices.begin(), arch.choices.end());
    codes.insert(codes.end(), c.to_output_op.begin(), c.to_output_op.end());
    return codes;
  };
}

Arch nb201_without_dead_ops(const SearchSpace& space, const Arch& arch) {
  const Nb201Cost c = nb201_cost(space, arch);
  if (c.degenerate) return arch;
  const std::vector<std::string>& ops = space.decision(0).choices;
  const auto none = static_cast<int>(std::find(ops.begin(), ops.end(), "none") - ops.begin());
  Arch out = arch;
  for (std::size_t e = 0; e < 6; ++e) {
    if (!c.live[e]) out.choices[e] = none;
  }
  return out;
}

CodeFunction nb201_live_codes(const SearchSpace& space) {
  return [&space](const Arch& arch) {
    const Nb201Cost c = nb201_cost(space, arch);
    std::vector<int> codes;
    for (std::size_t e = 0; e < 6; ++e) codes.push_back(c.live[e] ? arch.choices[e] : -1);
    return codes;
  };
}

std::vector<FeatureView> nb201_count_views(const SearchSpace& space) {
  const auto view = [&space](std::string name, OpCounts Nb201Cost::*counts) {
    return FeatureView{std::move(name), [&space, counts](const Arch& arch) {
                         const OpCounts c = nb201_cost(space, arch).*counts;
                         return std::vector<double>(c.begin(), c.end());
                       }};
  };
  return {view("all ops", &Nb201Cost::all), view("ops reaching the output", &Nb201Cost::to_output),
          view("live ops", &Nb201Cost::live_counts)};
}

std::vector<FeatureView> default_feature_views(const SearchSpace& space) {
  if (space.name() == "nb201") return nb201_count_views(space);
  return {};
}

FeatureFunction default_features(const SearchSpace& space) {
  if (space.name() == "nb201") return nb201_features(space, kNb201AllOps | kNb201OpsToOutput);
  return {};
}

namespace {

// The hyperparameter grid of the search predictors: small enough to refit
// on every ask of a search.
GpOptions search_gp_grid() {
  GpOptions gp;
  gp.linear_weights = {0.0, 0.3};
  gp.feature_weights = {0.0, 0.3, 0.7};
  gp.thetas = {1, 4, 16};
  gp.gammas = {0.25, 1};
  gp.noises = {1e-3, 1e-2, 0.1};
  return gp;
}

}  // namespace

std::unique_ptr<Predictor> make_search_predictor(const SearchSpace& space) {
  GpOptions gp = search_gp_grid();
  gp.features = default_features(space);
  return std::make_unique<GpPredictor>(space, gp);
}

std::unique_ptr<Predictor> make_accuracy_predictor(const SearchSpace& space, double best) {
  if (!(best > 0)) throw Error("accuracy predictor: the best possible accuracy must be > 0");
  GpOptions gp = search_gp_grid();
  gp.log_target = true;
  // 0.1 % above the best possible accuracy, so that a perfect score stays finite.
  gp.log_floor = -best * 1.001;
  if (space.name() == "nb201") {
    gp.codes = nb201_live_codes(space);
    gp.features = nb201_features(space, kNb201LiveOps);
  }
  return std::make_unique<GpPredictor>(space, gp);
}

}  // namespace nas
