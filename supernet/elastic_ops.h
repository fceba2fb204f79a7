// Elastic operations of the weight-sharing supernet (Once-for-All style).
// Each holds the weights of its largest setting; a smaller setting uses a
// prefix of the channels, and a smaller depthwise kernel is the centre crop
// of the next larger one passed through a learned per-size linear transform
// (initialised to the identity). LibTorch inside: include only from .cpp files
// and tests.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace nas {

// Sums a tensor over the ranks of a data-parallel training, with autograd
// (the gradient of the sum is the sum of the ranks' gradients). Empty when
// one process trains.
using RankSum = std::function<torch::Tensor(const torch::Tensor&)>;

// Batch norm in training mode whose statistics cover every rank's batch, as
// one process with the whole batch would compute them (synchronised batch
// norm): the per-channel sums go through `rank_sum`, in float64. Updates the
// running statistics (views are updated in place) with the unbiased variance.
torch::Tensor synced_batch_norm(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias, torch::Tensor running_mean,
                                torch::Tensor running_var, double momentum, double eps,
                                const RankSum& rank_sum);

// 1x1 convolution over the first in/out channels of its weight.
class DynamicPointConvImpl : public torch::nn::Module {
 public:
  DynamicPointConvImpl(int max_in, int max_out, bool bias = false);
  // Input channels are x.size(1); output channels `out` <= max_out.
  torch::Tensor forward(const torch::Tensor& x, int out);
  // The active weight [out, in, 1, 1] (and bias [out] or undefined).
  torch::Tensor active_weight(int in, int out) const;
  torch::Tensor active_bias(int out) const;

 private:
  torch::Tensor weight_, bias_;
};
TORCH_MODULE(DynamicPointConv);

// Depthwise k x k convolution with elastic kernel size and channel prefix.
class DynamicDepthwiseConvImpl : public torch::nn::Module {
 public:
  DynamicDepthwiseConvImpl(int max_channels, std::vector<int> kernels, int stride);
  torch::Tensor forward(const torch::Tensor& x, int kernel);
  // The active filter [channels, 1, k, k] for kernel size `kernel`.
  torch::Tensor active_weight(int channels, int kernel) const;
  int stride() const { return stride_; }

 private:
  std::vector<int> kernels_;  // ascending
  int stride_;
  torch::Tensor weight_;                   // [max_channels, 1, K, K], K = kernels_.back()
  std::vector<torch::Tensor> transforms_;  // transforms_[i]: (k_i^2 x k_i^2), i < last
};
TORCH_MODULE(DynamicDepthwiseConv);

// Batch norm over the first channels of its parameters and running statistics.
// In training mode the running statistics of the active prefix are updated.
class DynamicBatchNormImpl : public torch::nn::Module {
 public:
  explicit DynamicBatchNormImpl(int max_channels);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias, running_mean, running_var;
  double momentum = 0.1;
  double eps = 1e-5;
  RankSum rank_sum;  // set: training statistics span all ranks
};
TORCH_MODULE(DynamicBatchNorm);

// Squeeze-and-excite with a channel prefix: pool, reduce (relu), expand
// (hard sigmoid), scale. Bottleneck width follows the active channels.
class DynamicSqueezeExciteImpl : public torch::nn::Module {
 public:
  explicit DynamicSqueezeExciteImpl(int max_channels);
  torch::Tensor forward(const torch::Tensor& x);
  DynamicPointConv reduce{nullptr}, expand{nullptr};
};
TORCH_MODULE(DynamicSqueezeExcite);

torch::Tensor activate(const torch::Tensor& x, bool hswish);

}  // namespace nas
