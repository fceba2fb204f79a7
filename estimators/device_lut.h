// A per-device latency look-up table of mbv3 blocks measured on the farm
// (`nas lut build`), with the whole-network term fitted on measured subnets:
//
//   latency(subnet) = overhead + scale * sum over its blocks of entry(block)
//
// The blocks are timed one by one, so the stem, the head, the classifier and
// the framework's per-call cost are missing from the sum (the overhead), and
// a block timed alone may run faster or slower than inside the network
// (caches warmed by its neighbours: the scale).
#pragma once

#include <cstddef>
#include <vector>

#include "core/mbv3_blocks.h"
#include "estimators/block_lut.h"

namespace nas {

struct LutFit {
  double overhead_ms = 0;  // intercept, in milliseconds
  double scale = 1;        // multiplies the sum of the block entries
  std::size_t subnets = 0;  // whole subnets the fit used
  double residual_ms = 0;   // RMS of measured - fitted over those subnets
};

// Least squares of measured[i] ~ overhead + scale * block_sums[i]. With fewer
// than 3 subnets, sums that are all equal, or a fitted scale <= 0, the scale
// stays 1 and the overhead is the mean of measured - sum (a pure offset).
// Throws nas::Error for sizes that differ, no subnet, or a value that is not
// finite.
LutFit fit_lut_overhead(const std::vector<double>& block_sums, const std::vector<double>& measured);

class DeviceLut {
 public:
  DeviceLut() = default;
  DeviceLut(BlockLut blocks, LutFit fit) : blocks_(std::move(blocks)), fit_(fit) {}

  const BlockLut& blocks() const { return blocks_; }
  BlockLut& blocks() { return blocks_; }
  const LutFit& fit() const { return fit_; }
  void set_fit(const LutFit& fit) { fit_ = fit; }

  // The plain sum of the blocks' entries (no overhead, no scale); std
  // assumes the blocks independent. Throws nas::Error naming the first block
  // the table lacks.
  Prediction block_sum(const std::vector<Mbv3BlockConfig>& blocks) const;
  // overhead + scale * block_sum; std from the blocks' spread and the fit's
  // residual. Throws as block_sum.
  Prediction predict(const std::vector<Mbv3BlockConfig>& blocks) const;

 private:
  BlockLut blocks_;
  LutFit fit_;
};

}  // namespace nas
