// The single inverted-residual blocks of an mbv3 space, as a per-block
// latency look-up table keys them: a block's configuration is everything
// that changes its cost (channels, stride, kernel, expand ratio, squeeze-
// excite, activation, input side), not where in the network it sits. Two
// blocks of different subnets with equal configurations cost the same.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/mbv3_space.h"

namespace nas {

struct Mbv3BlockConfig {
  int in_channels = 16;
  int out_channels = 16;
  int stride = 1;
  int kernel = 3;
  int expand = 3;
  bool se = false;
  bool hswish = false;
  int input_side = 28;  // the block's input is input_side x input_side

  int hidden() const { return mbv3_hidden(in_channels, expand); }
  // "mbv3_block-in:16-out:24-s:2-k:5-e:4-se:0-hs:0-r:14": the table's key.
  std::string key() const;
  nlohmann::json to_json() const;
  // Throws nas::Error naming the field that is missing, of the wrong type or
  // out of range (channels and side 1..65536, stride 1 or 2, odd kernel).
  static Mbv3BlockConfig from_json(const nlohmann::json& j);
  bool operator==(const Mbv3BlockConfig& o) const { return key() == o.key(); }
};

// Output side of a convolution with odd kernel, padding kernel / 2 and `stride`.
inline int mbv3_conv_side(int side, int stride) { return (side - 1) / stride + 1; }

// The blocks `subnet` runs, in order. REQUIRES: subnet fits the layout.
std::vector<Mbv3BlockConfig> mbv3_subnet_blocks(const Mbv3Layout& layout,
                                                const Mbv3Subnet& subnet);

// Every distinct block configuration some subnet of the layout runs (all
// resolutions, kernels and expand ratios, every block position up to each
// stage's largest depth), without repeats, in a stable order.
std::vector<Mbv3BlockConfig> mbv3_distinct_blocks(const Mbv3Layout& layout);

}  // namespace nas
