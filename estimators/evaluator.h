// The contract of everything that scores an architecture on some metric.
#pragma once

#include <string>
#include <vector>

#include "core/evaluation.h"
#include "core/search_space.h"

namespace nas {

// Evaluator::failure_risk at or above which a candidate counts as predicted
// to fail.
constexpr double kPredictedToFail = 0.5;

class Evaluator {
 public:
  virtual ~Evaluator() = default;

  // The metrics this evaluator provides, in a stable order.
  virtual std::vector<std::string> metrics() const = 0;

  // Where values of `metric` come from; the cache key without the arch.
  // Throws nas::Error if `metric` is not one of metrics().
  virtual EvaluationKey key(const std::string& metric) const = 0;

  // Evaluates `arch` on `metric`. A value that cannot be used is returned
  // without a value and with a note, not thrown; a broken evaluator throws
  // nas::Error. REQUIRES: `arch` belongs to the space the evaluator serves.
  virtual Evaluation evaluate(const Arch& arch, const std::string& metric) = 0;

  // Evaluates `metric` the exact way (measured, never predicted), for an
  // architecture whose stored value is a prediction (Source::kPredicted) and
  // which is about to be reported: the search loop calls it for front
  // members before a run ends. Default: evaluate().
  virtual Evaluation measure(const Arch& arch, const std::string& metric) {
    return evaluate(arch, metric);
  }

  // The chance, in [0, 1], that measure(arch, metric) gives no usable value,
  // as learned from the failures seen so far (estimators/failure_classifier.h).
  // The search loop leaves front members at kPredictedToFail or more
  // unconfirmed while others are left (search/search_loop.cpp). Default: 0,
  // nothing learned.
  virtual double failure_risk(const Arch& arch, const std::string& metric) {
    (void)arch;
    (void)metric;
    return 0;
  }
};

}  // namespace nas
