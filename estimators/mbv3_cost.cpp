#include "estimators/mbv3_cost.h"

#include <algorithm>

namespace nas {
namespace {

struct Counter {
  Mbv3Cost cost;
  void op(std::int64_t live) {
    cost.peak_activation_elements = std::max(cost.peak_activation_elements, live);
  }
  // A k x k convolution (groups 1 or depthwise) from `in` to `out` channels
  // producing side x side, with `held` elements kept alive beside it.
  void conv(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t in_side,
            std::int64_t side, bool depthwise, bool bias, bool bn, std::int64_t held) {
    const std::int64_t per_output = (depthwise ? 1 : in) * k * k;
    cost.macs += out * side * side * per_output;
    cost.params += out * per_output + (bias ? out : 0) + (bn ? 2 * out : 0);
    cost.weights += out * per_output;
    cost.output_channels += bias || bn ? out : 0;
    op(in * in_side * in_side + out * side * side + held);
  }
};

std::int64_t out_side(std::int64_t side, std::int64_t kernel, std::int64_t stride) {
  return (side + 2 * (kernel / 2) - kernel) / stride + 1;
}

}  // namespace

Mbv3Cost mbv3_cost(const Mbv3Layout& layout, const Mbv3Subnet& subnet) {
  Counter c;
  std::int64_t side = subnet.resolution;
  std::int64_t next = out_side(side, 3, layout.stem_stride);
  c.conv(layout.in_channels, layout.stem_width, 3, side, next, false, false, true, 0);
  side = next;
  std::int64_t channels = layout.stem_width;
  for (std::size_t s = 0; s < layout.stages.size(); ++s) {
    const auto& stage = layout.stages[s];
    for (std::size_t b = 0; b < subnet.stages[s].size(); ++b) {
      const Mbv3Block& block = subnet.stages[s][b];
      const std::int64_t stride = b == 0 ? stage.stride : 1;
      const std::int64_t in = channels, out = stage.width;
      const std::int64_t hidden = mbv3_hidden(static_cast<int>(in), block.expand);
      const bool residual = stride == 1 && in == out;
      const std::int64_t held = residual ? in * side * side : 0;
      c.conv(in, hidden, 1, side, side, false, false, true, 0);
      next = out_side(side, block.kernel, stride);
      c.conv(hidden, hidden, block.kernel, side, next, true, false, true, held);
      const std::int64_t y = hidden * next * next;
      if (stage.se) {
        const std::int64_t mid = mbv3_se_channels(static_cast<int>(hidden));
        c.op(y + hidden + held);                                // pool
        c.conv(hidden, mid, 1, 1, 1, false, true, false, held + y);  // reduce
        c.conv(mid, hidden, 1, 1, 1, false, true, false, held + y);  // expand
        c.op(y + hidden + y + held);                            // scale
      }
      c.conv(hidden, out, 1, next, next, false, false, true, held);
      if (residual) c.op(3 * out * next * next);
      side = next;
      channels = out;
    }
  }
  c.conv(channels, layout.head_width, 1, side, side, false, false, true, 0);
  c.op(layout.head_width * side * side + layout.head_width);  // pool
  c.cost.macs += std::int64_t{layout.head_width} * layout.classes;
  c.cost.params += std::int64_t{layout.head_width} * layout.classes + layout.classes;
  c.cost.weights += std::int64_t{layout.head_width} * layout.classes;
  c.cost.output_channels += layout.classes;
  c.op(layout.head_width + layout.classes);
  return c.cost;
}

double deployed_kib(const Mbv3Cost& cost, Precision precision) {
  const auto weights = static_cast<double>(cost.weights);
  const auto channels = static_cast<double>(cost.output_channels);
  double bytes = 4 * (weights + channels);
  if (precision == Precision::kFp16) bytes = 2 * (weights + channels);
  if (precision == Precision::kInt8) bytes = weights + (4 + 4) * channels;
  return bytes / 1024;
}

FeatureFunction mbv3_features(const SearchSpace& space, const Mbv3Layout& layout) {
  return [&space, layout](const Arch& arch) {
    const Mbv3Cost c = mbv3_cost(layout, decode_mbv3(space, layout, arch));
    return std::vector<double>{static_cast<double>(c.macs), static_cast<double>(c.params),
                               static_cast<double>(c.peak_activation_elements)};
  };
}

}  // namespace nas
