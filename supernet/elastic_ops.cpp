#include "supernet/elastic_ops.h"

#include <algorithm>
#include <stdexcept>

#include "core/mbv3_space.h"

namespace nas {

torch::Tensor activate(const torch::Tensor& x, bool hswish) {
  return hswish ? torch::hardswish(x) : torch::relu(x);
}

DynamicPointConvImpl::DynamicPointConvImpl(int max_in, int max_out, bool bias) {
  weight_ = register_parameter("weight", torch::empty({max_out, max_in, 1, 1}));
  torch::nn::init::kaiming_normal_(weight_, 0, torch::kFanOut);
  if (bias) bias_ = register_parameter("bias", torch::zeros({max_out}));
}

torch::Tensor DynamicPointConvImpl::active_weight(int in, int out) const {
  return weight_.narrow(0, 0, out).narrow(1, 0, in);
}

torch::Tensor DynamicPointConvImpl::active_bias(int out) const {
  return bias_.defined() ? bias_.narrow(0, 0, out) : torch::Tensor();
}

torch::Tensor DynamicPointConvImpl::forward(const torch::Tensor& x, int out) {
  const int in = static_cast<int>(x.size(1));
  return torch::conv2d(x, active_weight(in, out).contiguous(), active_bias(out));
}

DynamicDepthwiseConvImpl::DynamicDepthwiseConvImpl(int max_channels, std::vector<int> kernels,
                                                   int stride)
    : kernels_(std::move(kernels)), stride_(stride) {
  const int k = kernels_.back();
  weight_ = register_parameter("weight", torch::empty({max_channels, 1, k, k}));
  torch::nn::init::kaiming_normal_(weight_, 0, torch::kFanOut);
  for (std::size_t i = 0; i + 1 < kernels_.size(); ++i) {
    const int s = kernels_[i];
    transforms_.push_back(register_parameter(
        "transform_" + std::to_string(kernels_[i + 1]) + "to" + std::to_string(s),
        torch::eye(s * s)));
  }
}

torch::Tensor DynamicDepthwiseConvImpl::active_weight(int channels, int kernel) const {
  torch::Tensor w = weight_.narrow(0, 0, channels);
  // Walk down from the largest kernel: crop the centre, then transform.
  for (std::size_t i = kernels_.size() - 1; i-- > 0;) {
    if (kernels_[i + 1] <= kernel) break;
    const int from = kernels_[i + 1];
    const int to = kernels_[i];
    const int start = (from - to) / 2;
    w = w.narrow(2, start, to).narrow(3, start, to).reshape({channels, to * to});
    w = torch::matmul(w, transforms_[i].t()).reshape({channels, 1, to, to});
  }
  if (w.size(2) != kernel) throw std::invalid_argument("kernel size not in the supernet");
  return w;
}

torch::Tensor DynamicDepthwiseConvImpl::forward(const torch::Tensor& x, int kernel) {
  const int channels = static_cast<int>(x.size(1));
  return torch::conv2d(x, active_weight(channels, kernel).contiguous(), {}, stride_, kernel / 2,
                       1, channels);
}

DynamicBatchNormImpl::DynamicBatchNormImpl(int max_channels) {
  weight = register_parameter("weight", torch::ones({max_channels}));
  bias = register_parameter("bias", torch::zeros({max_channels}));
  running_mean = register_buffer("running_mean", torch::zeros({max_channels}));
  running_var = register_buffer("running_var", torch::ones({max_channels}));
}

torch::Tensor synced_batch_norm(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias, torch::Tensor running_mean,
                                torch::Tensor running_var, double momentum, double eps,
                                const RankSum& rank_sum) {
  const int64_t c = x.size(1);
  const auto f64 = x.options().dtype(torch::kFloat64);
  // One collective per layer: sum, sum of squares and count together.
  const torch::Tensor local = torch::cat(
      {x.sum({0, 2, 3}, false, torch::kFloat64), (x * x).sum({0, 2, 3}, false, torch::kFloat64),
       torch::full({1}, static_cast<double>(x.numel() / c), f64)});
  const torch::Tensor total = rank_sum(local);
  const torch::Tensor count = total.narrow(0, 2 * c, 1).detach();
  const torch::Tensor mean = total.narrow(0, 0, c) / count;
  const torch::Tensor var = total.narrow(0, c, c) / count - mean * mean;
  {
    torch::NoGradGuard no_grad;
    const double n = count.item<double>();
    running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype()) * momentum);
    running_var.mul_(1 - momentum)
        .add_((var * (n / std::max(1.0, n - 1))).to(running_var.dtype()) * momentum);
  }
  const torch::Tensor scale = (var + eps).rsqrt().to(x.scalar_type()) * weight;
  return (x - mean.to(x.scalar_type()).view({1, c, 1, 1})) * scale.view({1, c, 1, 1}) +
         bias.view({1, c, 1, 1});
}

torch::Tensor DynamicBatchNormImpl::forward(const torch::Tensor& x) {
  const int64_t c = x.size(1);
  if (is_training() && rank_sum) {
    return synced_batch_norm(x, weight.narrow(0, 0, c), bias.narrow(0, 0, c),
                             running_mean.narrow(0, 0, c), running_var.narrow(0, 0, c), momentum,
                             eps, rank_sum);
  }
  // The narrowed running statistics are views: training updates them in place.
  return torch::batch_norm(x, weight.narrow(0, 0, c), bias.narrow(0, 0, c),
                           running_mean.narrow(0, 0, c), running_var.narrow(0, 0, c),
                           is_training(), momentum, eps, true);
}

DynamicSqueezeExciteImpl::DynamicSqueezeExciteImpl(int max_channels) {
  const int mid = mbv3_se_channels(max_channels);
  reduce = register_module("reduce", DynamicPointConv(max_channels, mid, true));
  expand = register_module("expand", DynamicPointConv(mid, max_channels, true));
}

torch::Tensor DynamicSqueezeExciteImpl::forward(const torch::Tensor& x) {
  const int channels = static_cast<int>(x.size(1));
  torch::Tensor s = torch::adaptive_avg_pool2d(x, {1, 1});
  s = torch::relu(reduce(s, mbv3_se_channels(channels)));
  s = torch::hardsigmoid(expand(s, channels));
  return x * s;
}

}  // namespace nas
