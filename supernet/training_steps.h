// The pieces a training step is made of, shared by the supernet's training
// (supernet.cpp) and a subnet's fine-tune (finetune.cpp): the epoch's order,
// the learning rate schedule and the losses. Internal: LibTorch inside.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/random.h"

namespace nas {

// 0..n-1 shuffled by `rng` (Fisher-Yates), as a tensor of indices.
inline torch::Tensor shuffled_order(std::int64_t n, Rng& rng) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[uniform_index(rng, i)]);
  return torch::tensor(order, torch::kInt64);
}

// Linear warm-up over `warmup` steps to `peak`, then a cosine to 0 at `total`.
inline double cosine_learning_rate(double peak, std::int64_t step, std::int64_t warmup,
                                   std::int64_t total) {
  if (step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double progress = static_cast<double>(step - warmup) /
                          static_cast<double>(std::max<std::int64_t>(1, total - warmup));
  return 0.5 * peak * (1 + std::cos(M_PI * progress));
}

inline void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  }
}

// Cross-entropy against soft targets (distillation) or smoothed one-hot labels.
inline torch::Tensor soft_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target) {
  return -(target * torch::log_softmax(logits, 1)).sum(1).mean();
}

inline torch::Tensor smoothed(const torch::Tensor& labels, std::int64_t classes, double smoothing) {
  torch::Tensor t = torch::full({labels.size(0), classes}, smoothing / static_cast<double>(classes),
                                torch::TensorOptions().device(labels.device()));
  t.scatter_add_(1, labels.unsqueeze(1),
                 torch::full({labels.size(0), 1}, 1.0 - smoothing, t.options()));
  return t;
}

// SGD with Nesterov momentum; weight decay on convolution and linear weights
// only (tensors of two or more dimensions), never on BN or biases. `skip`
// names parameters that are not weights although they have two dimensions.
inline std::unique_ptr<torch::optim::SGD> sgd_with_decay(
    const torch::OrderedDict<std::string, torch::Tensor>& parameters, double lr, double momentum,
    double weight_decay, const char* skip = nullptr) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& item : parameters) {
    const bool is_weight = item.value().dim() >= 2 &&
                           (skip == nullptr || item.key().find(skip) == std::string::npos);
    (is_weight ? decay : no_decay).push_back(item.value());
  }
  const torch::optim::SGDOptions base =
      torch::optim::SGDOptions(lr).momentum(momentum).nesterov(momentum > 0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::SGDOptions>(
                                 torch::optim::SGDOptions(base).weight_decay(weight_decay)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::SGDOptions>(
                                    torch::optim::SGDOptions(base).weight_decay(0)));
  return std::make_unique<torch::optim::SGD>(std::move(groups), base);
}

}  // namespace nas
