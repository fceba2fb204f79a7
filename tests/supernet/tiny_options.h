// The small mbv3 layout the supernet tests share: a ReLU stage without
// squeeze-excite, then an hswish stage with it and stride 2; residual blocks
// wherever a stage runs more than one block. Tests change what they need.
#pragma once

#include "core/supernet_options.h"

namespace nas::test {

inline Mbv3Options tiny_mbv3_options() {
  Mbv3Options o;
  o.stem_width = 8;
  Mbv3StageOptions a;
  a.width = 8;
  a.stride = 1;
  a.depths = {1, 2};
  Mbv3StageOptions b;
  b.width = 16;
  b.stride = 2;
  b.depths = {1, 2, 3};
  b.se = true;
  b.activations = {"hswish"};
  o.stages = {a, b};
  o.kernels = {3, 5, 7};
  o.expand_ratios = {2, 3};
  o.resolutions = {12, 16};
  o.head_width = 32;
  return o;
}

// The tiny layout with relu stem and head and the second stage deciding
// between relu and hswish ("s2_act"): an all-relu subnet exists.
inline Mbv3Options tiny_options_deciding_activation(Mbv3Options o = tiny_mbv3_options()) {
  o.stages[1].activations = {"relu", "hswish"};
  o.stem_activation = "relu";
  o.head_activation = "relu";
  return o;
}

}  // namespace nas::test
