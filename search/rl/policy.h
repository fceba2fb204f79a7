// The controller's policies (internal to nas_search_rl: this header includes
// LibTorch; reinforce.h is the public face). See reinforce.h for what each
// policy is; both hold float32 parameters on the CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/random.h"
#include "core/search_space.h"

namespace nas::rl {

// Log-probability and entropy of each architecture of a batch, each of shape
// [batch], differentiable in the policy's parameters.
struct ScoredBatch {
  torch::Tensor log_prob;
  torch::Tensor entropy;
};

class Policy : public torch::nn::Module {
 public:
  // `n` canonical architectures drawn independently. Every draw comes from
  // `rng` (one uniform_unit per active decision, in the space's order).
  virtual std::vector<Arch> sample(std::size_t n, Rng& rng) = 0;
  // REQUIRES: every arch canonical and valid for the space.
  virtual ScoredBatch score(const std::vector<Arch>& archs) = 0;
};

// "factorized" or "lstm"; parameters initialised from `rng`. `space` must
// outlive the policy. Throws nas::Error for another name.
std::shared_ptr<Policy> make_policy(const std::string& controller, const SearchSpace& space,
                                    std::int64_t lstm_hidden, Rng& rng);

// Index drawn from `probs` (non-negative, summing to about 1) with one
// uniform_unit of `rng`, by inverse CDF; never an index of probability 0.
std::size_t draw(const std::vector<double>& probs, Rng& rng);

}  // namespace nas::rl
