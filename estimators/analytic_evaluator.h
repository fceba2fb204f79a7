// Analytic cost of mbv3 subnets as an Evaluator: "macs", "params",
// "peak_act_bytes" and the deployed parameters' size "model_kib" (fp32),
// "model_kib_fp16" and "model_kib_int8" (estimators/mbv3_cost.h), source
// kAnalytic, fidelity the layout's fingerprint (which includes the data's
// shape).
#pragma once

#include "core/mbv3_space.h"
#include "estimators/evaluator.h"

namespace nas {

class Mbv3AnalyticEvaluator : public Evaluator {
 public:
  // REQUIRES: space == mbv3_space(layout).
  Mbv3AnalyticEvaluator(SearchSpace space, Mbv3Layout layout);
  std::vector<std::string> metrics() const override;
  EvaluationKey key(const std::string& metric) const override;
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  SearchSpace space_;
  Mbv3Layout layout_;
  std::string fingerprint_;
};

}  // namespace nas
