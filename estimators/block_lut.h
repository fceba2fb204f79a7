// Per-block latency look-up tables in the Once-for-All / ProxylessNAS YAML
// format: a subnet's latency is the sum of its blocks' entries (plus an
// overhead term fitted elsewhere).
//
// The format, as OFA's latency_tools ship it:
//   expanded_conv-input:112x112x16-output:56x56x24-expand:3-kernel:5-stride:2-idskip:0:
//     count: 50
//     mean: 1.734
//     std: 0.021
// Top-level keys end with ':'; each holds indented "name: number" fields;
// `mean` is required, `std` or `var` optional (std = sqrt(var)), `count`
// optional. Comments (#) and blank lines are skipped. Only this subset of
// YAML is read; anything else is an error naming the line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "estimators/predictor.h"

namespace nas {

struct LutEntry {
  std::int64_t count = 0;
  double mean = 0;  // in the table's unit (OFA: milliseconds)
  double std = 0;
};

// One inverted-residual block as OFA keys it.
struct LutBlock {
  int in_h = 0, in_w = 0, in_c = 0;
  int out_h = 0, out_w = 0, out_c = 0;
  int expand = 1, kernel = 3, stride = 1;
  bool idskip = false;  // identity shortcut
};

// "expanded_conv-input:HxWxC-output:HxWxC-expand:E-kernel:K-stride:S-idskip:0|1".
std::string ofa_block_key(const LutBlock& block);

class BlockLut {
 public:
  // Throws nas::Error naming `origin` and the line for text outside the
  // subset, a repeated key, a field that is not a number, or an entry
  // without a mean.
  static BlockLut parse_yaml(const std::string& text, const std::string& origin = "<yaml>");
  // Reads a file; throws nas::Error naming it when it cannot be read.
  static BlockLut load_yaml(const std::string& path);

  // Adds or replaces the entry of `key` (a table filled from measurements).
  void set(const std::string& key, const LutEntry& entry) { entries_[key] = entry; }

  std::size_t size() const { return entries_.size(); }
  const LutEntry* find(const std::string& key) const;
  const std::map<std::string, LutEntry>& entries() const { return entries_; }

  // The sum of the entries of `keys` plus `overhead`; std assumes the blocks
  // independent (square root of the summed variances). Throws nas::Error
  // naming the first key the table lacks.
  Prediction sum(const std::vector<std::string>& keys, double overhead = 0) const;
  Prediction sum(const std::vector<LutBlock>& blocks, double overhead = 0) const;

 private:
  std::map<std::string, LutEntry> entries_;
};

}  // namespace nas
