// Analytic cost of an mbv3 subnet, computed from its layout without building
// it: multiply-accumulates, parameters and peak activation memory per image.
// The counting rules match supernet/subnet.h's CostTrace (tested against the
// extracted module): MACs of every convolution and linear layer; parameters
// of convolutions, linear layers and BN scale/shift (BN folds into the
// convolution at inference, but the module holds them); live activation
// elements per op = inputs + output + what a block keeps for later.
#pragma once

#include <cstdint>

#include "core/mbv3_space.h"
#include "core/metric.h"
#include "estimators/predictor.h"

namespace nas {

struct Mbv3Cost {
  std::int64_t macs = 0;
  std::int64_t params = 0;
  std::int64_t peak_activation_elements = 0;
  // The deployed network, BN folded: convolution and linear weights, and
  // output channels (each has one bias and, at int8, one weight scale).
  std::int64_t weights = 0;
  std::int64_t output_channels = 0;
  std::int64_t peak_activation_bytes() const { return 4 * peak_activation_elements; }  // float32
};

// REQUIRES: subnet fits the layout (decode_mbv3).
Mbv3Cost mbv3_cost(const Mbv3Layout& layout, const Mbv3Subnet& subnet);

// KiB of the deployed network's parameters at a precision: BN folded;
// fp32 (and kUnspecified) and fp16 store weights and biases at that width;
// int8 stores int8 weights, an int32 bias and a float32 scale per output
// channel (activation scales are a few bytes per tensor, left out).
double deployed_kib(const Mbv3Cost& cost, Precision precision);

// Predictor features of an mbv3 subnet: {MACs, params, peak activation
// elements}. `space` (mbv3_space(layout)) must outlive the function.
FeatureFunction mbv3_features(const SearchSpace& space, const Mbv3Layout& layout);

}  // namespace nas
