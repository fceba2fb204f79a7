// The contract of everything that scores an architecture on some metric.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/evaluation.h"
#include "core/search_space.h"

namespace nas {

// Evaluator::failure_risk at or above which a candidate counts as predicted
// to fail.
constexpr double kPredictedToFail = 0.5;

// One value a batch asks for (Evaluator::submit).
struct EvaluationRequest {
  Arch arch;
  std::string metric;
};

// A value of a batch, with the index of the request it answers.
struct Answer {
  std::size_t request = 0;
  Evaluation evaluation;
};

// A batch being evaluated (Evaluator::submit). Used from the thread that
// submitted it; destroying it before done() abandons what is still open.
class PendingBatch {
 public:
  virtual ~PendingBatch() = default;
  // The answers ready now. When none is ready, waits at most `wait` for one;
  // a batch that computes on the calling thread computes its next
  // architecture's values in this call instead. The values of one
  // measurement (a farm job's latency and energy) come in the same call.
  // Throws nas::Error as evaluate() does.
  virtual std::vector<Answer> collect(std::chrono::milliseconds wait) = 0;
  // Every answer has been collected.
  virtual bool done() const = 0;
};

// Where an evaluator does its work, which decides what a batch may overlap
// (CompositeEvaluator).
enum class Workload {
  kHost,        // computes on this machine in collect(): accuracy, cost, tables
  kRemote,      // waits on other machines (boards), overlapping the host's work
  kQuietHost,   // measures on this machine's CPU: only while it does nothing else
};

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

  // Starts evaluating every request at once where the evaluator can (the
  // farm sends every job to the broker now) and returns the batch, from
  // which the caller collects each value as it is ready, to store it before
  // it is used. Default: evaluate() on the calling thread, in the requests'
  // order, one architecture's run of requests per collect().
  virtual std::unique_ptr<PendingBatch> submit(std::vector<EvaluationRequest> requests);

  // Where submit()'s work runs. Default: kHost.
  virtual Workload workload() const { return Workload::kHost; }

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
