#include "supernet/mbv3_supernet.h"

namespace nas {

ElasticBlockImpl::ElasticBlockImpl(int in, int out, int stride_, bool with_se,
                                   const Mbv3Layout& layout)
    : in_channels(in), out_channels(out), stride(stride_), residual(stride_ == 1 && in == out) {
  const int hidden = mbv3_hidden(in, layout.expand_ratios.back());
  expand_conv = register_module("expand_conv", DynamicPointConv(in, hidden));
  expand_bn = register_module("expand_bn", DynamicBatchNorm(hidden));
  depthwise = register_module("depthwise", DynamicDepthwiseConv(hidden, layout.kernels, stride));
  depthwise_bn = register_module("depthwise_bn", DynamicBatchNorm(hidden));
  if (with_se) se = register_module("se", DynamicSqueezeExcite(hidden));
  project_conv = register_module("project_conv", DynamicPointConv(hidden, out));
  project_bn = register_module("project_bn", DynamicBatchNorm(out));
}

torch::Tensor ElasticBlockImpl::forward(const torch::Tensor& x, const Mbv3Block& block) {
  const int hidden = mbv3_hidden(in_channels, block.expand);
  torch::Tensor y = activate(expand_bn(expand_conv(x, hidden)), block.hswish);
  y = activate(depthwise_bn(depthwise(y, block.kernel)), block.hswish);
  if (se) y = se(y);
  y = project_bn(project_conv(y, out_channels));
  return residual ? y + x : y;
}

Mbv3SupernetImpl::Mbv3SupernetImpl(const Mbv3Layout& layout) : layout_(layout) {
  stem_conv = register_module(
      "stem_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(layout.in_channels, layout.stem_width, 3)
                                         .stride(layout.stem_stride)
                                         .padding(1)
                                         .bias(false)));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm2d(layout.stem_width));
  int channels = layout.stem_width;
  for (std::size_t s = 0; s < layout.stages.size(); ++s) {
    const auto& stage = layout.stages[s];
    std::vector<ElasticBlock> row;
    for (int b = 0; b < stage.max_depth(); ++b) {
      row.push_back(register_module(
          "s" + std::to_string(s + 1) + "_b" + std::to_string(b + 1),
          ElasticBlock(channels, stage.width, b == 0 ? stage.stride : 1, stage.se, layout)));
      channels = stage.width;
    }
    blocks.push_back(std::move(row));
  }
  head_conv = register_module(
      "head_conv",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, layout.head_width, 1).bias(false)));
  head_bn = register_module("head_bn", torch::nn::BatchNorm2d(layout.head_width));
  classifier = register_module("classifier", torch::nn::Linear(layout.head_width, layout.classes));
  for (auto& m : modules(false)) {
    if (auto* conv = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut);
    }
  }
}

void Mbv3SupernetImpl::synchronise_batch_norm(const RankSum& sum) {
  rank_sum_ = sum;
  for (auto& m : modules(false)) {
    if (auto* bn = m->as<DynamicBatchNormImpl>()) bn->rank_sum = sum;
  }
}

torch::Tensor Mbv3SupernetImpl::normalise(torch::nn::BatchNorm2d& bn, const torch::Tensor& x) {
  if (!is_training() || !rank_sum_) return bn(x);
  {
    torch::NoGradGuard no_grad;
    bn->num_batches_tracked.add_(1);  // as BatchNorm2d's own forward counts
  }
  return synced_batch_norm(x, bn->weight, bn->bias, bn->running_mean, bn->running_var,
                           bn->options.momentum().value(), bn->options.eps(), rank_sum_);
}

torch::Tensor Mbv3SupernetImpl::forward(const torch::Tensor& x, const Mbv3Subnet& subnet) {
  torch::Tensor y = activate(normalise(stem_bn, stem_conv(x)), subnet.stem_hswish);
  // On CPU, oneDNN's depthwise convolutions (forward and, above all, the
  // weight gradient) run 2-4x faster on channels-last tensors; every later
  // op keeps the layout. bench_supernet_throughput measures the step.
  if (y.device().is_cpu()) y = y.contiguous(at::MemoryFormat::ChannelsLast);
  for (std::size_t s = 0; s < blocks.size(); ++s) {
    for (std::size_t b = 0; b < subnet.stages[s].size(); ++b) {
      y = blocks[s][b](y, subnet.stages[s][b]);
    }
  }
  y = activate(normalise(head_bn, head_conv(y)), subnet.head_hswish);
  y = torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1);
  return classifier(y);
}

}  // namespace nas
