// Several evaluators behind one: each metric goes to the first evaluator
// that provides it (supernet accuracy, analytic cost, measured latency).
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

 private:
  Evaluator& route(const std::string& metric) const;
  std::vector<std::unique_ptr<Evaluator>> parts_;
};

}  // namespace nas
