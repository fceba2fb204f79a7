// Post-training quantization of an extracted subnet, simulated in float
// ("fake quantization"): values are rounded to what an int8 or fp16 runtime
// keeps, while the arithmetic stays float. What it models for int8:
//   - weights: symmetric int8 per output channel, range [-127, 127]. With BN
//     folded into the convolution, a channel's weights are scaled by one
//     factor, which per-channel symmetric rounding passes through, so
//     rounding the unfolded weights rounds the folded ones alike;
//   - activations: asymmetric int8 per tensor at every ActivationTap site
//     (supernet/subnet.h), the range calibrated on images by a rule
//     (core/supernet_options.h CalibrationRule); zero is always exact;
//   - biases and BN's shift stay float, as int32 biases are in a runtime.
// For fp16, every parameter and every tapped activation is rounded to fp16.
// LibTorch inside: include only from .cpp files and tests.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "core/supernet_options.h"
#include "supernet/int8_range.h"
#include "supernet/subnet.h"

namespace nas {

// Runs `batches` (inputs as the subnet takes them) through `net` in eval
// mode and returns each tap site's range under `options.rule`, in site
// order. Leaves `net` unchanged.
std::vector<ActivationRange> calibrate_activations(SubnetImpl& net,
                                                   const std::vector<torch::Tensor>& batches,
                                                   const QuantizationOptions& options);

// A weight's symmetric int8 per output channel (dim 0), range [-127, 127]:
// the integers and one scale per channel (weight ~ q * scale).
struct PerChannelInt8 {
  torch::Tensor values;  // int8, the weight's shape
  torch::Tensor scales;  // float, (weight.size(0))
};
PerChannelInt8 per_channel_int8(const torch::Tensor& weight);

// Rounds every convolution and linear weight of `net` in place, symmetric
// int8 per output channel (per_channel_int8).
void quantize_weights_int8(SubnetImpl& net);

// Sets `net`'s tap to fake-quantize each site to its range (int8).
// REQUIRES: ranges from calibrate_activations on the same net.
void set_int8_activations(SubnetImpl& net, std::vector<ActivationRange> ranges);

// fp16: every parameter rounded in place, and every tapped activation.
void round_to_fp16(SubnetImpl& net);

// The whole int8 simulation: calibration on `batches`, then weights and
// activations. The accuracy that follows is the *_acc_int8 metrics'.
void fake_quantize_int8(SubnetImpl& net, const std::vector<torch::Tensor>& batches,
                        const QuantizationOptions& options);

}  // namespace nas
