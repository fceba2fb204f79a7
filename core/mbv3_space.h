// The `mbv3` space: MobileNetV3-style stages of inverted-residual blocks over
// which one weight-sharing supernet is trained (Once-for-All style).
//
// Decisions, in order:
//   "resolution"                 input side, one of the layout's resolutions
//   "s<i>_depth"                 blocks that run in stage i (1-based)
//   "s<i>_act"                   "relu" or "hswish" for the stage's blocks, only
//                                where the stage lists both
//   "s<i>_b<j>_kernel"           depthwise kernel of block j of stage i
//   "s<i>_b<j>_expand"           expand ratio of that block
// A block j beyond a stage's smallest depth is active only when "s<i>_depth"
// is at least j, so blocks that do not run drop out of the canonical form.
// Choices are listed in ascending order: choice 0 everywhere is the smallest
// subnet, the last choice everywhere the largest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/search_space.h"
#include "core/supernet_options.h"

namespace nas {

// The resolved layout: widths after width_mult, plus the data's shape.
struct Mbv3Layout {
  struct Stage {
    int width = 16;
    int stride = 1;
    std::vector<int> depths;  // ascending
    bool se = false;
    // {false}: relu, {true}: hswish, {false, true}: decision "s<i>_act".
    std::vector<bool> hswish_choices{false};
    int max_depth() const { return depths.back(); }
  };
  int in_channels = 1;
  int classes = 10;
  int stem_width = 16;
  int stem_stride = 1;
  std::vector<Stage> stages;
  std::vector<int> kernels;        // ascending
  std::vector<int> expand_ratios;  // ascending
  std::vector<int> resolutions;    // ascending
  int head_width = 256;
  bool stem_hswish = true;
  bool head_hswish = true;

  // A stable 16-hex-digit hash of every field.
  std::string fingerprint() const;
};

// One block of a subnet.
struct Mbv3Block {
  int kernel = 3;
  int expand = 3;
  bool hswish = false;  // the stage's activation: fixed, or decided by "s<i>_act"
};

// A subnet of the layout, decoded from an Arch.
struct Mbv3Subnet {
  int resolution = 28;
  bool stem_hswish = true;  // the layout's, fixed
  bool head_hswish = true;
  std::vector<std::vector<Mbv3Block>> stages;  // only the blocks that run
};

// Rounds `value` to the nearest multiple of `divisor` (>= divisor), never
// more than 10% below `value` (MobileNet's make_divisible).
int make_divisible(double value, int divisor = 8);

// Resolves options for data with `in_channels` and `classes`.
Mbv3Layout mbv3_layout(const Mbv3Options& options, int in_channels, int classes);

// Resolves options for the images and classes of the named data set (see
// dataset_shape). Throws nas::Error for an unknown data set.
Mbv3Layout mbv3_layout(const Mbv3Options& options, const std::string& dataset);
Mbv3Layout mbv3_layout(const Mbv3Options& options, const DatasetShape& shape);

// The space of a layout. Its name is "mbv3-" plus 8 hex digits of the
// layout's fingerprint without the data's shape, so archs of differently
// laid-out spaces never share an id in one store.
SearchSpace mbv3_space(const Mbv3Layout& layout);

// The subnet `arch` selects. REQUIRES: space == mbv3_space(layout), valid arch.
Mbv3Subnet decode_mbv3(const SearchSpace& space, const Mbv3Layout& layout, const Arch& arch);

// Every decision at its last (largest) or first (smallest) choice.
Arch largest_arch(const SearchSpace& space);
Arch smallest_arch(const SearchSpace& space);

// Hidden channels of a block with `in_channels` inputs and expand ratio `expand`.
inline int mbv3_hidden(int in_channels, int expand) {
  return make_divisible(static_cast<double>(in_channels) * expand);
}
// Squeeze-excite bottleneck channels for `channels`.
inline int mbv3_se_channels(int channels) { return make_divisible(channels / 4.0); }

}  // namespace nas
