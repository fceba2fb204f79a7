// The mbv3 weight-sharing supernet: a stem, stages of elastic inverted
// residual blocks and a head, whose forward runs the subnet it is given.
// LibTorch inside: include only from .cpp files and tests.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "core/mbv3_space.h"
#include "supernet/elastic_ops.h"

namespace nas {

class ElasticBlockImpl : public torch::nn::Module {
 public:
  ElasticBlockImpl(int in_channels, int out_channels, int stride, bool se,
                   const Mbv3Layout& layout);
  // The block as `block` chooses: kernel, expand ratio and activation.
  torch::Tensor forward(const torch::Tensor& x, const Mbv3Block& block);

  int in_channels, out_channels, stride;
  bool residual;
  DynamicPointConv expand_conv{nullptr};
  DynamicBatchNorm expand_bn{nullptr};
  DynamicDepthwiseConv depthwise{nullptr};
  DynamicBatchNorm depthwise_bn{nullptr};
  DynamicSqueezeExcite se{nullptr};  // empty when the stage has none
  DynamicPointConv project_conv{nullptr};
  DynamicBatchNorm project_bn{nullptr};
};
TORCH_MODULE(ElasticBlock);

class Mbv3SupernetImpl : public torch::nn::Module {
 public:
  explicit Mbv3SupernetImpl(const Mbv3Layout& layout);

  // Logits of `subnet` for x (N, C, r, r), r = subnet.resolution.
  // REQUIRES: subnet fits the layout (decode_mbv3 of its space).
  torch::Tensor forward(const torch::Tensor& x, const Mbv3Subnet& subnet);

  const Mbv3Layout& layout() const { return layout_; }

  // Training statistics of every batch norm span all ranks through `sum`
  // (data-parallel training); an empty function goes back to this process's
  // batch alone.
  void synchronise_batch_norm(const RankSum& sum);

  Mbv3Layout layout_;
  torch::nn::Conv2d stem_conv{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  std::vector<std::vector<ElasticBlock>> blocks;  // [stage][block]
  torch::nn::Conv2d head_conv{nullptr};
  torch::nn::BatchNorm2d head_bn{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  torch::Tensor normalise(torch::nn::BatchNorm2d& bn, const torch::Tensor& x);
  RankSum rank_sum_;
};
TORCH_MODULE(Mbv3Supernet);

}  // namespace nas
