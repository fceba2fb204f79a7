#include "core/mbv3_space.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/hash.h"

namespace nas {
namespace {

std::vector<int> to_ints(const std::vector<std::int64_t>& values) {
  return std::vector<int>(values.begin(), values.end());
}

std::string stage_prefix(std::size_t stage) { return "s" + std::to_string(stage + 1); }

}  // namespace

int make_divisible(double value, int divisor) {
  int rounded = std::max(divisor, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

std::string Mbv3Layout::fingerprint() const {
  nlohmann::json j;
  j["in_channels"] = in_channels;
  j["classes"] = classes;
  j["stem"] = {stem_width, stem_stride};
  for (const Stage& s : stages) {
    // A fixed activation as the flag it always was, so space names stay.
    const nlohmann::json activation = s.hswish_choices.size() == 1
                                          ? nlohmann::json(s.hswish_choices.front())
                                          : nlohmann::json(s.hswish_choices);
    j["stages"].push_back({s.width, s.stride, s.depths, s.se, activation});
  }
  if (!stem_hswish) j["stem_relu"] = true;
  if (!head_hswish) j["head_relu"] = true;
  j["kernels"] = kernels;
  j["expand_ratios"] = expand_ratios;
  j["resolutions"] = resolutions;
  j["head_width"] = head_width;
  return stable_hash_hex(j.dump());
}

Mbv3Layout mbv3_layout(const Mbv3Options& options, int in_channels, int classes) {
  if (options.stages.empty()) throw Error("mbv3 space: no stages");
  Mbv3Layout layout;
  layout.in_channels = in_channels;
  layout.classes = classes;
  layout.stem_width = make_divisible(static_cast<double>(options.stem_width) * options.width_mult);
  layout.stem_stride = static_cast<int>(options.stem_stride);
  for (const Mbv3StageOptions& s : options.stages) {
    Mbv3Layout::Stage stage;
    stage.width = make_divisible(static_cast<double>(s.width) * options.width_mult);
    stage.stride = static_cast<int>(s.stride);
    stage.depths = to_ints(s.depths);
    stage.se = s.se;
    stage.hswish_choices.clear();
    for (const std::string& a : s.activations) stage.hswish_choices.push_back(a == "hswish");
    layout.stages.push_back(stage);
  }
  layout.kernels = to_ints(options.kernels);
  layout.expand_ratios = to_ints(options.expand_ratios);
  layout.resolutions = to_ints(options.resolutions);
  layout.stem_hswish = options.stem_activation == "hswish";
  layout.head_hswish = options.head_activation == "hswish";
  layout.head_width =
      make_divisible(static_cast<double>(options.head_width) * std::max(1.0, options.width_mult));
  return layout;
}

Mbv3Layout mbv3_layout(const Mbv3Options& options, const std::string& dataset) {
  return mbv3_layout(options, dataset_shape(dataset));
}

Mbv3Layout mbv3_layout(const Mbv3Options& options, const DatasetShape& shape) {
  return mbv3_layout(options, static_cast<int>(shape.channels), static_cast<int>(shape.classes));
}

SearchSpace mbv3_space(const Mbv3Layout& layout) {
  auto names = [](const std::vector<int>& values) {
    std::vector<std::string> out;
    for (int v : values) out.push_back(std::to_string(v));
    return out;
  };
  std::vector<Decision> decisions;
  decisions.push_back({"resolution", names(layout.resolutions), "", {}});
  for (std::size_t s = 0; s < layout.stages.size(); ++s) {
    const auto& stage = layout.stages[s];
    const std::string depth_name = stage_prefix(s) + "_depth";
    decisions.push_back({depth_name, names(stage.depths), "", {}});
    if (stage.hswish_choices.size() > 1) {
      decisions.push_back({stage_prefix(s) + "_act", {"relu", "hswish"}, "", {}});
    }
    for (int b = 1; b <= stage.max_depth(); ++b) {
      std::string parent;
      std::vector<std::string> parent_values;
      if (b > stage.depths.front()) {
        parent = depth_name;
        for (int d : stage.depths) {
          if (d >= b) parent_values.push_back(std::to_string(d));
        }
      }
      const std::string block = stage_prefix(s) + "_b" + std::to_string(b);
      decisions.push_back({block + "_kernel", names(layout.kernels), parent, parent_values});
      decisions.push_back({block + "_expand", names(layout.expand_ratios), parent, parent_values});
    }
  }
  // The name leaves the data's shape out: the decisions are the same, and
  // evaluators put the shape in their keys' fidelity.
  Mbv3Layout shapeless = layout;
  shapeless.in_channels = 0;
  shapeless.classes = 0;
  return SearchSpace("mbv3-" + shapeless.fingerprint().substr(0, 8), std::move(decisions));
}

Mbv3Subnet decode_mbv3(const SearchSpace& space, const Mbv3Layout& layout, const Arch& arch) {
  space.check(arch);
  auto choice = [&](const std::string& name) {
    const auto i = space.index_of(name);
    if (!i) throw Error("space " + space.name() + ": no decision '" + name + "'");
    return space.decision(*i).choices[static_cast<std::size_t>(arch.choices[*i])];
  };
  auto value = [&](const std::string& name) { return std::stoi(choice(name)); };
  Mbv3Subnet subnet;
  subnet.resolution = value("resolution");
  subnet.stem_hswish = layout.stem_hswish;
  subnet.head_hswish = layout.head_hswish;
  for (std::size_t s = 0; s < layout.stages.size(); ++s) {
    const auto& choices = layout.stages[s].hswish_choices;
    const bool hswish =
        choices.size() > 1 ? choice(stage_prefix(s) + "_act") == "hswish" : choices.front();
    const int depth = value(stage_prefix(s) + "_depth");
    std::vector<Mbv3Block> blocks;
    for (int b = 1; b <= depth; ++b) {
      const std::string block = stage_prefix(s) + "_b" + std::to_string(b);
      blocks.push_back({value(block + "_kernel"), value(block + "_expand"), hswish});
    }
    subnet.stages.push_back(std::move(blocks));
  }
  return subnet;
}

Arch largest_arch(const SearchSpace& space) {
  Arch arch;
  for (const Decision& d : space.decisions()) {
    arch.choices.push_back(static_cast<int>(d.choices.size()) - 1);
  }
  return space.canonical(arch);
}

Arch smallest_arch(const SearchSpace& space) {
  Arch arch;
  arch.choices.assign(space.num_decisions(), 0);
  return space.canonical(arch);
}

}  // namespace nas
