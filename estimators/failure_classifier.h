// Learns from failed measurements which architectures a device fails on, so
// that screening stops sending it more of the same (a converter that rejects
// an op, a board that runs out of memory above some size).
//
// L2-regularised logistic regression on standardised features: the numeric
// features the latency predictor reads (NB201: op counts by liveness and
// MACs; mbv3: MACs, params, memory), or the space's one-hot decisions when
// there are none. Linear in those, it captures "fails with this many of an
// op" and "fails above this size" from a few examples (the decisions beside
// the counts generalised worse from a few dozen cells; figures in
// docs/decisions/0023-screening-structure-and-failures.md). It is fitted
// only once both a failure and a success have been seen; until then every
// risk is 0. Refitted lazily, on the first risk() after new examples. Not
// thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/search_space.h"
#include "estimators/predictor.h"

namespace nas {

class FailureClassifier {
 public:
  // `space` must outlive the classifier; `features` may be empty.
  FailureClassifier(const SearchSpace& space, FeatureFunction features);

  // One measurement's outcome. REQUIRES: arch fits the space.
  void add(const Arch& arch, bool failed);

  // The probability that measuring `arch` fails; 0 until fitted.
  double risk(const Arch& arch);

  std::int64_t failures() const { return failures_; }
  std::int64_t examples() const { return static_cast<std::int64_t>(labels_.size()); }

 private:
  std::vector<double> encode(const Arch& arch) const;  // raw, before standardising
  void fit();

  const SearchSpace& space_;
  FeatureFunction features_;
  std::vector<std::vector<double>> inputs_;  // raw encodings of the examples
  std::vector<double> labels_;               // 1 = failed
  std::int64_t failures_ = 0;
  bool stale_ = false;
  std::vector<double> mean_, scale_;  // standardisation of the last fit
  std::vector<double> weights_;       // bias last; empty = not fitted
};

}  // namespace nas
