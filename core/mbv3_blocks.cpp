#include "core/mbv3_blocks.h"

#include <set>

#include "core/errors.h"

namespace nas {
namespace {

int int_field(const nlohmann::json& j, const char* name, int lo, int hi) {
  const auto it = j.find(name);
  if (it == j.end()) throw Error(std::string("mbv3 block: missing field '") + name + "'");
  if (!it->is_number_integer()) {
    throw Error(std::string("mbv3 block: field '") + name + "' must be an integer");
  }
  const auto v = it->get<std::int64_t>();
  if (v < lo || v > hi) {
    throw Error(std::string("mbv3 block: field '") + name + "' must be in " + std::to_string(lo) +
                ".." + std::to_string(hi) + ", got " + std::to_string(v));
  }
  return static_cast<int>(v);
}

bool bool_field(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) throw Error(std::string("mbv3 block: missing field '") + name + "'");
  if (!it->is_boolean()) throw Error(std::string("mbv3 block: field '") + name + "' must be a boolean");
  return it->get<bool>();
}

// The blocks at every position of every stage for one input resolution, with
// the stage's first activation choice; callers set kernel, expand and, where
// the stage decides it, the activation.
template <typename Visit>
void for_each_position(const Mbv3Layout& layout, int resolution, Visit visit) {
  int side = mbv3_conv_side(resolution, layout.stem_stride);
  int channels = layout.stem_width;
  for (std::size_t s = 0; s < layout.stages.size(); ++s) {
    const auto& stage = layout.stages[s];
    for (int b = 0; b < stage.max_depth(); ++b) {
      Mbv3BlockConfig c;
      c.in_channels = channels;
      c.out_channels = stage.width;
      c.stride = b == 0 ? stage.stride : 1;
      c.se = stage.se;
      c.hswish = stage.hswish_choices.front();
      c.input_side = side;
      visit(s, b, c);
      side = mbv3_conv_side(side, c.stride);
      channels = stage.width;
    }
  }
}

}  // namespace

std::string Mbv3BlockConfig::key() const {
  return "mbv3_block-in:" + std::to_string(in_channels) + "-out:" + std::to_string(out_channels) +
         "-s:" + std::to_string(stride) + "-k:" + std::to_string(kernel) +
         "-e:" + std::to_string(expand) + "-se:" + (se ? "1" : "0") +
         "-hs:" + (hswish ? "1" : "0") + "-r:" + std::to_string(input_side);
}

nlohmann::json Mbv3BlockConfig::to_json() const {
  return {{"in_channels", in_channels}, {"out_channels", out_channels}, {"stride", stride},
          {"kernel", kernel},           {"expand", expand},             {"se", se},
          {"hswish", hswish},           {"input_side", input_side}};
}

Mbv3BlockConfig Mbv3BlockConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("mbv3 block: expected a JSON object");
  Mbv3BlockConfig c;
  c.in_channels = int_field(j, "in_channels", 1, 65536);
  c.out_channels = int_field(j, "out_channels", 1, 65536);
  c.stride = int_field(j, "stride", 1, 2);
  c.kernel = int_field(j, "kernel", 1, 15);
  if (c.kernel % 2 == 0) throw Error("mbv3 block: field 'kernel' must be odd");
  c.expand = int_field(j, "expand", 1, 64);
  c.se = bool_field(j, "se");
  c.hswish = bool_field(j, "hswish");
  c.input_side = int_field(j, "input_side", 1, 65536);
  return c;
}

std::vector<Mbv3BlockConfig> mbv3_subnet_blocks(const Mbv3Layout& layout,
                                                const Mbv3Subnet& subnet) {
  std::vector<Mbv3BlockConfig> out;
  for_each_position(layout, subnet.resolution, [&](std::size_t s, int b, Mbv3BlockConfig c) {
    if (static_cast<std::size_t>(b) >= subnet.stages[s].size()) return;
    c.kernel = subnet.stages[s][static_cast<std::size_t>(b)].kernel;
    c.expand = subnet.stages[s][static_cast<std::size_t>(b)].expand;
    c.hswish = subnet.stages[s][static_cast<std::size_t>(b)].hswish;
    out.push_back(c);
  });
  return out;
}

std::vector<Mbv3BlockConfig> mbv3_distinct_blocks(const Mbv3Layout& layout) {
  std::vector<Mbv3BlockConfig> out;
  std::set<std::string> seen;
  for (int resolution : layout.resolutions) {
    for_each_position(layout, resolution, [&](std::size_t s, int, Mbv3BlockConfig c) {
      for (const bool hswish : layout.stages[s].hswish_choices) {
        for (int kernel : layout.kernels) {
          for (int expand : layout.expand_ratios) {
            c.kernel = kernel;
            c.expand = expand;
            c.hswish = hswish;
            if (seen.insert(c.key()).second) out.push_back(c);
          }
        }
      }
    });
  }
  return out;
}

}  // namespace nas
