// Several evaluators behind one: each metric goes to the first evaluator
// that provides it (supernet accuracy, analytic cost, measured latency).
//
// A batch (submit) is split among the parts by metric, and their work
// overlaps by Evaluator::workload(): kRemote parts (boards on the farm) are
// submitted first and work while kHost parts compute on the calling thread;
// kQuietHost parts (a runner on this machine's CPU) are submitted only once
// every kHost part is done, so that no latency is measured on a CPU that is
// busy scoring. Answers come back as each part gives them.
#pragma once

#include <memory>
#include <vector>

#include "estimators/evaluator.h"

namespace nas {

class CompositeEvaluator : public Evaluator {
 public:
  // Throws nas::Error if `parts` is empty or holds a null evaluator.
  explicit CompositeEvaluator(std::vector<std::unique_ptr<Evaluator>> parts);
  // Every part's metrics, in the parts' order, each once.
  std::vector<std::string> metrics() const override;
  // Throws nas::Error listing every metric if no part provides `metric`.
  EvaluationKey key(const std::string& metric) const override;
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;
  std::unique_ptr<PendingBatch> submit(std::vector<EvaluationRequest> requests) override;

 private:
  Evaluator& route(const std::string& metric) const;
  std::vector<std::unique_ptr<Evaluator>> parts_;
};

}  // namespace nas
