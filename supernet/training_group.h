// The ranks of one data-parallel supernet training, joined through c10d: a
// TCPStore that rank 0 hosts for the rendezvous, and a Gloo process group
// for the collectives. Every collective either completes on all ranks or
// throws nas::Error naming the ranks that stopped answering; none waits
// longer than the rank's timeout. LibTorch inside: include only from .cpp
// files and tests.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "supernet/training_rank.h"

namespace nas {

class TrainingGroup {
 public:
  // Joins: rank 0 starts the rendezvous and calls `listening` with its port
  // (so that local ranks can be started then); every rank announces itself
  // and waits for the others. Throws nas::Error naming the ranks that did
  // not join within the timeout.
  explicit TrainingGroup(const TrainingRank& rank,
                         const std::function<void(int port)>& listening = {});
  ~TrainingGroup();
  TrainingGroup(const TrainingGroup&) = delete;
  TrainingGroup& operator=(const TrainingGroup&) = delete;

  int rank() const { return rank_.rank; }
  int size() const { return rank_.world_size; }

  // Sums `t` over all ranks, in place: one collective.
  void all_reduce_sum(torch::Tensor& t);

  // Sums over all ranks with autograd: the gradient of the sum is the sum
  // of the ranks' gradients (synchronised batch norm needs it).
  torch::Tensor all_reduce_sum_differentiable(const torch::Tensor& t);

  // Replaces every defined gradient of `params` by its mean over the ranks,
  // flattened into buckets of at most kBucketBytes: one all-reduce per
  // bucket, not per tensor. Every rank must hold gradients for the same
  // parameters (they train the same subnets).
  void average_gradients(const std::vector<torch::Tensor>& params);

  // Rank 0's `bytes` on every rank (through the rendezvous store).
  std::string share_from_rank0(const std::string& key, const std::string& bytes);

  // Seconds this rank has spent in collectives.
  double communication_seconds() const { return communication_seconds_; }

  static constexpr std::size_t kBucketBytes = 25u << 20;

 private:
  struct Impl;  // the c10d store and process group
  TrainingRank rank_;
  std::unique_ptr<Impl> impl_;
  double communication_seconds_ = 0;
};

}  // namespace nas
