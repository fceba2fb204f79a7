// Predictor-screened measuring: an Evaluator wrapper that answers an
// expensive metric (a device's latency from the farm) with a prediction
// unless measuring the candidate matters.
//
// For the screened metric of an architecture it first gets the run's other
// objectives from the inner evaluator (cheap: a table, the supernet,
// analytic), then predicts the metric (a learned predictor trained on every
// measurement so far, refitted as they arrive). It measures (asks the inner
// evaluator) when
//   - fewer than `warmup` measurements exist (the predictor needs data), or
//   - the candidate's optimistic point (the prediction shifted by `explore`
//     standard deviations towards better) is not dominated by the front of
//     measured candidates: it could enter the front, or its measurement would
//     reduce the uncertainty where it matters (near the front);
// and `budget` measurements have not been spent. Otherwise the answer is the
// prediction, with Source::kPredicted in its key (stored and reported as
// predicted) and the predicted standard deviation in its note.
//
// Failures teach it: every measurement's outcome (a value, or none) trains a
// FailureClassifier over the same architectures. A candidate whose failure
// risk is at least kPredictedToFail (estimators/evaluator.h) is neither measured
// nor given an ordinary prediction (which would put a cell the device cannot
// run at the predicted front's fast corner): the answer is a prediction
// without a value, noted "predicted to fail", so the loop excludes it as it
// would the failed measurement. failure_risk() gives the loop the same risk
// for the front members it confirms.
//
// measure() always asks the inner evaluator: the search loop calls it for
// every front member whose stored value is predicted before the run ends, so
// a reported front holds measured values only. Those confirmations are
// counted apart and not limited by the budget.
//
// The wrapper is stateful (its measured front and training set live in
// memory); a resumed run starts screening afresh. Not thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/objectives.h"
#include "estimators/evaluator.h"
#include "estimators/failure_classifier.h"
#include "estimators/predictor.h"

namespace nas {

struct ScreeningOptions {
  std::string metric;  // the expensive metric, e.g. "raspi4_ms"; must be an objective
  std::vector<Objective> objectives;  // the run's objectives, in its order
  std::int64_t budget = 100;          // measurements during the search
  std::int64_t warmup = 20;           // the first requests are always measured
  double explore = 1.0;               // optimism in predicted standard deviations
  // Numeric features of the failure classifier besides the decisions; empty =
  // default_features(space).
  FeatureFunction failure_features;
  // Learn from failures (above); false = screen as before, for benchmarks.
  bool learn_failures = true;
};

struct ScreeningStats {
  std::int64_t measured = 0;       // screened requests that were measured
  std::int64_t predicted = 0;      // answered with a prediction
  std::int64_t confirmations = 0;  // measure() calls (front members confirmed)
  std::int64_t failed = 0;         // measurements without a usable value (wasted)
  std::int64_t failed_confirmations = 0;  // of those, measure() calls
  std::int64_t predicted_to_fail = 0;     // of `predicted`, "predicted to fail" (no value)
};

class ScreenedEvaluator : public Evaluator {
 public:
  // `inner` provides every metric, the screened one measured. `space` must
  // outlive the wrapper. `factory` builds the predictor (refitted on every
  // new measurement); empty = make_search_predictor(space). Throws
  // nas::Error if the metric is not an objective or inner lacks a metric.
  ScreenedEvaluator(std::unique_ptr<Evaluator> inner, const SearchSpace& space,
                    ScreeningOptions options, PredictorFactory factory = {});

  std::vector<std::string> metrics() const override { return inner_->metrics(); }
  // The inner (measured) key; predicted values carry it with Source::kPredicted.
  EvaluationKey key(const std::string& metric) const override { return inner_->key(metric); }
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;
  Evaluation measure(const Arch& arch, const std::string& metric) override;
  // The classifier's risk for the screened metric; 0 for another metric.
  double failure_risk(const Arch& arch, const std::string& metric) override;

  const ScreeningStats& stats() const { return stats_; }

 private:
  // The values of the other objectives for `arch`, from the inner evaluator,
  // kept for the loop's own calls on the same architecture.
  Evaluation cached(const Arch& arch, const std::string& metric);
  // Minimisation-form objective vector with `value` for the screened metric;
  // empty if another objective has no value.
  std::vector<double> point(const Arch& arch, double value);
  Evaluation measure_and_learn(const Arch& arch);

  std::unique_ptr<Evaluator> inner_;
  const SearchSpace& space_;
  ScreeningOptions options_;
  std::size_t screened_index_ = 0;  // of options_.metric among the objectives
  std::unique_ptr<Predictor> predictor_;
  bool stale_ = true;  // new measurements since the last fit

  std::string cache_arch_;  // encode of the arch the cache holds
  std::map<std::string, Evaluation> cache_;
  std::vector<Arch> train_archs_;
  std::vector<double> train_values_;
  std::vector<std::vector<double>> front_;  // non-dominated measured points
  FailureClassifier failures_;
  ScreeningStats stats_;
};

}  // namespace nas
